/**
 * Worker side of a split rebuild scan: one folder below the assets root walked and stat-ed here
 * (run on the hashing threads, which have nothing to hash until the scan is done).
 */
import { scanFolderHere, type ScanResult } from '../registry/scan.js';

export interface ScanTask {
  dir: string;
  relDir: string;
}

export default function run(task: ScanTask): Promise<ScanResult> {
  return scanFolderHere(task.dir, task.relDir);
}

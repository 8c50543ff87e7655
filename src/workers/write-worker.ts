/**
 * Worker-thread side of batched sidecar writes: creating files blocks while the file system's
 * journal commits, so the rebuild's batches are written here while the main thread goes on with
 * the next batch's database work.
 */
import { blockingFileOps, writeFilesAtomic, type AtomicFile } from '../files/atomic-write.js';

export interface WriteTask {
  files: AtomicFile[];
}

/** Per file: its mtime as it landed, or why it did not (errors are sent back as message and code). */
export type WriteResult = Array<number | { error: string; code?: string }>;

export default async function run(task: WriteTask): Promise<WriteResult> {
  const landed = await writeFilesAtomic(task.files, blockingFileOps);
  return landed.map((outcome) =>
    outcome instanceof Error
      ? { error: outcome.message, code: (outcome as NodeJS.ErrnoException).code }
      : outcome,
  );
}

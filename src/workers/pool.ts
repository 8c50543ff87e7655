/**
 * The worker pool for heavy work (hashing now; decoding and resizing with previews). Work never
 * runs on the thread that answers requests.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import type { HashResult, HashTask } from './hash-worker.js';

// Run from sources (tsx) the workers are .ts files; from the build they are .js beside this one.
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const workerUrl = (name: string): string => new URL(`./${name}${ext}`, import.meta.url).href;

export class WorkerPool {
  private readonly hashPool: Piscina<HashTask, HashResult>;

  constructor(threads = Math.max(2, os.availableParallelism())) {
    this.hashPool = new Piscina({
      filename: workerUrl('hash-worker'),
      minThreads: 1,
      maxThreads: threads,
      idleTimeout: 30_000,
    });
  }

  hash(source: string): Promise<HashResult> {
    return this.hashPool.run({ op: 'hash', source });
  }

  /** Streams `source` into a new file under `stagingDir` while hashing it. */
  stage(source: string, stagingDir: string): Promise<HashResult> {
    return this.hashPool.run({ op: 'stage', source, stagingDir });
  }

  async close(): Promise<void> {
    await this.hashPool.destroy();
  }
}

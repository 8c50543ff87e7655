/**
 * `syncfs(2)` for Node, which has no binding: flush every written file of one file system with a
 * single journal commit. A long-lived `sh` per file system runs coreutils' `sync --file-system`
 * on request: forking that small shell is cheap, while forking this process (its heap, its
 * threads) for every batch cost 30-60 ms on the reference machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const LOOP = 'while read -r _; do if sync --file-system .; then echo ok; else echo failed; fi; done';

/** One shell, its working folder on the file system it flushes. */
class FileSystemFlusher {
  private readonly child: ChildProcess;
  private readonly waiting: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private broken: Error | undefined;

  constructor(dirOnFileSystem: string) {
    this.child = spawn('sh', ['-c', LOOP], { cwd: dirOnFileSystem, stdio: ['pipe', 'pipe', 'ignore'] });
    // The shell ends when its input closes (this process or thread exiting); it never holds the
    // event loop open while idle.
    this.child.unref();
    this.setRef(false);
    this.child.on('error', (err) => this.fail(err));
    this.child.on('exit', () => this.fail(new Error('the sync helper shell exited')));
    this.child.stdin?.on('error', (err: Error) => this.fail(err));
    if (this.child.stdout) {
      createInterface({ input: this.child.stdout }).on('line', (line) => {
        const waiter = this.waiting.shift();
        if (!this.waiting.length) this.setRef(false);
        if (line === 'ok') waiter?.resolve();
        else waiter?.reject(new Error('sync --file-system failed'));
      });
    }
  }

  flush(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.setRef(true);
      this.child.stdin?.write('\n');
    });
  }

  /** Ends the shell (its input closes). */
  close(): void {
    this.fail(new Error('closed'));
    this.child.stdin?.end();
  }

  get usable(): boolean {
    return this.broken === undefined;
  }

  private fail(err: Error): void {
    this.broken ??= err;
    for (const waiter of this.waiting.splice(0)) waiter.reject(err);
    this.setRef(false);
  }

  /** Keeps the event loop alive only while an answer is awaited. */
  private setRef(on: boolean): void {
    for (const stream of [this.child.stdin, this.child.stdout]) {
      const handle = stream as unknown as { ref?: () => void; unref?: () => void } | null;
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
  }
}

/** Per device id. */
const flushers = new Map<number, FileSystemFlusher>();

/**
 * Flushes the file system of each device given (one folder on it each). A helper that fails is
 * replaced by a new one, once (it may have been killed). Rejects when the flush still fails or
 * no helper can run (no `sh` or `sync`): the caller then falls back to fsyncs.
 */
export async function syncFileSystems(dirsByDevice: ReadonlyMap<number, string>): Promise<void> {
  const fresh = (dev: number, dir: string): FileSystemFlusher => {
    flushers.get(dev)?.close();
    const flusher = new FileSystemFlusher(dir);
    flushers.set(dev, flusher);
    return flusher;
  };
  await Promise.all(
    [...dirsByDevice].map(async ([dev, dir]) => {
      const current = flushers.get(dev);
      if (!current?.usable) return fresh(dev, dir).flush();
      try {
        await current.flush();
      } catch {
        await fresh(dev, dir).flush();
      }
    }),
  );
}

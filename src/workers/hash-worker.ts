/**
 * Worker-thread side of hashing: stream a file through SHA-256 in 1 MiB chunks (never the whole
 * file in memory), optionally writing a staged copy in the same pass. Plain hashing reads with
 * synchronous calls: this thread has nothing else to do meanwhile, and a small file then costs a
 * few system calls instead of five trips through libuv's thread pool.
 */
import { createHash, randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export type HashTask =
  | {
      op: 'hash' | 'stage' | 'adopt';
      source: string;
      /** Folder for the staged copy (op 'stage'); must be on the target's filesystem. */
      stagingDir?: string;
    }
  /** Several (small) files in one task: one message each way instead of one per file. */
  | { op: 'hashMany'; sources: string[] };

/** One file of a `hashMany` task: its result, or why it could not be read. */
export type HashManyEntry = HashResult | { error: string };

export interface HashResult {
  hash: string;
  bytes: number;
  /** The stat of the file the bytes are in (the staged copy for op 'stage'): a `FileStamp`. */
  mtimeMs: number;
  ino: number;
  dev: number;
  staged?: string;
}

const CHUNK = 1024 * 1024;

async function digest(source: string, copyTo?: fs.FileHandle): Promise<{ hash: string; bytes: number }> {
  const hash = createHash('sha256');
  const input = await fs.open(source, 'r');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let total = 0;
  try {
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      if (copyTo) await copyTo.write(chunk);
      total += bytesRead;
    }
  } finally {
    await input.close();
  }
  return { hash: hash.digest('hex'), bytes: total };
}

/** Reused by every synchronous hash on this thread (one file at a time). */
const syncBuffer = Buffer.allocUnsafe(CHUNK);

/**
 * Hash, re-stat, and redo when the file changed while it was read (an editor still saving).
 * The stats are of the open descriptor, so they describe the bytes read even if the path is
 * replaced meanwhile.
 */
function hashStable(source: string): HashResult {
  const fd = fsSync.openSync(source, 'r');
  try {
    for (let attempt = 0; ; attempt++) {
      const before = fsSync.fstatSync(fd);
      const hash = createHash('sha256');
      let bytes = 0;
      for (;;) {
        const n = fsSync.readSync(fd, syncBuffer, 0, CHUNK, bytes);
        if (n === 0) break;
        hash.update(syncBuffer.subarray(0, n));
        bytes += n;
      }
      const after = fsSync.fstatSync(fd);
      if ((after.mtimeMs === before.mtimeMs && after.size === bytes) || attempt >= 4) {
        return { hash: hash.digest('hex'), bytes, mtimeMs: after.mtimeMs, ino: after.ino, dev: after.dev };
      }
    }
  } finally {
    fsSync.closeSync(fd);
  }
}

function hashMany(sources: readonly string[]): HashManyEntry[] {
  return sources.map((source) => {
    try {
      return hashStable(source);
    } catch (err) {
      return { error: (err as Error).message };
    }
  });
}

async function stage(source: string, stagingDir: string): Promise<HashResult> {
  await fs.mkdir(stagingDir, { recursive: true });
  const staged = path.join(stagingDir, `${process.pid}-${randomBytes(8).toString('hex')}.part`);
  const out = await fs.open(staged, 'wx');
  try {
    const stat = await fs.stat(source);
    const { hash, bytes } = await digest(source, out);
    await out.sync();
    await out.close();
    await fs.utimes(staged, stat.atime, stat.mtime);
    // The copy's own stat: utimes keeps whole milliseconds, so its mtime is not quite the source's.
    const copy = await fs.stat(staged);
    return { hash, bytes, mtimeMs: copy.mtimeMs, ino: copy.ino, dev: copy.dev, staged };
  } catch (err) {
    await out.close().catch(() => undefined);
    await fs.rm(staged, { force: true });
    throw err;
  }
}

/** A file already private to us in the staging folder (an upload): hash and sync it, no copy. */
async function adopt(source: string): Promise<HashResult> {
  const { hash, bytes } = await digest(source);
  const handle = await fs.open(source, 'r+');
  try {
    await handle.sync();
    const stat = await handle.stat();
    return { hash, bytes, mtimeMs: stat.mtimeMs, ino: stat.ino, dev: stat.dev, staged: source };
  } finally {
    await handle.close();
  }
}

export default async function run(task: Extract<HashTask, { op: 'hashMany' }>): Promise<HashManyEntry[]>;
export default async function run(task: Exclude<HashTask, { op: 'hashMany' }>): Promise<HashResult>;
export default async function run(task: HashTask): Promise<HashResult | HashManyEntry[]> {
  if (task.op === 'hashMany') return hashMany(task.sources);
  if (task.op === 'stage') return stage(task.source, task.stagingDir ?? path.dirname(task.source));
  if (task.op === 'adopt') return adopt(task.source);
  return hashStable(task.source);
}

/**
 * Worker-thread side of hashing: stream a file through SHA-256 in 256 KiB chunks (never the whole
 * file in memory), optionally writing a staged copy in the same pass. Every file-system call is
 * synchronous: this thread has nothing else to do meanwhile, and a small file then costs a few
 * system calls instead of as many trips through libuv's thread pool (a registration's staged
 * copy made ten of them).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
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

// 256 KiB stays in the core's cache between the read's copy and the hash that reads it again:
// against 1 MiB, two threads hashing the 2 GB bench tree spent 0.1-0.15 s less CPU (the kernel's
// copy 0.40-0.45 s -> 0.25-0.28 s) and 0.05-0.1 s less wall time (bench/RESULTS.md).
const CHUNK = 256 * 1024;

/** Reused by every hash on this thread (one task at a time). */
const buffer = Buffer.allocUnsafe(CHUNK);

/** Reads `fd` from its start through SHA-256, writing each chunk to `copyTo` as well when given. */
function digest(fd: number, copyTo?: number): { hash: string; bytes: number } {
  const hash = createHash('sha256');
  let bytes = 0;
  for (;;) {
    const n = fs.readSync(fd, buffer, 0, CHUNK, bytes);
    if (n === 0) break;
    const chunk = buffer.subarray(0, n);
    hash.update(chunk);
    // A write may take less than it was given.
    if (copyTo !== undefined) for (let put = 0; put < n;) put += fs.writeSync(copyTo, chunk, put, n - put);
    bytes += n;
  }
  return { hash: hash.digest('hex'), bytes };
}

/**
 * Hash, re-stat, and redo when the file changed while it was read (an editor still saving).
 * The stats are of the open descriptor, so they describe the bytes read even if the path is
 * replaced meanwhile.
 */
function hashStable(source: string): HashResult {
  const fd = fs.openSync(source, 'r');
  try {
    for (let attempt = 0; ; attempt++) {
      const before = fs.fstatSync(fd);
      const { hash, bytes } = digest(fd);
      const after = fs.fstatSync(fd);
      if ((after.mtimeMs === before.mtimeMs && after.size === bytes) || attempt >= 4) {
        return { hash, bytes, mtimeMs: after.mtimeMs, ino: after.ino, dev: after.dev };
      }
    }
  } finally {
    fs.closeSync(fd);
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

/**
 * Copies `source` into a new file under `stagingDir` while hashing it, and makes the copy
 * durable with the source's times.
 */
function stage(source: string, stagingDir: string): HashResult {
  fs.mkdirSync(stagingDir, { recursive: true });
  const staged = path.join(stagingDir, `${process.pid}-${randomBytes(8).toString('hex')}.part`);
  const out = fs.openSync(staged, 'wx');
  try {
    const input = fs.openSync(source, 'r');
    let read: { hash: string; bytes: number };
    let stat: fs.Stats;
    try {
      stat = fs.fstatSync(input);
      read = digest(input, out);
    } finally {
      fs.closeSync(input);
    }
    fs.futimesSync(out, stat.atime, stat.mtime);
    fs.fsyncSync(out);
    // The copy's own stat: utimes keeps whole milliseconds, so its mtime is not quite the source's.
    const copy = fs.fstatSync(out);
    return { ...read, mtimeMs: copy.mtimeMs, ino: copy.ino, dev: copy.dev, staged };
  } catch (err) {
    fs.rmSync(staged, { force: true });
    throw err;
  } finally {
    fs.closeSync(out);
  }
}

/** A file already private to us in the staging folder (an upload): hash and sync it, no copy. */
function adopt(source: string): HashResult {
  const fd = fs.openSync(source, 'r+');
  try {
    const read = digest(fd);
    fs.fsyncSync(fd);
    const stat = fs.fstatSync(fd);
    return { ...read, mtimeMs: stat.mtimeMs, ino: stat.ino, dev: stat.dev, staged: source };
  } finally {
    fs.closeSync(fd);
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

/**
 * Worker-thread side of hashing: stream a file through SHA-256 in 1 MiB chunks (never the whole
 * file in memory), optionally writing a staged copy in the same pass.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface HashTask {
  op: 'hash' | 'stage' | 'adopt';
  source: string;
  /** Folder for the staged copy (op 'stage'); must be on the target's filesystem. */
  stagingDir?: string;
}

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

/** Hash, re-stat, and redo when the file changed while it was read (an editor still saving). */
async function hashStable(source: string): Promise<HashResult> {
  for (let attempt = 0; ; attempt++) {
    const before = await fs.stat(source);
    const { hash, bytes } = await digest(source);
    const after = await fs.stat(source);
    if ((after.mtimeMs === before.mtimeMs && after.size === bytes) || attempt >= 4) {
      return { hash, bytes, mtimeMs: after.mtimeMs, ino: after.ino, dev: after.dev };
    }
  }
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

export default async function run(task: HashTask): Promise<HashResult> {
  if (task.op === 'stage') return stage(task.source, task.stagingDir ?? path.dirname(task.source));
  if (task.op === 'adopt') return adopt(task.source);
  return hashStable(task.source);
}

/** Atomic file replacement: temp file in the same folder, fsync, rename. A reader sees old or new, never half. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Folders this process already made: a recursive mkdir per write costs more than the write. */
const madeDirs = new Set<string>();

/** Writes atomically; returns the file's modification time (ms) as it lands. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<number> {
  const dir = path.dirname(target);
  if (!madeDirs.has(dir)) {
    await fs.mkdir(dir, { recursive: true });
    if (madeDirs.size > 10_000) madeDirs.clear();
    madeDirs.add(dir);
  }
  const tmp = path.join(
    dir,
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(tmp, 'wx');
  } catch (err) {
    // The folder may have been removed since we made it.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    madeDirs.delete(dir);
    await fs.mkdir(dir, { recursive: true });
    handle = await fs.open(tmp, 'wx');
  }
  let mtimeMs: number;
  try {
    await handle.writeFile(data);
    await handle.sync();
    mtimeMs = (await handle.stat()).mtimeMs;
  } catch (err) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return mtimeMs;
}

/** JSON as the reference writes sidecars: UTF-8, 2-space indent, non-ASCII kept, trailing newline. */
export const jsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

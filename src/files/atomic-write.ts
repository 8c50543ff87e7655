/** Atomic file replacement: temp file in the same folder, fsync, rename. A reader sees old or new, never half. */
import { randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { NAME_MAX_BYTES } from '../domain/asset.js';
import { errorCode } from './if-there.js';
import { syncFileSystems } from './syncfs.js';

/** Writes one file atomically (temp file, fsync, rename); returns its modification time (ms) as it lands. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<number> {
  const [landed] = await writeFilesAtomic([{ target, data }]);
  if (landed instanceof Error || landed === undefined) throw landed ?? new Error(`${target} was not written`);
  return landed;
}

/** JSON as the reference writes sidecars: UTF-8, 2-space indent, non-ASCII kept, trailing newline. */
export const jsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Per thread: a random start, then counted (cheaper than random bytes for every temp file). */
let tempSerial = randomBytes(4).readUInt32BE();

/** `text` cut to at most `max` UTF-8 bytes, never inside a character. */
function fitUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let bytes = 0;
  let out = '';
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > max) break;
    out += char;
  }
  return out;
}

/**
 * A temp name beside `target` (same folder, so the rename is atomic), unique to this thread; the
 * sweep knows the pattern (files/leftovers.ts). A long target name is cut so the temp name still
 * fits the file system. (Files are opened exclusively, so a clash fails instead of sharing.)
 */
export function tempPathFor(target: string): string {
  tempSerial = (tempSerial + 1) >>> 0;
  const suffix = `.${process.pid}.${tempSerial.toString(16).padStart(8, '0')}.tmp`;
  const name = fitUtf8(path.basename(target), NAME_MAX_BYTES - 1 - suffix.length);
  return path.join(path.dirname(target), `.${name}${suffix}`);
}

/**
 * Removes a temp file that may not exist. Best effort: a failure here must not hide the error
 * that left the temp behind (the sweep removes strays later).
 */
const discard = (ops: FileOps, file: string): Promise<void> => ops.remove(file).catch(() => undefined);

/**
 * A file to write: its bytes, or `sameAs` the index of another file of the same batch whose landed
 * file it shares (a hard link to it, so a second copy costs a directory entry, not a new inode;
 * where links are not possible, a copy of that file's bytes).
 */
export type AtomicFile =
  | {
      target: string;
      data: string | Uint8Array;
      /**
       * Written only while this file is there, in an existing folder (a sidecar beside its
       * asset: a file moved or deleted by hand, or its folder renamed, leaves nothing to write
       * beside, and a folder created for it would bring back one the user removed). Otherwise
       * the file's result is a {@link besideGone} error.
       */
      beside?: string;
    }
  | { target: string; sameAs: number };

/** The error of a file written `beside` one that is not there (code `ENOENT`). */
export function besideGone(beside: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${beside} is not there (moved or deleted meanwhile?)`), {
    code: 'ENOENT',
    path: beside,
  });
}

/**
 * The file operations a batch uses. `fileOps` runs them on libuv's pool (for a thread that must
 * stay responsive); `blockingFileOps` calls them directly, for a thread that does nothing else
 * (the write thread): no pool hand-off and no promise per call, about a third of the CPU a small
 * file costs in user space.
 */
export interface FileOps {
  /** Creates `file` (failing if it exists) with `data`; returns its mtime and device. */
  create(file: string, data: string | Uint8Array): Promise<{ mtimeMs: number; dev: number }>;
  link(existing: string, file: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdirp(dir: string): Promise<unknown>;
  exists(file: string): Promise<boolean>;
  remove(file: string): Promise<void>;
  fsync(file: string): Promise<void>;
}

export const fileOps: FileOps = {
  async create(file, data) {
    await fs.writeFile(file, data, { flag: 'wx' });
    return fs.stat(file); // the temp's own mtime: the rename keeps it
  },
  link: (existing, file) => fs.link(existing, file),
  rename: (from, to) => fs.rename(from, to),
  mkdirp: (dir) => fs.mkdir(dir, { recursive: true }),
  exists: (file) =>
    fs.access(file).then(
      () => true,
      () => false,
    ),
  remove: (file) => fs.rm(file, { force: true }),
  async fsync(file) {
    const handle = await fs.open(file, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

export const blockingFileOps: FileOps = {
  async create(file, data) {
    const fd = fsSync.openSync(file, 'wx');
    try {
      fsSync.writeFileSync(fd, data);
      return fsSync.fstatSync(fd);
    } finally {
      fsSync.closeSync(fd);
    }
  },
  link: async (existing, file) => fsSync.linkSync(existing, file),
  rename: async (from, to) => fsSync.renameSync(from, to),
  mkdirp: async (dir) => fsSync.mkdirSync(dir, { recursive: true }),
  exists: async (file) => fsSync.existsSync(file),
  remove: async (file) => fsSync.rmSync(file, { force: true }),
  async fsync(file) {
    const fd = fsSync.openSync(file, 'r+');
    try {
      fsSync.fsyncSync(fd);
    } finally {
      fsSync.closeSync(fd);
    }
  },
};

/** Link errors that mean "this file system or pair of folders cannot link": write a copy instead. */
export const NO_LINKS: ReadonlySet<string> = new Set([
  'EXDEV',
  'EPERM',
  'ENOTSUP',
  'EOPNOTSUPP',
  'EMLINK',
  'ENOSYS',
]);

/**
 * Writes many files, each atomically, with one durability barrier for all of them: every temp
 * file is written, then the file systems are flushed once, then each is renamed into place. A
 * reader still sees each file old or whole; a crash leaves old files and stray temps (swept).
 * Per file: its mtime as it landed, or the error that kept it from landing.
 *
 * Creating and renaming files wait whenever the file system's journal is committing, so with
 * `fileOps` several run at once (they then join the same journal transaction); with
 * `blockingFileOps` they run one after another, on a thread that has nothing else to do.
 */
export async function writeFilesAtomic(
  files: readonly AtomicFile[],
  ops: FileOps = fileOps,
): Promise<Array<number | Error>> {
  const results: Array<number | Error> = new Array<number | Error>(files.length);
  const temps: Array<{ tmp: string; mtimeMs: number; dev: number } | undefined> = [];
  await forEachLimit(files, async (file, i) => {
    if ('sameAs' in file) return;
    const tmp = tempPathFor(file.target);
    try {
      const create = (): Promise<{ mtimeMs: number; dev: number }> => ops.create(tmp, file.data);
      if (file.beside !== undefined && !(await ops.exists(file.beside))) throw besideGone(file.beside);
      const { mtimeMs, dev } = await (file.beside === undefined
        ? inFolder(ops, file.target, create)
        : create());
      temps[i] = { tmp, mtimeMs, dev };
    } catch (err) {
      await discard(ops, tmp);
      results[i] = err as Error;
    }
  });
  const written = temps.flatMap((t) => t ?? []);
  try {
    await flushToDisk(written, ops);
  } catch (err) {
    await forEachLimit(written, ({ tmp }) => discard(ops, tmp));
    return files.map(() => err as Error);
  }
  await forEachLimit(files, async (file, i) => {
    const temp = temps[i];
    if (temp === undefined) return;
    try {
      await ops.rename(temp.tmp, file.target);
      results[i] = temp.mtimeMs;
    } catch (err) {
      await discard(ops, temp.tmp);
      results[i] = err as Error;
    }
  });
  await forEachLimit(files, async (file, i) => {
    if ('sameAs' in file) results[i] = await landLink(files, results, file.sameAs, file.target, ops);
  });
  return results;
}

/**
 * Lands `target` as a link to file `source` of the batch (once that one has landed). A new target
 * is linked straight to its name: a link is whole the moment it exists. One already there is
 * replaced by a link made beside it and renamed over it, so a reader sees the old file or the
 * new one. Where the file system cannot link, a copy of the source's bytes is written atomically.
 */
async function landLink(
  files: readonly AtomicFile[],
  results: ReadonlyArray<number | Error>,
  source: number,
  target: string,
  ops: FileOps,
): Promise<number | Error> {
  const landed = results[source];
  const original = files[source];
  if (landed === undefined || original === undefined || 'sameAs' in original)
    return new Error(`${target}: file ${source} of the batch is not one with bytes`);
  if (landed instanceof Error) return landed;
  const tmp = tempPathFor(target);
  try {
    if (await linkIfAbsent(ops, original.target, target)) return landed;
    await ops.link(original.target, tmp);
    await ops.rename(tmp, target);
    return landed;
  } catch (err) {
    await discard(ops, tmp);
    // ENOENT: the file it links to went meanwhile (moved or deleted by hand as it landed); the
    // bytes are still here to write, unless what it was written beside went too (a sidecar's
    // asset moved with its folder: its mirror would be one of no asset, left behind).
    const code = errorCode(err);
    if (!NO_LINKS.has(code) && code !== 'ENOENT') return err as Error;
    if (code === 'ENOENT' && original.beside !== undefined && !(await ops.exists(original.beside)))
      return besideGone(original.beside);
    const [copied] = await writeFilesAtomic([{ target, data: original.data }], ops);
    return copied ?? new Error(`${target} was not written`);
  }
}

/** Links `file` to `existing` (creating its folder if missing), unless `file` exists: then false. */
async function linkIfAbsent(ops: FileOps, existing: string, file: string): Promise<boolean> {
  try {
    await inFolder(ops, file, () => ops.link(existing, file));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Runs `create` (which makes a file beside `target`), creating the target's folder if it is missing. */
async function inFolder<T>(ops: FileOps, target: string, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await ops.mkdirp(path.dirname(target));
    return create();
  }
}

/** Runs `fn` over every item, `limit` at a time. */
async function forEachLimit<T>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<unknown>,
  limit = 16,
): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

/** Whether `syncfs` through the helper works here (known after the first try). */
let syncfsWorks: boolean | undefined;

/**
 * Makes these written files durable. Many at once: one `syncfs(2)` per file system, a single
 * journal commit instead of one fsync per file (on the reference disk: 0.07 ms a small file
 * instead of 0.33 ms with 32 fsyncs in flight). Few files, or no working `syncfs`: an fsync each,
 * a bounded number at once.
 */
async function flushToDisk(files: ReadonlyArray<{ tmp: string; dev: number }>, ops: FileOps): Promise<void> {
  if (files.length >= 16 && syncfsWorks !== false) {
    const dirsByDevice = new Map<number, string>();
    for (const { tmp, dev } of files) if (!dirsByDevice.has(dev)) dirsByDevice.set(dev, path.dirname(tmp));
    try {
      await syncFileSystems(dirsByDevice);
      syncfsWorks = true;
      return;
    } catch (err) {
      if (syncfsWorks === true) throw err;
      syncfsWorks = false; // no `sh` or `sync` here: fsync each file from now on
    }
  }
  await forEachLimit(files, ({ tmp }) => ops.fsync(tmp));
}

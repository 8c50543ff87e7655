/**
 * File-system calls for a path that may not be there. "Not there" includes ENOTDIR: a file now
 * stands where a folder of the path was (a user replaced the folder `images/` by a file
 * `images`), and every file the registry knew under that folder is gone, not an error that stops
 * a rebuild.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A file-system error's code (`ENOENT`, …), or '' for an error without one. */
export const errorCode = (err: unknown): string => (err as NodeJS.ErrnoException | undefined)?.code ?? '';

/**
 * Whether an error says nothing is at the path: ENOENT, ENOTDIR (a file where a folder was), or
 * ENAMETOOLONG (no file can have that name).
 */
export const isMissing = (err: unknown): boolean => {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG';
};

/** `stat`, or undefined when nothing is there. */
export function statIfThere(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file, { throwIfNoEntry: false });
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/**
 * Deletes a file that may not be there with one `unlink`: `fs.rm` with `force` stats the file
 * first (and would walk a folder), twice the system calls where removals come by thousands (a
 * rebuild removing the rows of a deleted folder: each asset's sidecar, mirror and previews).
 */
export function unlinkIfThere(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}

/**
 * Removes `dir` and then its parents while they are empty, up to (not including) `top`, which
 * holds `dir`: one `rmdir` each, the first folder not empty (or gone) ending it.
 */
export function removeEmptyFolders(dir: string, top: string): void {
  for (let folder = dir; folder.startsWith(top + path.sep); folder = path.dirname(folder)) {
    try {
      fs.rmdirSync(folder);
    } catch {
      return; // (not empty, gone, or not ours to remove: left)
    }
  }
}

/**
 * Moving a user's file to a new name that must be free: a file already there is never replaced
 * (rename(2) would replace it silently). A hard link to the new name (EEXIST when taken), then the
 * old name unlinked; across devices (a drive mounted under the root) a copy, see
 * {@link copyToFreeName}, flushed to disk before the original goes. A crash between the two steps
 * leaves the file at both names, never at none, and never a part of it at the new one.
 */
import fs from 'node:fs';
import { NO_LINKS, tempPathFor } from './atomic-write.js';
import { errorCode } from './if-there.js';

/**
 * Copies `from` to the free name `to` (false when it is taken), times kept, where `link(from, to)`
 * failed with `linkError`. Across devices (EXDEV): into a temp file beside `to`, flushed, then
 * linked into place, so `to` never holds a part of the file (a crash mid-copy leaves the temp
 * file, which the rebuild's sweep removes, see leftovers.ts). On a file system without hard
 * links: a copy straight to `to` that refuses an existing file (libuv removes a copy that fails;
 * a crash mid-copy there leaves a part).
 */
export function copyToFreeName(from: string, to: string, linkError: string): boolean {
  if (linkError !== 'EXDEV') return copyStraight(from, to);
  const temp = tempPathFor(to);
  try {
    copyWhole(from, temp);
    try {
      fs.linkSync(temp, to);
      return true;
    } catch (err) {
      if (errorCode(err) === 'EEXIST') return false;
      if (!NO_LINKS.has(errorCode(err))) throw err;
      return copyStraight(temp, to); // (the target's file system has no links either)
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/**
 * Copies `from` to the new file `to` (EEXIST if there is one), with `from`'s access and
 * modification times (the same file to the user, and to a rebuild's stamp), flushed to disk.
 * (Opened read-only to flush: a copy of a read-only file is read-only.)
 */
function copyWhole(from: string, to: string): void {
  fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
  const { atime, mtime } = fs.statSync(from);
  fs.utimesSync(to, atime, mtime);
  const fd = fs.openSync(to, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** {@link copyWhole} straight to `to`; false when `to` is taken. */
function copyStraight(from: string, to: string): boolean {
  try {
    copyWhole(from, to);
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
}

export function moveFileNoReplace(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch (err) {
    if (!NO_LINKS.has(errorCode(err))) throw err;
    if (!copyToFreeName(from, to, errorCode(err)))
      throw Object.assign(new Error(`EEXIST: file already exists, copy '${from}' -> '${to}'`), {
        code: 'EEXIST',
      });
  }
  fs.unlinkSync(from);
}

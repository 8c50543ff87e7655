/**
 * Moving a user's file to a new name that must be free: a file already there is never replaced
 * (rename(2) would replace it silently). A hard link to the new name (EEXIST when taken), then the
 * old name unlinked; where there are no hard links (another device under the root, a file system
 * without them) a copy that refuses an existing target, flushed to disk before the original goes.
 * A crash between the two steps leaves the file at both names, never at none.
 */
import fs from 'node:fs';

const NO_LINKS = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK']);

export function moveFileNoReplace(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch (err) {
    if (!NO_LINKS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    const { atime, mtime } = fs.statSync(from);
    fs.utimesSync(to, atime, mtime); // the same file to the user (and to a rebuild's stamp)
    const fd = fs.openSync(to, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  fs.unlinkSync(from);
}

/**
 * Creating a configured folder (assets root, thumbnails root, the database's folder) with an
 * error that names the setting and says what to fix when the path cannot be one: a file stands
 * there or above it, or the folder may not be created. A request's path override got an internal
 * error (500) before.
 */
import fs from 'node:fs';
import { badRequest } from '../domain/errors.js';
import { fileInTheWay, notAFolder, refuseTooLong } from './safe-path.js';

/** Makes `dir` (and its parents) a folder, or throws a 400 naming `what` and the file in the way. */
export function ensureFolder(dir: string, what: string): void {
  refuseTooLong(dir, what);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const blocker = fileInTheWay(dir);
    if (blocker)
      throw notAFolder(
        blocker === dir ? `${what} ${dir} is a file` : `${what} ${dir} leads through ${blocker}, a file`,
      );
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw badRequest(`${what} ${dir} cannot be created (${code}): give a folder this server may write to.`);
    throw err;
  }
}

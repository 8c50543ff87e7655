/** Removing the folders a removal left empty, in a folder the registry owns (the trash). */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Removes `dir` and then each parent while it is empty, up to `root` (kept). Only for folders the
 * registry owns: a user's own empty folder under the assets root is theirs.
 */
export function pruneEmptyFolders(dir: string, root: string): void {
  for (let at = dir; at.startsWith(root + path.sep); at = path.dirname(at)) {
    try {
      fs.rmdirSync(at);
    } catch {
      return; // not empty (or gone): its parents are not empty either
    }
  }
}

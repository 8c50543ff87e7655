/**
 * Deleting a file that may not be there with one `unlink`: `fs.rm` with `force` stats the
 * file first (and would walk a folder), twice the system calls where removals come by thousands
 * (a rebuild removing the rows of a deleted folder: each asset's sidecar, mirror and previews).
 */
import fs from 'node:fs';

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

export function unlinkIfThere(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}

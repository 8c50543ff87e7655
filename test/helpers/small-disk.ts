/**
 * A small disk of its own for a test (a tmpfs of `size`, e.g. "1m", mounted at a new folder
 * `dir`), where this machine lets the tests mount one (root, or CAP_SYS_ADMIN): a full disk, or a
 * folder on another device. Tests skip where it cannot be made.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Makes `dir` and mounts the disk there; false where mounting is not allowed. */
export function mountSmallDisk(dir: string, size: string): boolean {
  fs.mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function unmountSmallDisk(dir: string): void {
  execFileSync('umount', [dir]);
}

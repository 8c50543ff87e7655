/**
 * The registry's temporary files and folders carry the id of the process that made them, so a
 * rebuild can remove those whose process is gone (killed mid-write: a partial file, perhaps
 * large, that nothing else would ever remove) and leave a live process's alone:
 * - an atomic write's temp file beside its target, an import's file being unpacked, a preview
 *   being written: `.<name>.<pid>.<8 hex>.tmp` (see `tempPathFor` in atomic-write.ts);
 * - a copy staged while it is hashed: `<pid>-<16 hex>.part` (workers/hash-worker.ts);
 * - an upload's or an import's staging folder, a poster's staged image:
 *   `<kind>-<pid>-<16 hex>[.img]` ({@link stagingName}).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const TEMP_FILE = /^(?:\..+\.(\d+)\.[0-9a-f]{8}\.tmp|(\d+)-[0-9a-f]{16}\.part)$/s; // (s: a name may hold a newline)
const STAGED = /^(?:upload|import|poster)-(\d+)-[0-9a-f]{16}(?:\.img)?$/;

/** A new name for an upload's or an import's staging folder, or a poster's staged image. */
export function stagingName(kind: 'upload' | 'import' | 'poster', ext = ''): string {
  return `${kind}-${process.pid}-${randomBytes(8).toString('hex')}${ext}`;
}

/** Whether the process `pid` of this host is gone (killed mid-write: what it made is rubbish). */
export function processGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function removeIfDead(pattern: RegExp, dir: string, name: string): boolean {
  const match = pattern.exec(name);
  const pid = match?.slice(1).find((group) => group !== undefined);
  if (pid === undefined || !processGone(Number(pid))) return false;
  fs.rmSync(path.join(dir, name), { force: true, recursive: true });
  return true;
}

/** Removes the file `dir/name` if it is a temp file or a staged copy whose writer has died; returns whether it did. */
export const removeIfLeftOver = (dir: string, name: string): boolean => removeIfDead(TEMP_FILE, dir, name);

/**
 * Removes `name` in the staging folder if it is an upload's or an import's folder (with what is
 * in it) or a poster's image whose process has died; returns whether it did. (Only there: a
 * user's folder so named elsewhere is theirs.)
 */
export const removeIfStagedLeftOver = (stagingDir: string, name: string): boolean =>
  removeIfDead(STAGED, stagingDir, name);

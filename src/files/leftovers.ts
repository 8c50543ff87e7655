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

const LEFT_OVER =
  /^(?:\..+\.(\d+)\.[0-9a-f]{8}\.tmp|(\d+)-[0-9a-f]{16}\.part|(?:upload|import|poster)-(\d+)-[0-9a-f]{16}(?:\.img)?)$/s; // (s: a name may hold a newline)

/** A new name for an upload's or an import's staging folder, or a poster's staged image. */
export function stagingName(kind: 'upload' | 'import' | 'poster', ext = ''): string {
  return `${kind}-${process.pid}-${randomBytes(8).toString('hex')}${ext}`;
}

/** Whether the process that made a temp file is gone (killed mid-write): its file is rubbish. */
function writerGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes `dir/name` (a file, or a staging folder with what is in it) if it is one of the
 * registry's temporary names whose writer has died; returns whether it did.
 */
export function removeIfLeftOver(dir: string, name: string): boolean {
  const match = LEFT_OVER.exec(name);
  if (!match || !writerGone(Number(match[1] ?? match[2] ?? match[3]))) return false;
  fs.rmSync(path.join(dir, name), { force: true, recursive: true });
  return true;
}

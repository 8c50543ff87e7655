/**
 * Progress bars on stderr (cli-progress): a bar on a terminal; elsewhere (a CI log) a line every
 * few seconds.
 */
import cliProgress from 'cli-progress';
import type { RebuildProgress } from '../registry/rebuild.js';

const OPTIONS = {
  stream: process.stderr,
  noTTYOutput: true,
  notTTYSchedule: 5000,
  hideCursor: true,
} as const;

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/**
 * Time left at the rate so far: "42s", "3m 05s", "1h 02m"; "…" until there is a rate. (cli-progress's
 * own ETA counts bar steps: files, whatever their size, and printed "NFs" for an empty tree.)
 */
export function etaText(done: number, total: number, elapsedMs: number): string {
  if (done >= total) return '0s';
  if (done <= 0 || elapsedMs <= 0) return '…';
  const seconds = Math.round(((total - done) * elapsedMs) / done / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * A bar in `format`, started by its first update (the total is known only then). Counts are
 * shown from the payload: the bar itself needs a total of at least 1, which showed as "0/1" when
 * there was nothing to do.
 */
function lazyBar(format: string): {
  update: (value: number, total: number, payload: Record<string, string>) => void;
  stop: () => void;
} {
  const bar = new cliProgress.SingleBar({ ...OPTIONS, format }, cliProgress.Presets.shades_classic);
  let running = false;
  return {
    update(value, total, payload) {
      if (!running) {
        bar.start(Math.max(1, total), value, payload);
        running = true;
      }
      bar.setTotal(Math.max(1, total));
      bar.update(total > 0 ? value : 1, payload);
    },
    stop: () => bar.stop(),
  };
}

/** A byte bar's fields: MB done and in all, the rate, and the time left by bytes. */
const byteFields = (done: number, total: number, elapsedMs: number): Record<string, string> => ({
  done: mb(done),
  all: mb(total),
  rate: (done / 1024 / 1024 / Math.max(0.001, elapsedMs / 1000)).toFixed(1),
  left: etaText(done, total, elapsedMs),
});

/** A bar for files and bytes, with the rate and the time left (by bytes: files differ in size). */
export function rebuildBar(): { update: (p: RebuildProgress) => void; stop: () => void } {
  const bar = lazyBar('{phase} |{bar}| {files} | {done}/{all} MB | {rate} MB/s | ETA {left}');
  const started = Date.now();
  return {
    update: (p) => {
      const elapsed = Date.now() - started;
      const scanning = p.phase === 'scan';
      // (The stale phase removes the assets whose files are gone: the bar counts those.)
      const removing = p.phase === 'stale' && p.stale_total !== undefined;
      const gone = { done: p.stale_done ?? 0, total: p.stale_total ?? 0 };
      const files = scanning ? '… files' : `${p.files_done}/${p.files_total} files`;
      bar.update(removing ? gone.done : p.files_done, removing ? gone.total : p.files_total, {
        phase: p.phase.padEnd(8),
        files: removing ? `${files}, ${gone.done}/${gone.total} gone removed` : files,
        ...byteFields(p.bytes_done, p.bytes_total, elapsed),
        ...(scanning || removing || p.phase === 'previews' ? { left: '…' } : {}),
      });
    },
    stop: bar.stop,
  };
}

/** A bar counting `what` (assets, sidecars) done of a total, with the time left. */
export function countBar(what: string): { update: (done: number, total: number) => void; stop: () => void } {
  const bar = lazyBar(`|{bar}| {count} ${what} | ETA {left}`);
  const started = Date.now();
  return {
    update: (done, total) =>
      bar.update(done, total, {
        count: `${done}/${total}`,
        left: etaText(done, total, Date.now() - started),
      }),
    stop: bar.stop,
  };
}

/** A bar for files and their bytes (an export), with the rate and the time left by bytes. */
export function bytesBar(): {
  update: (files: number, filesTotal: number, bytes: number, bytesTotal: number) => void;
  stop: () => void;
} {
  const bar = lazyBar('|{bar}| {files} files | {done}/{all} MB | {rate} MB/s | ETA {left}');
  const started = Date.now();
  return {
    update: (files, filesTotal, bytes, bytesTotal) => {
      const elapsed = Date.now() - started;
      bar.update(bytes, bytesTotal, {
        files: `${files}/${filesTotal}`,
        ...byteFields(bytes, bytesTotal, elapsed),
      });
    },
    stop: bar.stop,
  };
}

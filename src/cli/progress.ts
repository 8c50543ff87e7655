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

/** A bar in `format`, started by its first update (the total is known only then). */
function lazyBar(format: string): {
  update: (value: number, total: number, payload?: Record<string, string>) => void;
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
      bar.update(value, payload);
    },
    stop: () => bar.stop(),
  };
}

/** A bar for files and bytes with rate and ETA. */
export function rebuildBar(): { update: (p: RebuildProgress) => void; stop: () => void } {
  const bar = lazyBar(
    '{phase} |{bar}| {value}/{total} files | {done}/{all} MB | {rate} MB/s | ETA {eta_formatted}',
  );
  const started = Date.now();
  return {
    update: (p) =>
      bar.update(p.files_done, p.files_total, {
        phase: p.phase.padEnd(8),
        done: mb(p.bytes_done),
        all: mb(p.bytes_total),
        rate: (p.bytes_done / 1024 / 1024 / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1),
      }),
    stop: bar.stop,
  };
}

/** A bar counting `what` (assets, sidecars) done of a total, with the ETA. */
export function countBar(what: string): { update: (done: number, total: number) => void; stop: () => void } {
  return lazyBar(`|{bar}| {value}/{total} ${what} | ETA {eta_formatted}`);
}

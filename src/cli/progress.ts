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

/** A bar for files and bytes with rate and ETA; on a non-terminal, a line every few seconds. */
export function rebuildBar(): { update: (p: RebuildProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      ...OPTIONS,
      format: '{phase} |{bar}| {value}/{total} files | {done}/{all} MB | {rate} MB/s | ETA {eta_formatted}',
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    update(p) {
      const payload = {
        phase: p.phase.padEnd(8),
        done: mb(p.bytes_done),
        all: mb(p.bytes_total),
        rate: (p.bytes_done / 1024 / 1024 / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1),
      };
      if (!running) {
        bar.start(Math.max(1, p.files_total), p.files_done, payload);
        running = true;
      }
      bar.setTotal(Math.max(1, p.files_total));
      bar.update(p.files_done, payload);
    },
    stop: () => bar.stop(),
  };
}

/** A bar counting `what` (assets, sidecars) done of a total, with the ETA. */
export function countBar(what: string): { update: (done: number, total: number) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    { ...OPTIONS, format: `|{bar}| {value}/{total} ${what} | ETA {eta_formatted}` },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    update(done, total) {
      if (!running) {
        bar.start(Math.max(1, total), done);
        running = true;
      }
      bar.setTotal(Math.max(1, total));
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}

/**
 * The preview queue's progress as the studio shows it: a "wave" is the work from when the queue
 * became busy until it is empty again (a rebuild's thousands of pictures, an upload's few). The
 * server counts the previews it finished in its wave (`GET /api/previews`: `wave`); previews made
 * by another process (a CLI rebuild waiting for its thumbnails) are counted from the queue's
 * totals, from when the studio first saw it busy. A time left once the rate is known.
 */
import type { PreviewWave as ServedWave } from '../../../src/previews/queue.js';

export interface PreviewCounts {
  queued: number;
  running: number;
  done: number;
  failed: number;
}

/** The queue as the studio first saw it busy. */
export interface SeenWave {
  /** When (ms). */
  startedAt: number;
  /** Previews finished (made or failed) before then. */
  finishedBefore: number;
}

export interface WaveProgress {
  /** Previews finished since the wave began, and all it holds so far (finished and left). */
  finished: number;
  total: number;
  /** Seconds left at the wave's rate so far; undefined until it has run a few seconds. */
  secondsLeft: number | undefined;
}

/** Seconds of a wave before its rate is trusted for a time left. */
const RATE_AFTER_S = 5;

const finishedOf = (counts: PreviewCounts): number => counts.done + counts.failed;

/** The wave now: the one under way, a new one if the queue just became busy, none once it is empty. */
export function nextWave(
  seen: SeenWave | undefined,
  counts: PreviewCounts,
  now: number,
): SeenWave | undefined {
  if (counts.queued + counts.running === 0) return undefined;
  return seen ?? { startedAt: now, finishedBefore: finishedOf(counts) };
}

export function waveProgress(
  seen: SeenWave,
  counts: PreviewCounts,
  served: ServedWave | null,
  now: number,
): WaveProgress {
  const left = counts.queued + counts.running;
  // Previews queued again (a retry, a file edited) leave the finished ones: never below zero.
  const finished = served ? served.finished : Math.max(0, finishedOf(counts) - seen.finishedBefore);
  const seconds = served ? served.seconds : (now - seen.startedAt) / 1000;
  const rate = seconds >= RATE_AFTER_S ? finished / seconds : 0;
  return { finished, total: finished + left, secondsLeft: rate > 0 ? left / rate : undefined };
}

/** "about 40 s left", "about 3 min left", "about 1 h 20 min left". */
export function timeLeft(seconds: number): string {
  if (seconds < 55) return `about ${Math.max(5, Math.round(seconds / 5) * 5)} s left`;
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `about ${minutes} min left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/** The studio's preview progress (web/src/gallery/preview-wave.ts): a wave of work, its count and its time left. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextWave, timeLeft, waveProgress } from '../../web/src/gallery/preview-wave.js';

const counts = (queued: number, running: number, done: number, failed = 0) => ({
  queued,
  running,
  done,
  failed,
});

test("the server's wave gives the count and the rate: finished of finished and left", () => {
  const seen = { startedAt: 0, finishedBefore: 500 };
  // The server made 4 before the studio first looked: they count.
  assert.deepEqual(waveProgress(seen, counts(34, 2, 504), { finished: 4, seconds: 1 }, 1_000), {
    finished: 4,
    total: 40,
    secondsLeft: undefined,
  });
  // 200 made in 10 s: 20 a second, 600 left: 30 s.
  assert.equal(
    waveProgress(seen, counts(598, 2, 700), { finished: 200, seconds: 10 }, 2_000).secondsLeft,
    30,
  );
});

test("another process's previews are counted from the totals, from when the studio first saw the queue busy", () => {
  // 500 previews were made long ago; a rebuild queues 100.
  assert.equal(nextWave(undefined, counts(0, 0, 500), 0), undefined);
  const seen = nextWave(undefined, counts(98, 2, 500), 1_000);
  assert.deepEqual(seen, { startedAt: 1_000, finishedBefore: 500 });
  if (!seen) return;
  assert.deepEqual(waveProgress(seen, counts(98, 2, 500), null, 1_000), {
    finished: 0,
    total: 100,
    secondsLeft: undefined,
  });
  // The same wave goes on (its start kept) as previews finish, failures included, and more are queued.
  assert.equal(nextWave(seen, counts(50, 2, 540, 8), 3_000), seen);
  const later = waveProgress(seen, counts(50, 2, 540, 8), null, 3_000);
  assert.deepEqual([later.finished, later.total], [48, 100]);
  assert.equal(later.secondsLeft, undefined, 'no time left before the rate has run a few seconds');
  const more = waveProgress(seen, counts(150, 2, 548, 8), null, 11_000);
  assert.deepEqual([more.finished, more.total], [56, 208]);
  // 56 in 10 s, 152 left: 27 s.
  assert.equal(Math.round(more.secondsLeft ?? 0), 27);
  assert.equal(nextWave(seen, counts(0, 0, 700, 8), 20_000), undefined);
  // Failed previews queued again leave the finished count: it stays at zero, not negative.
  const retried = waveProgress(seen, counts(40, 0, 490), null, 12_000);
  assert.deepEqual([retried.finished, retried.total], [0, 40]);
});

test('the time left reads as a person would say it', () => {
  assert.equal(timeLeft(2), 'about 5 s left');
  assert.equal(timeLeft(42), 'about 40 s left');
  assert.equal(timeLeft(59), 'about 1 min left');
  assert.equal(timeLeft(150), 'about 3 min left');
  assert.equal(timeLeft(4_810), 'about 1 h 20 min left');
});

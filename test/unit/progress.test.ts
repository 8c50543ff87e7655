/** The CLI's progress lines: the time left, and what a bar says when there is nothing to do. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etaText } from '../../src/cli/progress.js';
import { runCli } from '../helpers/server.js';
import { makeWorkspace } from '../helpers/workspace.js';

test('the time left is the rate so far applied to what remains, in seconds, minutes or hours', () => {
  assert.equal(etaText(0, 100, 5_000), '…', 'no rate yet');
  assert.equal(etaText(50, 100, 10_000), '10s');
  assert.equal(etaText(10, 100, 10_000), '1m 30s');
  assert.equal(etaText(1, 100, 61_000), '1h 40m');
  assert.equal(etaText(100, 100, 10_000), '0s');
  assert.equal(etaText(0, 0, 0), '0s', 'nothing to do is done');
});

test('a rebuild of an empty tree and one of three files say 0/0 and 3/3, with a time left that reads', async () => {
  const ws = makeWorkspace();
  try {
    ws.file('data/assets/.keep', '');
    const args = ['rebuild', '--no-wait-for-thumbs', '--json'];
    const empty = await runCli(args, ws.dir);
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stderr, /done +\|[█░]+\| 0\/0 files \| 0\.0\/0\.0 MB \| [\d.]+ MB\/s \| ETA 0s/);
    for (const file of ['a.txt', 'b.txt', 'c.txt']) ws.file(`data/assets/docs/${file}`, file);
    const three = await runCli(args, ws.dir);
    assert.equal(three.code, 0, three.stderr);
    assert.match(three.stderr, /done +\|█+\| 3\/3 files \| .* \| ETA 0s/);
    // cli-progress's own ETA printed "NFs", "INF" or "NULL" where it had no rate.
    for (const res of [empty, three]) assert.doesNotMatch(res.stderr, /0\/1 files|NF|NULL|NaN/);
  } finally {
    ws.cleanup();
  }
});

/**
 * Sidecar writes run in the background of a rebuild: one that fails is counted and listed as a
 * problem (the row stays), the rebuild still waits for every other write, and the next rebuild
 * writes the missing sidecar.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

const FILES = 60;
let ws: Workspace;

before(() => {
  ws = makeWorkspace('areg-sidecar-fail-');
  for (let i = 0; i < FILES; i++) ws.file(`data/assets/docs/note-${i}.txt`, `note ${i} `.repeat(20 + i));
});
after(() => ws.cleanup());

test('a failing background sidecar write is a problem, and the next rebuild writes it', async () => {
  // A folder where the mirror of note-7 goes: its atomic rename cannot replace a folder.
  const blocker = path.join(ws.assets, '_meta', 'docs', 'note-7.txt.json');
  fs.mkdirSync(path.join(blocker, 'x'), { recursive: true });

  const first = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  const summary = first.json.summary;
  assert.equal(summary.created, FILES, 'every row is committed, note-7 too');
  assert.equal(summary.skipped, 1);
  assert.equal(summary.processed, FILES - 1);
  assert.equal(summary.problems.length, 1);
  assert.equal(summary.problems[0].path, 'docs/note-7.txt');
  for (let i = 0; i < FILES; i++)
    if (i !== 7)
      assert.ok(fs.existsSync(path.join(ws.assets, '_meta', 'docs', `note-${i}.txt.json`)), `mirror ${i}`);

  fs.rmSync(blocker, { recursive: true });
  const second = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(second.json.summary.skipped, 0);
  assert.equal(second.json.summary.created, 0);
  assert.deepEqual(second.json.summary.problems, []);
  const mirror = JSON.parse(fs.readFileSync(blocker, 'utf8')) as { path: string };
  assert.equal(mirror.path, 'docs/note-7.txt');

  // Settled: nothing more to do.
  const third = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(third.json.summary.unchanged, FILES);
});

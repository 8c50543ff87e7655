/**
 * A rebuild commits its rows in batches, one transaction each. A file whose row cannot be written
 * rolls its batch back; the batch is committed again with each file on its own, so that file alone
 * is left out (a problem, counted as skipped, no sidecar), the counters say what really landed,
 * and the next rebuild registers it once the cause is gone.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
const OTHERS = 40;

before(() => {
  ws = makeWorkspace('areg-row-fail-');
  ws.file('data/assets/a/one.bin', 'the same bytes');
  ws.file('data/assets/b/broken.bin', 'the same bytes'); // a duplicate of a/one.bin
  for (let i = 0; i < OTHERS; i++) ws.file(`data/assets/c/other-${i}.bin`, `other ${i}`);
});
after(() => ws.cleanup());

test('a row that cannot be written leaves that file out alone; the next rebuild registers it', async () => {
  // The database exists (a first, empty rebuild); then a trigger refuses one path, as a failing
  // write would.
  const empty = await runCli(['search', '--json'], ws.dir);
  assert.equal(empty.code, 0, empty.stderr);
  const dbPath = path.join(ws.dir, 'config', 'comfyvn.sqlite'); // the spec's default
  const db = new Database(dbPath);
  db.exec(`CREATE TRIGGER test_refuse BEFORE INSERT ON assets WHEN new.path = 'b/broken.bin'
    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
  db.close();

  const first = (await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir)).json.summary;
  assert.equal(first.created, OTHERS + 1);
  assert.equal(first.duplicates, 0, 'the refused duplicate is not counted');
  assert.equal(first.skipped, 1);
  assert.equal(first.processed, OTHERS + 1);
  assert.equal(first.problems.length, 1);
  assert.equal(first.problems[0].path, 'b/broken.bin');
  assert.match(first.problems[0].error, /refused by the test/);
  assert.ok(!fs.existsSync(path.join(ws.assets, 'b', 'broken.bin.asset.json')));
  assert.ok(fs.existsSync(path.join(ws.assets, 'a', 'one.bin.asset.json')));
  for (let i = 0; i < OTHERS; i++)
    assert.ok(fs.existsSync(path.join(ws.assets, 'c', `other-${i}.bin.asset.json`)), `sidecar ${i}`);
  const listed = await runCli(['search', '--json', '--limit', '100'], ws.dir);
  const paths = (listed.json.items as Array<{ path: string }>).map((i) => i.path);
  assert.equal(paths.length, OTHERS + 1);
  assert.ok(!paths.includes('b/broken.bin'));

  const fixed = new Database(dbPath);
  fixed.exec('DROP TRIGGER test_refuse');
  fixed.close();
  const second = (await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir)).json.summary;
  assert.equal(second.created, 1);
  assert.equal(second.duplicates, 1, 'now it is registered, as a second path of the same bytes');
  assert.equal(second.skipped, 0);
  assert.equal(second.unchanged, OTHERS + 1);
  assert.ok(fs.existsSync(path.join(ws.assets, 'b', 'broken.bin.asset.json')));
});

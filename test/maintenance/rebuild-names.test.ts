/**
 * File names a studio's folder can hold: spaces, `%`, `#`, `?`, newlines, non-Latin scripts and
 * names near the file system's 255-byte limit are registered with their sidecars; a name whose
 * sidecar cannot fit, or that is not UTF-8 (or whose folder's is not), is a problem that says what to do, and the rest of
 * the tree is registered all the same.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
const FITS = `${'f'.repeat(240)}.txt`; // 244 bytes: `<name>.asset.json` is exactly 255
const TOO_LONG = `${'g'.repeat(241)}.txt`; // 245 bytes
const ODD = ['with\nnewline.txt', '100% #1 ?.txt', 'été – 日本語.txt', FITS];
/** A temp file of an atomic write whose writer died (its pid is that of a process that exited). */
const deadPid = spawnSync('true').pid;
const STRAY = `.with\nnewline.txt.asset.json.${deadPid}.0000abcd.tmp`;

before(() => {
  ws = makeWorkspace('areg-names-');
  const names = path.join(ws.assets, 'names');
  for (const [i, name] of [...ODD, TOO_LONG, STRAY].entries())
    ws.file(`data/assets/names/${name}`, `file ${i}`);
  // caf<0xE9>.txt: a Latin-1 name, not UTF-8 (Node's paths can be bytes).
  fs.writeFileSync(
    Buffer.concat([Buffer.from(`${names}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]),
    'x',
  );
  // A folder so named: none of its files can be opened (they were left out without a word).
  const folder = Buffer.concat([Buffer.from(`${ws.assets}/caf`), Buffer.from([0xe9]), Buffer.from('-pack')]);
  fs.mkdirSync(folder);
  fs.writeFileSync(Buffer.concat([folder, Buffer.from('/inside.txt')]), 'y');
});
after(() => ws.cleanup());

interface Summary {
  created: number;
  unchanged: number;
  skipped: number;
  problems: Array<{ path: string; error: string }>;
}

test('odd names are registered with their sidecars; names that cannot be are problems that say why', async () => {
  const first = await runCli(['rebuild', '--no-wait-for-thumbs', '--json'], ws.dir);
  const summary = (first.json as { summary: Summary }).summary;
  assert.equal(first.code, 1, 'skipped files make the exit code 1');
  assert.equal(summary.created, ODD.length, first.stdout);
  for (const name of ODD) {
    const sidecar = JSON.parse(
      fs.readFileSync(path.join(ws.assets, 'names', `${name}.asset.json`), 'utf8'),
    ) as {
      path: string;
    };
    assert.equal(sidecar.path, `names/${name}`);
    assert.ok(fs.existsSync(path.join(ws.assets, '_meta', 'names', `${name}.json`)), `${name}'s mirror`);
  }
  assert.equal(summary.skipped, 3);
  const problems = new Map(summary.problems.map((p) => [p.path, p.error]));
  assert.match(problems.get(`names/${TOO_LONG}`) ?? '', /245 bytes.*shorten the name to at most 244 bytes/);
  assert.match(problems.get('names/caf\uFFFD.txt') ?? '', /not valid UTF-8.*rename it/);
  assert.match(
    problems.get('caf\uFFFD-pack') ?? '',
    /^this folder's name is not valid UTF-8 .*none of the files in it can be opened: rename it$/,
  );
  assert.ok(!fs.existsSync(path.join(ws.assets, 'names', STRAY)), "a dead writer's temp file is swept");
  assert.ok(!fs.existsSync(path.join(ws.assets, 'names', `${TOO_LONG}.asset.json`.slice(0, 255))));

  // Reported again on the next run, until renamed; the rest is unchanged.
  const second = (await runCli(['rebuild', '--no-wait-for-thumbs', '--json'], ws.dir)).json as {
    summary: Summary;
  };
  assert.equal(second.summary.unchanged, ODD.length);
  assert.equal(second.summary.skipped, 3);

  fs.renameSync(path.join(ws.assets, 'names', TOO_LONG), path.join(ws.assets, 'names', 'shorter.txt'));
  const third = (await runCli(['rebuild', '--no-wait-for-thumbs', '--json'], ws.dir)).json as {
    summary: Summary;
  };
  assert.equal(third.summary.created, 1);
  assert.deepEqual(
    third.summary.problems.map((p) => p.path),
    ['caf\uFFFD-pack', 'names/caf\uFFFD.txt'],
  );
});

/**
 * A folder under the assets root on another device (a drive mounted there; here a 1 MB tmpfs,
 * where this machine lets the tests mount one): a move into it copies the file, and one that
 * does not fit fails saying so, with nothing of it left there (no part of the file, which the
 * next rebuild registered as an asset of its own). Skipped where mounting is not allowed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, runCli } from '../helpers/server.js';
import { runScript } from '../helpers/killed-script.js';
import { mountSmallDisk, unmountSmallDisk } from '../helpers/small-disk.js';
import { listFiles, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let small: string;
let mounted = false;

before(() => {
  ws = makeWorkspace('areg-cross-device-');
  small = path.join(ws.assets, 'small');
  mounted = mountSmallDisk(small, '1m'); // (not allowed here: the tests skip)
});
after(() => {
  if (mounted) unmountSmallDisk(small);
  ws?.cleanup();
});

test('a move onto another device copies the file; one that does not fit fails and leaves nothing there', async (t) => {
  if (!mounted) return t.skip('cannot mount a small tmpfs here');
  const big = randomBytes(1536 * 1024);
  ws.file('data/assets/docs/a.txt', 'a small file');
  ws.file('data/assets/docs/big.bin', big);
  const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  const idOf = (rel: string): string => ws.json(`data/assets/${rel}.asset.json`).id as string;
  const [a, bigId] = [idOf('docs/a.txt'), idOf('docs/big.bin')];

  const moved = await runCli(['move', a, '--to', 'small', '--json'], ws.dir);
  assert.equal(moved.code, 0, moved.stderr);
  assert.equal(ws.read('data/assets/small/a.txt'), 'a small file');
  assert.equal(ws.exists('data/assets/docs/a.txt'), false);
  assert.equal(idOf('small/a.txt'), a);

  const refused = await runCli(['move', bigId, '--to', 'small', '--json'], ws.dir);
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stdout + refused.stderr, /no space left on device/i);
  assert.deepEqual(fs.readFileSync(path.join(ws.assets, 'docs/big.bin')), big, 'the file stays, whole');
  assert.equal(idOf('docs/big.bin'), bigId, 'with its sidecar');
  assert.deepEqual(listFiles(small).sort(), ['a.txt', 'a.txt.asset.json'], 'no part of it is left there');

  const again = await runCli(['rebuild', '--no-wait-for-thumbs', '--json'], ws.dir);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json.summary.created, 0, 'nothing new to register');
  assert.equal(again.json.summary.unchanged, 2);
});

test('a move onto another device killed mid-copy: no part of the file is left there, and the asset stays where its file is', async (t) => {
  if (!mounted) return t.skip('cannot mount a small tmpfs here');
  const mid = randomBytes(400 * 1024);
  ws.file('data/assets/docs/mid.bin', mid);
  const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  const id = ws.json('data/assets/docs/mid.bin.asset.json').id as string;
  // The copy writes half the file where it writes, then the process dies.
  ws.file(
    'crash.mts',
    `import fs from 'node:fs';
import { RegistryService } from ${JSON.stringify(path.join(REPO, 'src', 'registry', 'service.ts'))};
fs.copyFileSync = (from, to) => {
  const bytes = fs.readFileSync(from);
  fs.writeFileSync(to, bytes.subarray(0, bytes.length >> 1));
  process.kill(process.pid, 'SIGKILL');
};
const registry = RegistryService.open({}).project();
await registry.move(${JSON.stringify(id)}, 'small/mid.bin');
`,
  );
  const { signal, stderr } = await runScript(ws.dir, 'crash.mts', []);
  assert.equal(signal, 'SIGKILL', stderr);

  const again = await runCli(['rebuild', '--no-wait-for-thumbs', '--json'], ws.dir);
  assert.equal(again.code, 0, again.stderr);
  const got = await runCli(['get', id, '--json'], ws.dir);
  assert.equal((got.json as { asset: { path: string } }).asset.path, 'docs/mid.bin');
  assert.deepEqual(fs.readFileSync(path.join(ws.assets, 'docs/mid.bin')), mid);
  assert.equal(ws.json('data/assets/docs/mid.bin.asset.json').id, id);
  assert.equal(
    listFiles(small).some((f) => f.includes('mid.bin')),
    false,
    `no part of it: ${listFiles(small).join(', ')}`,
  );
  assert.equal(again.json.summary.created, 0);
});

test('a file registered by copy into a folder on another device: copied whole, registered, nothing left over', async (t) => {
  if (!mounted) return t.skip('cannot mount a small tmpfs here');
  const bytes = randomBytes(100 * 1024);
  ws.file('outside/new.bin', bytes);
  const registered = await runCli(
    ['register', 'outside/new.bin', '--dest', 'small/new.bin', '--json'],
    ws.dir,
  );
  assert.equal(registered.code, 0, registered.stderr);
  assert.deepEqual(fs.readFileSync(path.join(small, 'new.bin')), bytes);
  assert.equal(ws.json('data/assets/small/new.bin.asset.json').id, registered.json.asset.id);
  assert.equal(
    listFiles(small).some((f) => f.startsWith('.')),
    false,
    `no temp file: ${listFiles(small).join(', ')}`,
  );
  assert.deepEqual(
    listFiles(path.join(ws.assets, '.staging')).filter((f) => !f.startsWith('files.lock')),
    [],
  );
});

/**
 * What a process killed mid-write leaves (an import's file half unpacked, an upload half received,
 * a preview half written) is removed by the next rebuild; a live process's is left alone. The
 * kills are real: an import in a child process that dies as it would link its first file into
 * place, a server killed with an upload under way.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { REPO, runCli, startServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { makeZip } from '../helpers/zip.js';
import { runScript } from '../helpers/killed-script.js';

/** Every file and folder under `dir`, relative. */
const listAll = (dir: string): string[] =>
  fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => p.split(path.sep).join('/'));

let ws: Workspace;
beforeEach(() => (ws = makeWorkspace('areg-leftovers-')));
afterEach(() => ws?.cleanup());

async function rebuild(): Promise<{ created: number }> {
  const rebuilt = await runCli(['rebuild', '--no-wait-for-thumbs', '--json'], ws.dir);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  return (rebuilt.json as { summary: { created: number } }).summary;
}

test('an import killed while it unpacks: the file it was unpacking is removed by the next rebuild, not kept hidden', async () => {
  ws.file('pack.zip', await makeZip([['sounds/long.bin', Buffer.alloc(4 << 20, 7)]]));
  ws.file(
    'import.mts',
    `import fs from 'node:fs';
import { RegistryService } from ${JSON.stringify(path.join(REPO, 'src', 'registry', 'service.ts'))};
import { importZip } from ${JSON.stringify(path.join(REPO, 'src', 'registry', 'import.ts'))};
// Dies as the first unpacked file would be linked into place: its temp file is there, whole.
fs.linkSync = () => process.kill(process.pid, 'SIGKILL');
await importZip(RegistryService.open({}).project(), 'pack.zip', 'packs');
`,
  );
  const { signal, stderr } = await runScript(ws.dir, 'import.mts', []);
  assert.equal(signal, 'SIGKILL', stderr);
  const left = listAll(path.join(ws.assets, 'packs/sounds'));
  assert.equal(left.length, 1, `the temp file of the unpacked entry: ${left.join(', ')}`);
  assert.match(left[0] as string, /^\.long\.bin\.\d+\.[0-9a-f]{8}\.tmp$/);

  assert.equal((await rebuild()).created, 0, 'a temp file is no asset');
  assert.deepEqual(listAll(path.join(ws.assets, 'packs/sounds')), []);
});

test('a server killed while an upload comes in: its staging folder is removed by the next rebuild', async () => {
  const server = await startServer(ws.dir);
  const staging = path.join(ws.assets, '.staging');
  const uploads = (): string[] =>
    fs.existsSync(staging) ? fs.readdirSync(staging).filter((n) => n.startsWith('upload-')) : [];
  const boundary = 'leftover-boundary';
  const request = http.request(`${server.url}/api/assets/upload`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  request.on('error', () => undefined); // (the server dies under it)
  request.write(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  request.write(Buffer.alloc(1 << 20, 1)); // half of it, and no end yet
  const deadline = Date.now() + 10_000;
  while (!uploads().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(uploads().length, 1, 'the upload is being received into its staging folder');
  server.proc.kill('SIGKILL');
  await new Promise((resolve) => server.proc.once('exit', resolve));
  request.destroy();
  fs.rmSync(path.join(staging, 'files.lock'), { recursive: true, force: true }); // (stale: taken over after 10 s)

  await rebuild();
  assert.deepEqual(uploads(), [], 'the half-received upload is gone');
});

test("temp files of dead processes are removed from the staging folder and the preview cache; a live process's stay", async () => {
  const dead = spawnSync('true').pid;
  const live = process.pid;
  const names = (pid: number): string[] => [
    `.staging/upload-${pid}-0123456789abcdef/big.png`,
    `.staging/import-${pid}-0123456789abcdef/pack.zip`,
    `.staging/poster-${pid}-0123456789abcdef.img`,
    `.staging/${pid}-0123456789abcdef.part`,
    `_meta/art/.a.png.json.${pid}.0000abcd.tmp`,
    `art/.b.png.asset.json.${pid}.0000abcd.tmp`,
  ];
  for (const rel of [...names(dead), ...names(live)]) ws.file(`data/assets/${rel}`, 'partial');
  // A user's folder named like an upload's staging folder is theirs, and so is its mirror.
  const named = `art/upload-${dead}-0123456789abcdef/sky.png`;
  ws.file(`data/assets/${named}`, 'not really a png');
  const thumb = (pid: number): string => `cache/thumbs/.0123456789abcdef_256.webp.${pid}.0000abcd.tmp`;
  ws.file(thumb(dead), 'partial');
  ws.file(thumb(live), 'partial');

  await rebuild();
  for (const rel of names(dead))
    assert.equal(fs.existsSync(path.join(ws.assets, rel)), false, `${rel} is removed`);
  for (const rel of names(live)) assert.equal(fs.existsSync(path.join(ws.assets, rel)), true, `${rel} stays`);
  assert.equal(ws.exists(thumb(dead)), false, 'the dead writer’s preview temp is removed');
  assert.equal(ws.exists(thumb(live)), true);
  assert.equal(ws.exists(`data/assets/${named}`), true);
  assert.equal(ws.exists(`data/assets/_meta/${named}.json`), true, 'its mirror is kept');
  assert.equal((await rebuild()).created, 0, 'and it is not registered again');
});

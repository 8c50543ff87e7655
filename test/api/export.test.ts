/**
 * Downloading assets as one zip (POST /api/assets/export, then its link) and the CLI's `export`:
 * the archive is read back with a zip reader and compared with the files and sidecars on disk.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gltfCube, makeImage, makeWav, toneWithBurst } from '../helpers/media.js';
import { api, registerInPlace, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { assertErrorEnvelope } from '../helpers/contract.js';
import { eventually } from '../helpers/eventually.js';
import { openStream, type SseFrame } from '../helpers/sse.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { makeZip, unzip } from '../helpers/zip.js';

let ws: Workspace;
let server: RunningServer;
let url: string;

const registered = (rel: string, bytes: Buffer | string, tags: string[] = []): Promise<string> =>
  registerInPlace(url, ws, rel, bytes, { tags });

const assetFile = (rel: string): string => path.join(ws.assets, rel);

/** Prepares an export and downloads it: the answer, the response and the archive's entries. */
async function exported(ids: string[], body: Record<string, unknown> = {}) {
  const prepared = await api(url, 'POST', '/api/assets/export', { ids, ...body });
  assert.equal(prepared.status, 200, prepared.text);
  const res = await fetch(url + prepared.body.url);
  assert.equal(res.status, 200);
  const zip = Buffer.from(await res.arrayBuffer());
  return { answer: prepared.body, res, zip, entries: await unzip(zip) };
}

before(async () => {
  ws = makeWorkspace('areg-export-');
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('POST /api/assets/export and its link', () => {
  test('the files at their paths, byte for byte, with their sidecars as on disk (hand edits kept)', async () => {
    const png = await makeImage(320, 200, 'png');
    const wav = makeWav(toneWithBurst(1, 8000, 1), 8000, 16);
    const hero = await registered('packs/forest/hero.png', png, ['hero']);
    const theme = await registered('packs/forest/music/theme.wav', wav);
    const notes = await registered('packs/forest/notes — ünïcode.txt', 'Forest pack: CC0.\n');
    // A tag added by hand to a sidecar: the archive has it, as a rebuild there would read it.
    const sidecarFile = assetFile('packs/forest/hero.png.asset.json');
    const doc = JSON.parse(fs.readFileSync(sidecarFile, 'utf8'));
    doc.meta.tags.push('by-hand');
    fs.writeFileSync(sidecarFile, JSON.stringify(doc, null, 2));

    const { answer, res, zip, entries } = await exported([hero, theme, notes, hero]);
    assert.equal(answer.files, 3);
    assert.equal(answer.bytes, png.length + wav.length + Buffer.byteLength('Forest pack: CC0.\n'));
    assert.deepEqual([answer.unknown, answer.missing, answer.sidecars], [[], [], true]);
    assert.equal(answer.name, 'forest.zip', 'named after the folder they share');
    assert.match(answer.url, /^\/api\/assets\/export\/[0-9a-f]{32}$/);
    assert.ok(Date.parse(answer.expires_at) > Date.now() + 14 * 60_000);

    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.equal(res.headers.get('content-length'), String(zip.length), 'the size is known up front');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="forest\.zip"/);
    const names = [...entries.keys()];
    assert.deepEqual(names, [
      'packs/forest/hero.png',
      'packs/forest/hero.png.asset.json',
      'packs/forest/music/theme.wav',
      'packs/forest/music/theme.wav.asset.json',
      'packs/forest/notes — ünïcode.txt',
      'packs/forest/notes — ünïcode.txt.asset.json',
    ]);
    for (const name of names)
      assert.deepEqual(entries.get(name)!.bytes, fs.readFileSync(assetFile(name)), name);
    assert.ok(
      JSON.parse(entries.get('packs/forest/hero.png.asset.json')!.bytes.toString()).meta.tags.includes(
        'by-hand',
      ),
    );
    // The file's time (zip times are in 2-second steps).
    const mtime = fs.statSync(assetFile('packs/forest/hero.png')).mtime.getTime();
    assert.ok(Math.abs(entries.get('packs/forest/hero.png')!.mtime.getTime() - mtime) <= 2000);
  });

  test('without sidecars; unknown ids and files gone from disk are listed and left out; a link out is not followed', async () => {
    const kept = await registered('ui/ok.png', await makeImage(16, 16, 'png'));
    const gone = await registered('ui/gone.png', await makeImage(17, 16, 'png'));
    const linked = await registered('ui/linked.txt', 'was a file');
    fs.rmSync(assetFile('ui/gone.png'));
    const secret = ws.file('secret.txt', 'outside the assets root');
    fs.rmSync(assetFile('ui/linked.txt'));
    fs.symlinkSync(secret, assetFile('ui/linked.txt'));

    const { answer, entries } = await exported([kept, gone, linked, 'ffffffffffffffff'], { sidecars: false });
    assert.equal(answer.files, 1);
    assert.equal(answer.sidecars, false);
    assert.deepEqual(answer.unknown, ['ffffffffffffffff']);
    assert.deepEqual(answer.missing, [
      { id: gone, path: 'ui/gone.png' },
      { id: linked, path: 'ui/linked.txt' },
    ]);
    assert.deepEqual([...entries.keys()], ['ui/ok.png']);

    const none = await api(url, 'POST', '/api/assets/export', { ids: [gone, linked] });
    assert.equal(none.status, 404, none.text);
    assertErrorEnvelope(none.body, 404, 'nothing_to_export');
    assert.match(
      none.body.message,
      /None of the files is on disk \(ui\/gone\.png, ui\/linked\.txt\): put them back/,
    );
    const unknown = await api(url, 'POST', '/api/assets/export', { ids: ['0000000000000000'] });
    assert.equal(unknown.status, 404, unknown.text);
    assert.match(unknown.body.message, /None of the 1 ids is an asset of project default/);
  });

  test('a model comes with the files it names: an asset with its sidecar, another file alone; not the missing', async () => {
    const ship = gltfCube({
      bufferUri: 'ship.bin',
      images: ['maps/paint.png', 'maps/lost.png', '../../outside.png'],
    });
    const paint = await makeImage(8, 8, 'png');
    ws.file('data/assets/models/ship/ship.bin', ship.bin);
    ws.file('data/assets/models/ship/maps/paint.png', paint); // on disk, not registered
    ws.file('data/assets/outside.png', paint);
    const model = await registered('models/ship/ship.gltf', JSON.stringify(ship.json));
    await registered('models/ship/ship.bin', ship.bin);

    const { answer, entries } = await exported([model]);
    // (Above the model's folder too: the zip keeps paths, so it is found there when unpacked.)
    assert.deepEqual(answer.resources, ['models/ship/ship.bin', 'models/ship/maps/paint.png', 'outside.png']);
    assert.equal(answer.files, 4);
    assert.deepEqual([...entries.keys()].sort(), [
      'models/ship/maps/paint.png',
      'models/ship/ship.bin',
      'models/ship/ship.bin.asset.json',
      'models/ship/ship.gltf',
      'models/ship/ship.gltf.asset.json',
      'outside.png',
    ]);
    assert.deepEqual(entries.get('models/ship/ship.bin')!.bytes, ship.bin);
    assert.deepEqual(entries.get('models/ship/maps/paint.png')!.bytes, paint);

    // The CLI's export too; its buffer asked for as well: once.
    const bin = (await api(url, 'GET', '/api/assets/search?q=models/ship/ship.bin')).body.items[0].id;
    const out = path.join(ws.dir, 'ship.zip');
    const cli = await runCli(['export', model, bin, '--out', out], ws.dir);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      [cli.json.files, cli.json.resources],
      [4, ['models/ship/maps/paint.png', 'outside.png']],
    );
    assert.equal((await unzip(fs.readFileSync(out))).size, 6);
  });

  test('a sidecar gone or broken on disk is sent as the registry writes it', async () => {
    const id = await registered('fx/spark.png', await makeImage(18, 16, 'png'), ['spark']);
    fs.writeFileSync(assetFile('fx/spark.png.asset.json'), '{ broken');
    const { entries } = await exported([id]);
    const sent = JSON.parse(entries.get('fx/spark.png.asset.json')!.bytes.toString());
    const asset = (await api(url, 'GET', `/api/assets/${id}`)).body.asset;
    assert.deepEqual(
      [sent.id, sent.path, sent.hash, sent.tags],
      [id, 'fx/spark.png', asset.hash, asset.tags],
    );
    assert.ok(asset.tags.includes('spark'));
  });

  test('the link holds the ids, not the bytes: a file changed after it was made is sent as it is now', async () => {
    const id = await registered('text/changing.txt', 'first version');
    const prepared = await api(url, 'POST', '/api/assets/export', { ids: [id], sidecars: false });
    fs.writeFileSync(assetFile('text/changing.txt'), 'second, longer version');
    const res = await fetch(url + prepared.body.url);
    const entries = await unzip(Buffer.from(await res.arrayBuffer()));
    assert.equal(entries.get('text/changing.txt')!.bytes.toString(), 'second, longer version');
    // Fetched again: the link lasts.
    assert.equal((await fetch(url + prepared.body.url)).status, 200);
  });

  test('a file deleted after the link was made refuses the download (409), not a zip without it', async () => {
    // (It was left out without a word: a pack shared as whole that was not.)
    const kept = await registered('pack/kept.txt', 'kept');
    const gone = await registered('pack/gone.txt', 'gone soon');
    const prepared = await api(url, 'POST', '/api/assets/export', { ids: [kept, gone] });
    assert.equal(prepared.body.files, 2);
    fs.rmSync(assetFile('pack/gone.txt'));
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(url + prepared.body.url, { method });
      assert.equal(res.status, 409, method);
      if (method === 'GET') {
        const body = await res.json();
        assertErrorEnvelope(body, 409, 'export_changed');
        assert.match(
          body.message,
          /^pack\/gone\.txt left the disk or the registry since this download was prepared/,
        );
      }
    }
    // Prepared again: listed as missing, and the rest downloads.
    const { answer, entries } = await exported([kept, gone], { sidecars: false });
    assert.deepEqual(answer.missing, [{ id: gone, path: 'pack/gone.txt' }]);
    assert.deepEqual([...entries.keys()], ['pack/kept.txt']);
  });

  test('hundreds of assets: the size announced is the size sent (a central directory over 64 KB)', async () => {
    const folder = `many/${'a-long-folder-name-'.repeat(4)}`;
    for (let i = 0; i < 300; i++)
      ws.file(`data/assets/${folder}/item-${String(i).padStart(4, '0')}.txt`, `item ${i}`);
    const rebuilt = await api(url, 'POST', '/api/assets/rebuild', {});
    assert.equal(rebuilt.status, 200, rebuilt.text);
    const { ids } = (await api(url, 'GET', `/api/assets/ids?folder=${encodeURIComponent(folder)}`)).body;
    assert.equal(ids.length, 300);
    const { res, zip, entries } = await exported(ids);
    assert.equal(zip.length, Number(res.headers.get('content-length')));
    assert.equal(entries.size, 600);
    assert.equal(entries.get(`${folder}/item-0299.txt`)!.bytes.toString(), 'item 299');
  });

  test('a sidecar the registry rewrites while the zip is being sent is sent as it was: the download completes', async () => {
    const big = await registered('race/big.bin', Buffer.alloc(32 * 1024 * 1024, 7));
    const small = await registered('race/small.txt', 'small');
    const prepared = await api(url, 'POST', '/api/assets/export', { ids: [big, small] });
    const res = await fetch(url + prepared.body.url);
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [(await reader.read()).value!];
    // The big file is still being sent (the socket is full): the small one's sidecar changes now.
    const patched = await api(url, 'PATCH', `/api/assets/${small}`, { metadata: { notes: 'n'.repeat(500) } });
    assert.equal(patched.status, 200, patched.text);
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    const zip = Buffer.concat(chunks);
    assert.equal(zip.length, Number(res.headers.get('content-length')));
    const entries = await unzip(zip);
    assert.equal(entries.get('race/big.bin')!.bytes.length, 32 * 1024 * 1024);
    const sent = JSON.parse(entries.get('race/small.txt.asset.json')!.bytes.toString());
    assert.equal(sent.meta.notes, undefined, 'the sidecar as it was when the download began');
    assert.equal(
      JSON.parse(fs.readFileSync(assetFile('race/small.txt.asset.json'), 'utf8')).meta.notes.length,
      500,
    );
  });

  test('a download given up half-way, or a HEAD, leaves no file open on the server', async () => {
    const big = await registered('abort/big.bin', Buffer.alloc(16 * 1024 * 1024, 5));
    const prepared = await api(url, 'POST', '/api/assets/export', { ids: [big], sidecars: false });
    const openOnServer = (): number =>
      fs.readdirSync(`/proc/${server.proc.pid}/fd`).filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/${server.proc.pid}/fd/${fd}`).endsWith('abort/big.bin');
        } catch {
          return false; // closed meanwhile
        }
      }).length;
    for (let i = 0; i < 3; i++) {
      const abort = new AbortController();
      const res = await fetch(url + prepared.body.url, { signal: abort.signal });
      await res.body!.getReader().read();
      abort.abort();
    }
    await eventually('the aborted downloads to close their file', () => openOnServer() === 0);
    // A HEAD: the length a GET sends, nothing read, nothing left open.
    const head = await fetch(url + prepared.body.url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const full = await fetch(url + prepared.body.url);
    assert.equal(head.headers.get('content-length'), full.headers.get('content-length'));
    assert.equal(Number(head.headers.get('content-length')), (await full.arrayBuffer()).byteLength);
    await eventually('the HEAD to leave no file open', () => openOnServer() === 0);
  });

  test('bad requests: no ids, a malformed or unknown link', async () => {
    const empty = await api(url, 'POST', '/api/assets/export', { ids: [] });
    assert.equal(empty.status, 422, empty.text);
    assertErrorEnvelope(empty.body, 422);
    const malformed = await api(url, 'GET', '/api/assets/export/not-a-token');
    assert.ok(malformed.status === 400 || malformed.status === 422, malformed.text);
    assertErrorEnvelope(malformed.body, malformed.status);
    const unknown = await api(url, 'GET', `/api/assets/export/${'ab'.repeat(16)}`);
    assert.equal(unknown.status, 404, unknown.text);
    assertErrorEnvelope(unknown.body, 404, 'export_expired');
    assert.match(unknown.body.message, /prepare the download again/);
  });
});

describe('many ids in one request', () => {
  test('100,000 ids fit in one bulk edit, removal, move, export or requeue (the studio sends a whole selection)', async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => i.toString(16).padStart(16, '0'));
    // Requeuing refuses unknown ids: the same picture 100,000 times over for it and the bulk edit.
    const one = await registered('many/one.png', await makeImage(19, 16, 'png'));
    const bulk = await api(url, 'POST', '/api/assets/bulk', { ids: ids.map(() => one), add_tags: ['many'] });
    assert.equal(bulk.status, 200, bulk.text.slice(0, 300));
    assert.ok((await api(url, 'GET', `/api/assets/${one}`)).body.asset.tags.includes('many'));
    const remove = await api(url, 'POST', '/api/assets/remove', { ids });
    assert.equal(remove.status, 200, remove.text.slice(0, 300));
    assert.equal(remove.body.missing.length, 100_000);
    const move = await api(url, 'POST', '/api/assets/move', { ids, folder: 'elsewhere' });
    assert.equal(move.status, 200, move.text.slice(0, 300));
    const exported = await api(url, 'POST', '/api/assets/export', { ids });
    assert.equal(exported.status, 404, exported.text.slice(0, 300));
    assert.match(exported.body.message, /None of the 100000 ids is an asset/);
    const requeue = await api(url, 'POST', '/api/previews/requeue', { ids: ids.map(() => one) });
    assert.equal(requeue.status, 200, requeue.text.slice(0, 300));
    // One more is a 422 naming the limit, not a 413.
    const over = await api(url, 'POST', '/api/assets/export', { ids: [...ids, 'f'.repeat(16)] });
    assert.equal(over.status, 422, over.text.slice(0, 300));
    assert.match(over.body.message, /body\/ids must NOT have more than 100000 items/);
  });
});

describe('asset-registry export', () => {
  test('a folder into a zip, never over an existing file unless --force; what is missing makes exit 1', async () => {
    const a = await registered('cli/a.txt', 'alpha');
    await registered('cli/sub/b.txt', 'beta', ['second']);
    const out = path.join(ws.dir, 'cli.zip');
    const first = await runCli(['export', '--folder', 'cli', '--out', out, '--json'], ws.dir);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.json.files, 2);
    assert.equal(first.json.zip_bytes, fs.statSync(out).size);
    const names = [...(await unzip(fs.readFileSync(out))).keys()].sort();
    assert.deepEqual(names, [
      'cli/a.txt',
      'cli/a.txt.asset.json',
      'cli/sub/b.txt',
      'cli/sub/b.txt.asset.json',
    ]);

    const again = await runCli(['export', a, '--out', out, '--json'], ws.dir);
    assert.equal(again.code, 4, again.stdout);
    assert.equal(again.json.code, 'file_exists');
    assert.equal(fs.statSync(out).size, first.json.zip_bytes, 'the existing zip is untouched');

    const forced = await runCli(
      ['export', 'cli/a.txt', 'nope', '--no-sidecars', '--force', '--out', out, '--json'],
      ws.dir,
    );
    assert.equal(forced.code, 1, forced.stderr);
    assert.deepEqual(forced.json.unknown, ['nope']);
    assert.deepEqual([...(await unzip(fs.readFileSync(out))).keys()], ['cli/a.txt']);
    assert.deepEqual(
      fs.readdirSync(ws.dir).filter((f) => f.includes('partial')),
      [],
      'no partial file left',
    );

    // Search's filters choose too.
    const tagged = path.join(ws.dir, 'tagged.zip');
    const byTag = await runCli(
      ['export', '--tag', 'second', '--folder', 'cli', '--out', tagged, '--json'],
      ws.dir,
    );
    assert.equal(byTag.code, 0, byTag.stderr);
    assert.deepEqual(
      [...(await unzip(fs.readFileSync(tagged))).keys()],
      ['cli/sub/b.txt', 'cli/sub/b.txt.asset.json'],
    );

    const nothing = await runCli(['export', '--out', path.join(ws.dir, 'none.zip'), '--json'], ws.dir);
    assert.equal(nothing.code, 2);
    assert.match(nothing.json.message, /Say what to export/);
  });
});

async function importInto(base: string, zip: Buffer, dest?: string, wait?: string) {
  const form = new FormData();
  if (dest !== undefined) form.append('dest', dest);
  if (wait !== undefined) form.append('wait', wait);
  form.append('file', new Blob([new Uint8Array(zip)]), 'pack.zip');
  const res = await fetch(`${base}/api/assets/import`, { method: 'POST', body: form });
  return { status: res.status, body: await res.json() };
}

describe('POST /api/assets/import, asset-registry import', () => {
  test('an export imported into another project: the same ids, metadata (hand edits too) and bytes; nothing overwritten on a second import', async () => {
    const hero = await registered('trip/hero.png', await makeImage(40, 30, 'png'), ['hero']);
    const notes = await registered('trip/text/notes.txt', 'notes', ['doc']);
    // A tag added by hand where a user sees the tags: the sidecar's top-level list.
    const doc = JSON.parse(fs.readFileSync(assetFile('trip/hero.png.asset.json'), 'utf8'));
    doc.tags.push('by-hand');
    fs.writeFileSync(assetFile('trip/hero.png.asset.json'), JSON.stringify(doc, null, 2));
    const { zip } = await exported([hero, notes]);

    const other = makeWorkspace('areg-import-');
    const served = await startServer(other.dir);
    try {
      const first = await importInto(served.url, zip, 'from-a');
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(
        first.body.imported.map((a: { id: string; path: string }) => [a.id, a.path]).sort(),
        [
          [hero, 'from-a/trip/hero.png'],
          [notes, 'from-a/trip/text/notes.txt'],
        ].sort(),
      );
      assert.deepEqual([first.body.existing, first.body.skipped], [[], []]);
      const got = (await api(served.url, 'GET', `/api/assets/${hero}`)).body.asset;
      assert.equal(got.path, 'from-a/trip/hero.png');
      assert.ok(got.tags.includes('hero') && got.tags.includes('by-hand'), got.tags.join());
      assert.deepEqual(
        fs.readFileSync(path.join(other.assets, 'from-a/trip/hero.png')),
        fs.readFileSync(assetFile('trip/hero.png')),
      );

      // Changed there since: a second import leaves it as it is.
      fs.writeFileSync(path.join(other.assets, 'from-a/trip/text/notes.txt'), 'edited there');
      const second = await importInto(served.url, zip, 'from-a');
      assert.equal(second.status, 200, JSON.stringify(second.body));
      assert.deepEqual(second.body.imported, []);
      assert.deepEqual(second.body.existing.sort(), ['from-a/trip/hero.png', 'from-a/trip/text/notes.txt']);
      assert.equal(
        fs.readFileSync(path.join(other.assets, 'from-a/trip/text/notes.txt'), 'utf8'),
        'edited there',
      );

      // The CLI, into the top of the root.
      const file = other.file('pack.zip', zip);
      const cli = await runCli(['import', file, '--json'], other.dir);
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal(cli.json.imported.length, 2);
      assert.ok(fs.existsSync(path.join(other.assets, 'trip/text/notes.txt')));
    } finally {
      await served.stop();
      other.cleanup();
    }
  });

  test('an import is undone: the files it wrote go to the trash (not one moved since); a redo brings them back', async () => {
    const zip = await makeZip([
      ['pack/a.txt', 'a bytes'],
      ['pack/b.txt', 'b bytes'],
      ['pack/c.txt', 'c bytes'],
    ]);
    const done = await importInto(url, zip, 'wrong-place');
    assert.equal(done.status, 200, JSON.stringify(done.body));
    const changeId = done.body.change_id as number;
    const [change] = (await api(url, 'GET', '/api/changes?limit=1')).body.items;
    assert.deepEqual(
      [change.id, change.kind, change.summary, change.assets, change.undoable],
      [changeId, 'import', 'Import pack.zip into wrong-place', 3, true],
    );
    const id = (rel: string): string =>
      done.body.imported.find((a: { path: string }) => a.path === `wrong-place/${rel}`).id;
    const moved = await api(url, 'POST', `/api/assets/${id('pack/c.txt')}/move`, { path: 'kept/c.txt' });
    assert.equal(moved.status, 200, moved.text);

    const undone = await api(url, 'POST', `/api/changes/${changeId}/undo`, {});
    assert.equal(undone.status, 200, undone.text);
    assert.deepEqual(
      [undone.body.updated, undone.body.changed_since, undone.body.failed],
      [2, [id('pack/c.txt')], []],
    );
    for (const rel of ['pack/a.txt', 'pack/b.txt']) {
      assert.equal((await api(url, 'GET', `/api/assets/${id(rel)}`)).status, 404);
      assert.equal(fs.existsSync(path.join(ws.assets, 'wrong-place', rel)), false, `${rel} left its folder`);
    }
    assert.equal(fs.readFileSync(path.join(ws.assets, 'kept/c.txt'), 'utf8'), 'c bytes', 'moved since: kept');
    const trash = (await api(url, 'GET', '/api/trash')).body;
    const batch = trash.batches.find((b: { change_id: number }) => b.change_id === undone.body.change_id);
    assert.deepEqual([batch?.files, batch?.bytes], [2, 'a bytes'.length + 'b bytes'.length]);

    const redone = await api(url, 'POST', `/api/changes/${undone.body.change_id}/undo`, {});
    assert.equal(redone.status, 200, redone.text);
    assert.equal(redone.body.updated, 2);
    const back = (await api(url, 'GET', `/api/assets/${id('pack/a.txt')}`)).body.asset;
    assert.equal(back.path, 'wrong-place/pack/a.txt');
    assert.equal(fs.readFileSync(path.join(ws.assets, 'wrong-place/pack/a.txt'), 'utf8'), 'a bytes');
  });

  test('hidden files, OS junk and _meta are left out; a name leading out of the root, or a file that is no zip, refuses it all', async () => {
    fs.mkdirSync(assetFile('junk'), { recursive: true });
    fs.writeFileSync(assetFile('junk/blocked'), 'a file where the archive has a folder');
    const junk = await makeZip([
      ['pack/ok.txt', 'ok'],
      ['pack/lonely.txt.asset.json', '{}'],
      ['blocked/inner.txt', 'cannot go under a file'],
      ['pack/.hidden', 'h'],
      ['pack/Thumbs.db', 't'],
      ['_meta/pack/ok.txt.json', '{}'],
    ]);
    const res = await importInto(url, junk, 'junk');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.imported.map((a: { path: string }) => a.path),
      ['junk/pack/ok.txt'],
    );
    const reasons = Object.fromEntries(
      res.body.skipped.map((s: { name: string; reason: string }) => [s.name, s.reason]),
    );
    assert.deepEqual(Object.keys(reasons).sort(), [
      '_meta/pack/ok.txt.json',
      'blocked/inner.txt',
      'pack/.hidden',
      'pack/Thumbs.db',
      'pack/lonely.txt.asset.json',
    ]);
    assert.equal(reasons['_meta/pack/ok.txt.json'], "the registry's own _meta folder");
    assert.equal(reasons['pack/.hidden'], 'a hidden or system file');
    assert.equal(reasons['pack/lonely.txt.asset.json'], 'a sidecar without its file');
    assert.match(reasons['blocked/inner.txt'], /^not written: /);
    assert.ok(!fs.existsSync(assetFile('junk/pack/.hidden')));

    const escaping = await makeZip(
      [
        ['aa/first.txt', 'would be written first'],
        ['xx/escape.txt', 'out'],
      ],
      ['xx/', '../'],
    );
    const refused = await importInto(url, escaping, 'evil');
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assertErrorEnvelope(refused.body, 400);
    assert.match(refused.body.message, /cannot be imported: .*\.\.\/escape\.txt.*Nothing was written/);
    assert.ok(!fs.existsSync(assetFile('evil')), 'nothing written, not even the first entry');
    assert.ok(!fs.existsSync(path.join(ws.dir, 'data', 'escape.txt')));

    const outside = await importInto(url, junk, '../elsewhere');
    assert.equal(outside.status, 400, JSON.stringify(outside.body));
    assertErrorEnvelope(outside.body, 400);
    assert.match(outside.body.message, /dest/);
    assert.ok(!fs.existsSync(path.join(ws.dir, 'data', 'elsewhere')));

    // A destination at a file, or under one, can hold nothing (each entry was left out, 200).
    for (const [dest, message] of [
      ['junk/blocked', /^dest junk\/blocked is a file, not a folder/],
      ['junk/blocked/sub', /^dest leads through .*junk\/blocked, a file, not a folder/],
    ] as const) {
      const atFile = await importInto(url, junk, dest);
      assert.equal(atFile.status, 400, JSON.stringify(atFile.body));
      assertErrorEnvelope(atFile.body, 400);
      assert.equal(atFile.body.code, 'not_a_folder');
      assert.match(atFile.body.message, message);
    }
    assert.equal(fs.readFileSync(assetFile('junk/blocked'), 'utf8'), 'a file where the archive has a folder');

    const notZip = await importInto(url, Buffer.from('just text'), 'x');
    assert.equal(notZip.status, 400, JSON.stringify(notZip.body));
    assert.match(notZip.body.message, /not a readable zip archive/);
  });

  test('wait=false: a 202 and a job that ends having registered every file, with its report; the upload is cleared', async () => {
    const entries: Array<[string, string]> = Array.from({ length: 30 }, (_, i) => [
      `batch/item-${String(i).padStart(2, '0')}.txt`,
      `item ${i}`,
    ]);
    const stream = await openStream(url);
    const started = await importInto(url, await makeZip(entries), 'queued', 'false');
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.status_url, `/api/jobs/${started.body.job_id}`);
    const phases = new Set<string>();
    const job = await eventually('the import job done', async () => {
      const res = await api(url, 'GET', started.body.status_url);
      assert.equal(res.status, 200, res.text);
      phases.add(res.body.job.progress.phase);
      return res.body.job.status === 'running' ? undefined : res.body.job;
    });
    assert.equal(job.kind, 'import');
    assert.equal(job.status, 'done', job.error);
    assert.equal(typeof job.summary.change_id, 'number', 'undoable');
    assert.deepEqual(job.progress, { phase: 'registering', files_done: 30, files_total: 30 });
    assert.ok(phases.has('registering'));
    // On the hook stream: its progress (a quarter second apart at most), then its end with counts.
    const ofJob = (frames: SseFrame[]) =>
      frames.filter((f) => f.event === 'import_progress' && f.data.data.job_id === started.body.job_id);
    const events = ofJob(
      await stream.until((frames) => ofJob(frames).some((f) => f.data.data.status === 'done')),
    );
    await stream.close();
    const end = events.at(-1)?.data.data;
    assert.deepEqual(
      [end?.status, end?.phase, end?.files_done, end?.summary],
      [
        'done',
        'registering',
        30,
        { imported: 30, existing: 0, skipped: 0, change_id: job.summary.change_id },
      ],
    );
    assert.ok(
      events.length >= 2 && events.length < 15,
      `${events.length} events for 30 files and two phases`,
    );
    assert.deepEqual(
      job.summary.imported.map((a: { path: string }) => a.path).sort(),
      entries.map(([name]) => `queued/${name}`),
    );
    assert.equal(
      (await api(url, 'GET', '/api/assets/search?folder=queued&limit=1')).body.total,
      entries.length,
    );
    // The uploaded archive is gone from the staging folder once the job has ended.
    const staging = path.join(ws.assets, '.staging');
    assert.deepEqual(
      fs.existsSync(staging) ? fs.readdirSync(staging).filter((n) => n.startsWith('import-')) : [],
      [],
    );

    // A file that is no zip: the job fails saying why; a wait that is neither: a 400 at once.
    const broken = await importInto(url, Buffer.from('just text'), 'x', 'false');
    assert.equal(broken.status, 202);
    const failed = await eventually('the broken import failed', async () => {
      const res = await api(url, 'GET', broken.body.status_url);
      return res.body.job.status === 'running' ? undefined : res.body.job;
    });
    assert.equal(failed.status, 'failed');
    assert.match(failed.error, /not a readable zip archive/);
    const unclear = await importInto(url, await makeZip(entries), 'x', 'later');
    assert.equal(unclear.status, 400, JSON.stringify(unclear.body));
    assertErrorEnvelope(unclear.body, 400);
    assert.match(unclear.body.message, /wait must be "true" or "false"; got "later"/);
  });
});

/**
 * `GET /api/assets/{id}/similar` over real pictures the preview queue fingerprinted: a retouched
 * copy and an exact copy found, other pictures not; the fingerprint follows a file
 * replaced by another picture; pictures previewed before fingerprints existed (their column
 * emptied in the database file) are fingerprinted from their thumbnails after a restart, without
 * their previews being made again; and bad requests are clear 4xx.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { assertErrorEnvelope } from '../helpers/contract.js';
import { eventually } from '../helpers/eventually.js';
import { lookAlikes, makeScene, makeWav, toneWithBurst } from '../helpers/media.js';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
const ids: Record<string, string> = {};

interface Similar {
  uid: string;
  path: string;
  distance: number;
  same_bytes: boolean;
}

async function similar(id: string, query = ''): Promise<{ total: number; items: Similar[] }> {
  const res = await api(server.url, 'GET', `/api/assets/${id}/similar${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  const { scene, retouched, other } = await lookAlikes();
  const files: Array<[string, string, Buffer]> = [
    ['hero', 'art/hero.png', scene],
    ['copy', 'backup/hero-copy.png', scene],
    ['small', 'exports/hero-small.jpg', retouched],
    ['forest', 'art/forest.png', other],
    ['blip', 'audio/blip.wav', makeWav(toneWithBurst(0.3, 8000, 1, 0.1), 8000, 16)],
  ];
  // Registered by a rebuild: a registration of the same bytes at a second path answers with the
  // asset already holding them, while a rebuild lists every path.
  for (const [, rel, bytes] of files) ws.file(`data/assets/${rel}`, bytes);
  const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
  assert.equal(rebuilt.status, 200, rebuilt.text);
  const listed = await api(server.url, 'GET', '/api/assets/search?limit=50');
  const byPath = new Map(listed.body.items.map((a: { path: string; uid: string }) => [a.path, a.uid]));
  for (const [name, rel] of files) ids[name] = byPath.get(rel) as string;
  assert.equal(new Set(Object.values(ids)).size, files.length);
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('similar pictures', () => {
  test('retouched and exact copies are found, nearest first; other pictures are not', async () => {
    const found = await similar(ids.hero as string);
    assert.deepEqual(
      found.items.map((i) => [i.path, i.same_bytes]),
      [
        ['backup/hero-copy.png', true],
        ['exports/hero-small.jpg', false],
      ],
    );
    assert.equal(found.total, 2);
    assert.equal(found.items[0]?.distance, 0);
    const retouched = found.items[1]?.distance ?? -1;
    assert.ok(retouched >= 1 && retouched <= 8, `the retouched copy is ${retouched} bits away`);
    // From the copy's side, the same pictures (and the original) are found.
    assert.deepEqual((await similar(ids.small as string)).items.map((i) => i.path).sort(), [
      'art/hero.png',
      'backup/hero-copy.png',
    ]);
    assert.deepEqual((await similar(ids.forest as string)).items, []);
  });

  test('max_distance and limit narrow the list; total counts them all', async () => {
    assert.deepEqual(
      (await similar(ids.hero as string, '?max_distance=0')).items.map((i) => i.path),
      ['backup/hero-copy.png'],
    );
    const one = await similar(ids.hero as string, '?limit=1');
    assert.equal(one.items.length, 1);
    assert.equal(one.total, 2);
    assert.equal((await similar(ids.forest as string, '?max_distance=20')).items.length, 0);
  });

  test('asking about what has no fingerprint, or badly, is a clear 4xx', async () => {
    const audio = await api(server.url, 'GET', `/api/assets/${ids.blip}/similar`);
    assert.equal(audio.status, 409, audio.text);
    assertErrorEnvelope(audio.body, 409, 'no_fingerprint');
    assert.match(audio.body.message, /audio\/blip\.wav.*is not a picture/);
    const unknown = await api(server.url, 'GET', '/api/assets/nosuchasset/similar');
    assert.equal(unknown.status, 404);
    assertErrorEnvelope(unknown.body, 404);
    for (const query of [
      'max_distance=21',
      'max_distance=-1',
      'max_distance=close',
      'limit=0',
      'limit=201',
    ]) {
      const res = await api(server.url, 'GET', `/api/assets/${ids.hero}/similar?${query}`);
      assert.equal(res.status, 422, `${query}: ${res.text}`);
      assertErrorEnvelope(res.body, 422, 'validation_error');
      assert.match(res.body.message, /max_distance|limit/, query);
    }
  });

  test('search and Select all filter by similar_to: the picture and its look-alikes, with the other filters', async () => {
    const paths = async (query: string): Promise<string[]> => {
      const res = await api(server.url, 'GET', `/api/assets/search?${query}&sort=path&order=asc`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.total, res.body.items.length, query);
      return res.body.items.map((i: { path: string }) => i.path);
    };
    const group = ['art/hero.png', 'backup/hero-copy.png', 'exports/hero-small.jpg'];
    assert.deepEqual(await paths(`similar_to=${ids.hero}`), group);
    assert.deepEqual(await paths(`similar_to=${ids.small}`), group);
    assert.deepEqual(await paths(`similar_to=${ids.hero}&max_distance=0`), group.slice(0, 2));
    assert.deepEqual(await paths(`similar_to=${ids.hero}&folder=exports`), ['exports/hero-small.jpg']);
    assert.deepEqual(await paths(`similar_to=${ids.forest}`), ['art/forest.png']);
    // Empty: no such filter, as for the others.
    assert.equal((await paths('similar_to=')).length, 5);
    // Every picture with a look-alike in the project (the Copies filter's "Look-alike pictures").
    assert.deepEqual(await paths('duplicates=similar'), group);
    assert.deepEqual(await paths('duplicates=similar&type=exports'), ['exports/hero-small.jpg']);
    const all = await api(server.url, 'GET', `/api/assets/ids?similar_to=${ids.hero}&sort=path&order=asc`);
    assert.deepEqual(all.body.ids, [ids.hero, ids.copy, ids.small]);

    const cases: Array<[string, number, RegExp]> = [
      ['similar_to=nosuchasset', 404, /similar_to: no asset has the id nosuchasset/],
      [`similar_to=${ids.blip}`, 409, /audio\/blip\.wav.*is not a picture/],
      ['max_distance=3', 400, /max_distance goes with similar_to/],
      [`similar_to=${ids.hero}&max_distance=30`, 422, /max_distance must be <= 20/],
    ];
    for (const [query, status, message] of cases) {
      const res = await api(server.url, 'GET', `/api/assets/search?${query}`);
      assert.equal(res.status, status, `${query}: ${res.text}`);
      assertErrorEnvelope(res.body, status);
      assert.match(res.body.message, message, query);
    }
  });

  test('the CLI answers the same, by id or path, and refuses what it cannot compare', async () => {
    const cli = await runCli(['similar', 'art/hero.png', '--max-distance', '20', '--json'], ws.dir);
    assert.equal(cli.code, 0, cli.stderr);
    const viaApi = await similar(ids.hero as string, '?max_distance=20');
    assert.deepEqual(cli.json, viaApi);
    const limited = await runCli(['similar', ids.hero as string, '--limit', '1'], ws.dir);
    assert.equal(limited.json.items.length, 1);
    const audio = await runCli(['similar', 'audio/blip.wav'], ws.dir);
    assert.equal(audio.code, 4, audio.stdout);
    assert.match(audio.stderr + audio.stdout, /is not a picture/);
    // search (and export) filter by it, naming the picture by path too.
    const searched = await runCli(
      ['search', '--similar-to', 'art/hero.png', '--max-distance', '0', '--sort', 'path', '--order', 'asc'],
      ws.dir,
    );
    assert.equal(searched.code, 0, searched.stderr);
    assert.deepEqual(
      searched.json.items.map((i: { path: string }) => i.path),
      ['art/hero.png', 'backup/hero-copy.png'],
    );
    const far = await runCli(['similar', 'art/hero.png', '--max-distance', '40'], ws.dir);
    assert.equal(far.code, 2);
    assert.match(far.stderr + far.stdout, /--max-distance must be a whole number from 0 to 20; got 40/);
  });

  test('a file replaced by another picture is compared as the new picture', async () => {
    const rel = 'exports/hero-small.jpg';
    ws.file(
      `data/assets/${rel}`,
      await sharp(await makeScene(2, 800, 600))
        .resize(300)
        .jpeg()
        .toBuffer(),
    );
    const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
    assert.equal(rebuilt.status, 200, rebuilt.text);
    assert.deepEqual(
      (await similar(ids.hero as string)).items.map((i) => i.path),
      ['backup/hero-copy.png'],
    );
    assert.deepEqual(
      (await similar(ids.forest as string)).items.map((i) => i.path),
      [rel],
    );
  });

  test('pictures previewed before fingerprints existed are fingerprinted from their thumbnails', async () => {
    const before = await similar(ids.hero as string);
    await server.stop();
    const dbPath = path.join(ws.dir, 'config', 'comfyvn.sqlite');
    const db = new Database(dbPath);
    const cleared = db.prepare('UPDATE assets SET dhash = NULL WHERE dhash IS NOT NULL').run().changes;
    const jobs = db.prepare('SELECT uid, updated_at FROM preview_jobs ORDER BY uid').all();
    db.close();
    assert.equal(cleared, 4);
    const thumbs = path.join(ws.dir, 'cache', 'thumbs');
    // One picture's thumbnails cleared by hand meanwhile.
    for (const name of fs.readdirSync(thumbs))
      if (name.startsWith(`${ids.forest}_`)) fs.rmSync(path.join(thumbs, name));
    const thumbTimes = fs.readdirSync(thumbs).map((f) => [f, fs.statSync(path.join(thumbs, f)).mtimeMs]);

    server = await startServer(ws.dir);
    const after = await eventually('the pictures fingerprinted again', async () => {
      const res = await api(server.url, 'GET', `/api/assets/${ids.hero}/similar`);
      return res.status === 200 && res.body.total === before.total ? res.body : undefined;
    });
    assert.deepEqual(
      after.items.map((i: Similar) => i.path),
      before.items.map((i) => i.path),
    );
    // The picture without a thumbnail: the fingerprint could not be taken, and the answer says
    // what to do.
    const forest = await eventually('the picture without thumbnails tried', async () => {
      const res = await api(server.url, 'GET', `/api/assets/${ids.forest}/similar`);
      return res.status === 409 && /could not be read/.test(res.body.message) ? res.body : undefined;
    });
    assert.match(forest.message, /Requeue its preview/);
    // From the thumbnails: no preview was made again.
    const db2 = new Database(dbPath, { readonly: true });
    assert.deepEqual(db2.prepare('SELECT uid, updated_at FROM preview_jobs ORDER BY uid').all(), jobs);
    db2.close();
    assert.deepEqual(
      fs.readdirSync(thumbs).map((f) => [f, fs.statSync(path.join(thumbs, f)).mtimeMs]),
      thumbTimes,
    );
  });

  test('while a picture waits for its preview, the answer says to ask again (fingerprint_pending)', async () => {
    await server.stop();
    const db = new Database(path.join(ws.dir, 'config', 'comfyvn.sqlite'));
    db.prepare('UPDATE assets SET dhash = NULL WHERE uid = ?').run(ids.hero);
    // Running in another process that is alive (this one): the server leaves the job to it.
    db.prepare(`UPDATE preview_jobs SET status = 'running', owner = ? WHERE uid = ?`).run(
      `${process.pid}-elsewhere`,
      ids.hero,
    );
    db.close();
    server = await startServer(ws.dir);
    const res = await api(server.url, 'GET', `/api/assets/${ids.hero}/similar`);
    assert.equal(res.status, 409, res.text);
    assertErrorEnvelope(res.body, 409, 'fingerprint_pending');
    assert.match(res.body.message, /is waiting for its preview, which fingerprints it/);
  });
});

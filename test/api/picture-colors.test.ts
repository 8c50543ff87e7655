/**
 * Searching pictures by colour and transparency over real pictures the preview queue read: the
 * asset's `colors`, the `color` and `transparent` filters (API and CLI), colours following a file
 * replaced by another picture, pictures previewed before colours existed given theirs from their
 * thumbnails after a restart (no preview made again), and a clear 400 for a colour there is not.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { assertErrorEnvelope } from '../helpers/contract.js';
import { eventually } from '../helpers/eventually.js';
import { makeWav, skyPicture, solidPicture, spritePicture, toneWithBurst } from '../helpers/media.js';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

let ws: Workspace;
let server: RunningServer;
const ids: Record<string, string> = {};

async function search(query: string): Promise<string[]> {
  const res = await api(server.url, 'GET', `/api/assets/search?limit=50&sort=path&order=asc&${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body.items.map((a: { path: string }) => a.path);
}

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  const files: Array<[string, string, Buffer]> = [
    ['red', 'images/red.png', await solidPicture(220, 20, 30)],
    ['sky', 'images/sky.png', await skyPicture()],
    ['sprite', 'images/sprite.png', await spritePicture()],
    [
      'stone',
      'images/stone.jpg',
      await sharp(await solidPicture(128, 128, 128))
        .jpeg()
        .toBuffer(),
    ],
    ['blip', 'audio/blip.wav', makeWav(toneWithBurst(0.3, 8000, 1, 0.1), 8000, 16)],
  ];
  for (const [, rel, bytes] of files) ws.file(`data/assets/${rel}`, bytes);
  const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
  assert.equal(rebuilt.status, 200, rebuilt.text);
  const listed = await api(server.url, 'GET', '/api/assets/search?limit=50');
  const byPath = new Map(listed.body.items.map((a: { path: string; uid: string }) => [a.path, a.uid]));
  for (const [name, rel] of files) ids[name] = byPath.get(rel) as string;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('colours', () => {
  test('each picture says its main colours and whether it has transparent parts; a sound says none', async () => {
    const colors = async (name: string): Promise<unknown> =>
      (await api(server.url, 'GET', `/api/assets/${ids[name]}`)).body.asset.colors;
    assert.deepEqual(await colors('red'), {
      palette: [{ name: 'red', hex: '#dc141e', share: 1 }],
      transparent: false,
    });
    assert.deepEqual(await colors('sky'), {
      palette: [
        { name: 'blue', hex: '#142896', share: 0.67 },
        { name: 'white', hex: '#f0f0f5', share: 0.33 },
      ],
      transparent: false,
    });
    const spriteColors = (await colors('sprite')) as {
      palette: Array<{ name: string }>;
      transparent: boolean;
    };
    assert.equal(spriteColors.transparent, true);
    assert.equal(spriteColors.palette[0]?.name, 'green');
    assert.equal(((await colors('stone')) as { palette: Array<{ name: string }> }).palette[0]?.name, 'gray');
    assert.equal(await colors('blip'), undefined);
    // What the studio's grid asks for, to show a cut-out over a checkerboard.
    const listed = await api(
      server.url,
      'GET',
      '/api/assets/search?fields=path,colors.transparent&sort=path&order=asc',
    );
    assert.deepEqual(listed.body.items, [
      { path: 'audio/blip.wav' },
      { path: 'images/red.png', colors: { transparent: false } },
      { path: 'images/sky.png', colors: { transparent: false } },
      { path: 'images/sprite.png', colors: { transparent: true } },
      { path: 'images/stone.jpg', colors: { transparent: false } },
    ]);
  });

  test('the facets count the pictures with a lot of each colour, and those with transparent parts', async () => {
    const facets = (await api(server.url, 'GET', '/api/assets/facets')).body;
    const counted = Object.fromEntries(
      (facets.colors as Array<{ value: string; count: number }>).map((c) => [c.value, c.count]),
    );
    assert.deepEqual(counted, {
      red: 1,
      orange: 0,
      yellow: 0,
      green: 1,
      cyan: 0,
      blue: 1,
      purple: 0,
      pink: 0,
      brown: 0,
      black: 0,
      gray: 1,
      white: 1,
    });
    assert.equal(facets.transparent, 1);
  });

  test('the search finds pictures by colour (each of several) and by transparency', async () => {
    assert.deepEqual(await search('color=red'), ['images/red.png']);
    assert.deepEqual(await search('color=blue&color=white'), ['images/sky.png']);
    assert.deepEqual(await search('color=blue,white'), ['images/sky.png']);
    assert.deepEqual(await search('color=blue&color=red'), []);
    assert.deepEqual(await search('color=WHITE'), ['images/sky.png']);
    assert.deepEqual(await search('transparent=true'), ['images/sprite.png']);
    assert.deepEqual(await search('transparent=false'), [
      'images/red.png',
      'images/sky.png',
      'images/stone.jpg',
    ]);
    assert.deepEqual(await search('color=green&transparent=true'), ['images/sprite.png']);
    assert.deepEqual(await search('color=green&transparent=false'), []);
    assert.deepEqual(await search('color=&transparent='), [
      'audio/blip.wav',
      'images/red.png',
      'images/sky.png',
      'images/sprite.png',
      'images/stone.jpg',
    ]);
    const res = await api(server.url, 'GET', '/api/assets/search?color=blue&color=white&transparent=false');
    assert.deepEqual([res.body.filters.color, res.body.filters.transparent], [['blue', 'white'], false]);
    assert.equal(res.body.total, 1);
  });

  test('a colour there is not is a 400 that lists the colours', async () => {
    const res = await api(server.url, 'GET', '/api/assets/search?color=teal');
    assert.equal(res.status, 400, res.text);
    assertErrorEnvelope(res.body, 400);
    assert.match(
      res.body.message,
      /color: "teal" is not one of the colours .*: red, orange, yellow, .*white\./,
    );
    const bad = await api(server.url, 'GET', '/api/assets/search?transparent=maybe');
    assert.equal(bad.status, 422, bad.text);
    assertErrorEnvelope(bad.body, 422, 'validation_error');
  });

  test('the CLI filters the same way', async () => {
    const res = await runCli(['search', '--color', 'blue', 'white', '--no-transparent'], ws.dir);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(
      res.json.items.map((a: { path: string }) => a.path),
      ['images/sky.png'],
    );
    const sprites = await runCli(['search', '--transparent'], ws.dir);
    assert.deepEqual(
      sprites.json.items.map((a: { path: string }) => a.path),
      ['images/sprite.png'],
    );
    const bad = await runCli(['search', '--color', 'teal'], ws.dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Allowed choices are red, orange/);
  });

  test("a file replaced by another picture gets the new picture's colours", async () => {
    ws.file('data/assets/images/red.png', await solidPicture(250, 220, 40));
    const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
    assert.equal(rebuilt.status, 200, rebuilt.text);
    assert.deepEqual(await search('color=red'), []);
    assert.deepEqual(await search('color=yellow'), ['images/red.png']);
    const facets = (await api(server.url, 'GET', '/api/assets/facets')).body;
    const count = (name: string): number =>
      (facets.colors as Array<{ value: string; count: number }>).find((c) => c.value === name)?.count ?? -1;
    assert.deepEqual([count('red'), count('yellow')], [0, 1], 'the counts follow');
  });

  test('pictures previewed before colours existed are given theirs from their thumbnails after a restart', async () => {
    await server.stop();
    const dbPath = path.join(ws.dir, 'config', 'comfyvn.sqlite');
    const db = new Database(dbPath);
    const fingerprints = db.prepare('SELECT uid, dhash FROM assets ORDER BY uid').all();
    const cleared = db
      .prepare('UPDATE assets SET colors = NULL, palette = NULL WHERE palette IS NOT NULL')
      .run();
    const jobs = db.prepare('SELECT uid, updated_at FROM preview_jobs ORDER BY uid').all();
    db.close();
    assert.equal(cleared.changes, 4);
    const waiting = new SqliteStore(dbPath);
    assert.equal(waiting.picturesToRead(), 4, 'the four pictures wait for their colours');
    waiting.close();
    server = await startServer(ws.dir);
    // (The four pictures, each as its colours land.)
    await eventually('the colours found again', async () =>
      (await search('transparent=true')).length + (await search('transparent=false')).length === 4
        ? true
        : undefined,
    );
    assert.deepEqual(await search('color=blue&color=white'), ['images/sky.png']);
    assert.deepEqual(await search('transparent=true'), ['images/sprite.png']);
    assert.deepEqual(await search('color=yellow'), ['images/red.png']);
    // The preview status says none is left to read.
    const previews = await api(server.url, 'GET', '/api/previews');
    assert.equal(previews.body.pictures_to_read, 0, previews.text);
    const db2 = new Database(dbPath, { readonly: true });
    assert.deepEqual(
      db2.prepare('SELECT uid, updated_at FROM preview_jobs ORDER BY uid').all(),
      jobs,
      'no preview made again',
    );
    assert.deepEqual(
      db2.prepare('SELECT uid, dhash FROM assets ORDER BY uid').all(),
      fingerprints,
      'fingerprints kept',
    );
    db2.close();
  });
});

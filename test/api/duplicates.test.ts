/**
 * Finding and clearing duplicates over HTTP: the same bytes at several paths are several assets
 * (a rebuild of a tree with copies); `duplicates=all` lists every one of them, `duplicates=extra`
 * every one but the first registered of each set, and removing those (with their files) keeps
 * exactly one of each.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;

interface Item {
  uid: string;
  path: string;
  hash: string;
  copies: number;
}

// Three copies of one sound, two of one picture, and files found once.
const FILES: Record<string, string> = {
  'sfx/pack-a/hit.wav': 'hit bytes',
  'sfx/pack-b/hit.wav': 'hit bytes',
  'sfx/old/hit-copy.wav': 'hit bytes',
  'images/a.png': 'picture bytes',
  'images/b.png': 'picture bytes',
  'images/c.png': 'another picture',
  'docs/readme.txt': 'read me',
};

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  for (const [rel, text] of Object.entries(FILES)) ws.file(`data/assets/${rel}`, text);
  const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: false });
  assert.equal(rebuilt.status, 200, rebuilt.text);
  assert.equal(rebuilt.body.summary.created, 7, rebuilt.text);
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

const search = async (query: string): Promise<{ total: number; items: Item[]; filters: unknown }> => {
  const res = await api(server.url, 'GET', `/api/assets/search?${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
};
const pathsOf = (items: Item[]): string[] => items.map((i) => i.path).sort();

test('duplicates=all lists every asset whose bytes another one has; filters and sorts combine', async () => {
  const all = await search('duplicates=all&limit=500');
  assert.equal(all.total, 5);
  assert.deepEqual(pathsOf(all.items), [
    'images/a.png',
    'images/b.png',
    'sfx/old/hit-copy.wav',
    'sfx/pack-a/hit.wav',
    'sfx/pack-b/hit.wav',
  ]);
  assert.equal((all.filters as { duplicates: unknown }).duplicates, 'all');
  assert.equal((await search('limit=500')).total, 7, 'without the filter, every asset');

  const images = await search('duplicates=all&type=images');
  assert.deepEqual(pathsOf(images.items), ['images/a.png', 'images/b.png']);
  const byPath = await search('duplicates=all&sort=path&order=asc');
  assert.deepEqual(
    byPath.items.map((i) => i.path),
    pathsOf(all.items),
  );
  const paged = await search('duplicates=all&sort=path&order=asc&limit=2&offset=2');
  assert.equal(paged.total, 5);
  assert.deepEqual(
    paged.items.map((i) => i.path),
    pathsOf(all.items).slice(2, 4),
  );
  assert.deepEqual(pathsOf((await search('duplicates=all&q=pack')).items), [
    'sfx/pack-a/hit.wav',
    'sfx/pack-b/hit.wav',
  ]);
});

test('duplicates=extra leaves out the first registered of each set', async () => {
  const extra = await search('duplicates=extra&limit=500');
  assert.equal(extra.total, 3);
  const all = await search('duplicates=all&limit=500');
  for (const hash of new Set(all.items.map((i) => i.hash))) {
    const set = await search(`hash=${hash}&sort=created&order=asc`);
    const [first, ...rest] = set.items;
    assert.ok(first && rest.length > 0);
    assert.ok(!extra.items.some((i) => i.uid === first.uid), `${first.path} is the one kept`);
    for (const copy of rest)
      assert.ok(
        extra.items.some((i) => i.uid === copy.uid),
        copy.path,
      );
  }
});

test('each asset says how many assets hold its bytes, in every listing and on its own', async () => {
  const copiesByPath = (items: Item[]): Record<string, number> =>
    Object.fromEntries(items.map((i) => [i.path, i.copies]));
  const expected = {
    'sfx/pack-a/hit.wav': 3,
    'sfx/pack-b/hit.wav': 3,
    'sfx/old/hit-copy.wav': 3,
    'images/a.png': 2,
    'images/b.png': 2,
    'images/c.png': 1,
    'docs/readme.txt': 1,
  };
  assert.deepEqual(copiesByPath((await search('limit=500')).items), expected);
  // The grid's listing asks for it by name; a page of two still counts the whole project.
  const listed = await search('fields=path,copies&sort=path&order=asc&limit=2&offset=3');
  assert.deepEqual(listed.items, [
    { path: 'images/c.png', copies: 1 },
    { path: 'sfx/old/hit-copy.wav', copies: 3 },
  ]);
  const one = (await search('q=pack-b')).items[0];
  assert.ok(one);
  const got = await api(server.url, 'GET', `/api/assets/${one.uid}`);
  assert.equal(got.body.asset.copies, 3, got.text);
  const many = await api(server.url, 'POST', '/api/assets/lookup', { ids: [one.uid] });
  assert.equal(many.body.items[0].copies, 3, many.text);
  const cli = await runCli(['get', one.uid, '--json'], ws.dir);
  assert.equal(JSON.parse(cli.stdout).asset.copies, 3, cli.stderr);
});

test('a value other than all, extra or similar is a 422 that names the parameter and its values; empty is no filter', async () => {
  const res = await api(server.url, 'GET', '/api/assets/search?duplicates=yes');
  assert.equal(res.status, 422, res.text);
  assert.equal(res.body.ok, false);
  assert.equal(
    res.body.message,
    'Request validation failed: querystring/duplicates must be one of "all", "extra", "similar", "".',
  );
  const twice = await api(server.url, 'GET', '/api/assets/search?duplicates=all&duplicates=extra');
  assert.equal(twice.status, 422, twice.text);
  assert.match(
    twice.body.message,
    /querystring\/duplicates must be one of "all", "extra", "similar", "", given once\.$/,
  );
  const empty = await search('duplicates=&limit=500');
  assert.equal(empty.total, (await search('limit=500')).total);
  assert.equal((empty.filters as { duplicates: unknown }).duplicates, null);
});

test('the CLI lists them too', async () => {
  const all = await runCli(['search', '--duplicates', '--json', '--limit', '500'], ws.dir);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(JSON.parse(all.stdout).total, 5);
  const extra = await runCli(['search', '--duplicates', 'extra', '--json'], ws.dir);
  assert.equal(JSON.parse(extra.stdout).total, 3);
  const bad = await runCli(['search', '--duplicates', 'some'], ws.dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /duplicates/);
});

test('removing the extra copies with their files keeps one of each, files and all', async () => {
  const ids = await api(server.url, 'GET', '/api/assets/ids?duplicates=extra');
  assert.equal(ids.status, 200, ids.text);
  assert.equal(ids.body.total, 3);
  const extra = (await search('duplicates=extra')).items;
  const removed = await api(server.url, 'POST', '/api/assets/remove', {
    ids: ids.body.ids,
    delete_files: true,
  });
  assert.equal(removed.status, 200, removed.text);
  assert.equal((await search('duplicates=all')).total, 0);
  const left = await search('limit=500');
  assert.equal(left.total, 4);
  assert.equal(new Set(left.items.map((i) => i.hash)).size, 4, 'one asset per content');
  assert.deepEqual(
    left.items.map((i) => i.copies),
    [1, 1, 1, 1],
    'the one kept of each set has no copy left',
  );
  const root = path.join(ws.dir, 'data', 'assets');
  for (const item of extra) assert.ok(!fs.existsSync(path.join(root, item.path)), `${item.path} deleted`);
  for (const item of left.items) assert.ok(fs.existsSync(path.join(root, item.path)), `${item.path} kept`);
});

/**
 * The text search over HTTP: several terms at once (`q` repeated: each a substring, all must
 * match), and text as people's machines spell it: a name a Mac wrote decomposed (NFD) is found by
 * the same name typed composed (NFC), full-width letters by plain ones, and tags spelled either
 * way are one tag, in searches of every needle length, tag filters and facets.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

const nfd = (text: string): string => text.normalize('NFD');

let ws: Workspace;
let server: RunningServer;
const ids: Record<string, string> = {};

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  // As a Mac writes them: decomposed file and folder names.
  ws.file(`data/assets/${nfd('パン屋')}/${nfd('パン')}.png`, 'bread');
  const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: false });
  assert.equal(rebuilt.status, 200, rebuilt.text);
  const register = async (name: string, body: Record<string, unknown>): Promise<void> => {
    ws.file(`incoming/${name}`, name);
    const res = await api(server.url, 'POST', '/api/assets/register', { path: `incoming/${name}`, ...body });
    assert.equal(res.status, 200, res.text);
    ids[name] = res.body.asset_id;
  };
  await register('theme.ogg.txt', {
    metadata: { title: 'ＢＧＭ Theme', tags: [nfd('Café')], license: nfd('Licencé') },
  });
  await register('menu.txt', { metadata: { title: 'Menu', tags: ['café'], license: 'licencé' } });
  for (const [name, title] of [
    ['castle-night.txt', 'Keep at dusk'],
    ['castle-day.txt', 'Keep at noon'],
    ['forest-night.txt', 'Woods'],
  ] as const)
    await register(name, { asset_type: 'backgrounds', metadata: { title } });
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

const search = async (query: string): Promise<{ paths: string[]; body: Record<string, unknown> }> => {
  const res = await api(server.url, 'GET', `/api/assets/search?${query}`);
  assert.equal(res.status, 200, res.text);
  const items = res.body.items as Array<{ path: string }>;
  return { paths: items.map((i) => i.path).sort(), body: res.body };
};

test('q repeated: every term must match, anywhere, in any order; one q works as before', async () => {
  const both = await search('q=castle&q=night');
  assert.deepEqual(both.paths, ['backgrounds/castle-night.txt']);
  assert.equal(both.body.total, 1);
  assert.deepEqual((both.body.filters as { q: unknown }).q, ['castle', 'night']);
  assert.deepEqual((await search('q=night&q=CASTLE')).paths, ['backgrounds/castle-night.txt']);
  assert.deepEqual((await search('q=keep&q=dusk')).paths, ['backgrounds/castle-night.txt'], 'the title too');
  const one = await search('q=castle%20night');
  assert.deepEqual(one.paths, [], 'one q is one substring, as the reference');
  assert.equal((one.body.filters as { q: unknown }).q, 'castle night');
  assert.deepEqual((await search('text=castle&text=day')).paths, ['backgrounds/castle-day.txt']);
  // A 1-character term tests rows (on the search thread), the others use the index.
  assert.deepEqual((await search('q=night&q=w')).paths, ['backgrounds/forest-night.txt']);
  assert.deepEqual((await search('q=castle&q=&q=%20')).paths.length, 2, 'empty terms are ignored');
  const ids1 = await api(server.url, 'GET', '/api/assets/ids?q=castle&q=night');
  assert.equal(ids1.status, 200, ids1.text);
  assert.deepEqual(ids1.body.ids, [ids['castle-night.txt']]);
});

test('more than 16 terms is a 422 that says so', async () => {
  const res = await api(
    server.url,
    'GET',
    `/api/assets/search?${Array.from({ length: 17 }, (_, i) => `q=t${i}`).join('&')}`,
  );
  assert.equal(res.status, 422, res.text);
  assert.equal(res.body.ok, false);
  assert.match(res.body.message, /querystring\/q must NOT have more than 16 items/);
});

test('the CLI takes -q more than once', async () => {
  const res = await runCli(['search', '-q', 'castle', '-q', 'night'], ws.dir);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(
    (res.json.items as Array<{ path: string }>).map((i) => i.path),
    ['backgrounds/castle-night.txt'],
  );
});

const found = async (query: string): Promise<string[]> => {
  const res = await api(server.url, 'GET', `/api/assets/search?${query}`);
  assert.equal(res.status, 200, res.text);
  return (res.body.items as Array<{ path: string }>).map((item) => item.path.normalize('NFC')).sort();
};

test('a decomposed name is found by the composed one, at every needle length', async () => {
  const bread = ['パン屋/パン.png'];
  for (const q of ['パ', 'パン', 'パン.png', 'パン屋/パ']) {
    assert.deepEqual(await found(`q=${encodeURIComponent(q)}`), bread, q);
    assert.deepEqual(await found(`q=${encodeURIComponent(nfd(q))}`), bread, `${q} decomposed`);
  }
  // The stored path keeps the spelling on disk: it names the file.
  const { items } = (await api(server.url, 'GET', `/api/assets/search?q=${encodeURIComponent('パン')}`)).body;
  assert.equal(items[0].path, nfd('パン屋/パン.png'));
});

test('full-width letters are found by plain ones, and the other way round', async () => {
  for (const q of ['bgm', 'BGM', 'ｂｇｍ', 'ＢＧＭ th', 'bg'])
    assert.deepEqual(await found(`q=${encodeURIComponent(q)}`), ['generic/theme.ogg.txt'], q);
});

test('a tag or licence spelled composed or decomposed is one tag, one licence', async () => {
  const both = ['generic/menu.txt', 'generic/theme.ogg.txt'];
  assert.deepEqual(await found(`tag=${encodeURIComponent('Café')}`), both);
  assert.deepEqual(await found(`tag=${encodeURIComponent(nfd('café'))}`), both);
  assert.deepEqual(await found(`license=${encodeURIComponent('LICENCÉ')}`), both);
  const facets = (await api(server.url, 'GET', '/api/assets/facets')).body;
  const cafe = (facets.tags as Array<{ value: string; count: number }>).filter(
    (t) => t.value.normalize('NFC') === 'café',
  );
  assert.deepEqual(
    cafe.map((t) => t.count),
    [2],
  );
  const licences = (facets.licenses as Array<{ value: string; count: number }>).filter(
    (l) => l.value.normalize('NFC') === 'licencé',
  );
  assert.deepEqual(
    licences.map((l) => l.count),
    [2],
  );
  // Adding the other spelling of a tag an asset has adds nothing.
  const bulk = await api(server.url, 'POST', '/api/assets/bulk', {
    ids: [ids['menu.txt']],
    add_tags: [nfd('CAFÉ')],
    wait: true,
  });
  assert.equal(bulk.status, 200, bulk.text);
  const menu = (await api(server.url, 'GET', `/api/assets/${ids['menu.txt']}`)).body.asset;
  assert.deepEqual(menu.tags, ['café']);
});

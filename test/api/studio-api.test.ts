/** The routes the studio stands on: settings (feature flags), facets, ids, lookup, and `/` itself. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { openStream } from '../helpers/sse.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let url: string;

const register = async (name: string, body: Record<string, unknown>): Promise<string> => {
  ws.file(`incoming/${name}`, `content of ${name}`);
  const res = await api(url, 'POST', '/api/assets/register', { path: `incoming/${name}`, ...body });
  assert.equal(res.status, 200, res.text);
  return res.body.asset_id as string;
};

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('GET/PATCH /api/settings', () => {
  test('the gallery flag defaults to false, with its description', async () => {
    const res = await api(url, 'GET', '/api/settings');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.features, { enable_asset_gallery: false });
    assert.equal(res.body.file, 'config/comfyvn.json');
    const flag = res.body.flags.find((f: { key: string }) => f.key === 'enable_asset_gallery');
    assert.equal(flag.default, false);
    assert.equal(flag.value, false);
    assert.ok(flag.description.length > 10);
  });

  test('PATCH writes config/comfyvn.json (keeping other keys), announces it on the stream', async () => {
    ws.file('config/comfyvn.json', JSON.stringify({ public_base: 'http://x', features: { other: true } }));
    const stream = await openStream(url);
    try {
      const res = await api(url, 'PATCH', '/api/settings', { features: { enable_asset_gallery: true } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.features.enable_asset_gallery, true);
      assert.deepEqual(ws.json('config/comfyvn.json'), {
        public_base: 'http://x',
        features: { other: true, enable_asset_gallery: true },
      });
      // (The hand-written file may be announced first, by the server's poll of the file.)
      await stream.until((f) =>
        f.some((x) => x.event === 'settings_updated' && x.data.data.features.enable_asset_gallery === true),
      );
      assert.equal((await api(url, 'GET', '/api/settings')).body.features.enable_asset_gallery, true);
    } finally {
      await stream.close();
    }
  });

  test('a hand edit of the settings file is picked up and announced', async () => {
    const stream = await openStream(url);
    try {
      ws.file('config/comfyvn.json', JSON.stringify({ features: { enable_asset_gallery: false } }));
      await stream.until((f) =>
        f.some((x) => x.event === 'settings_updated' && x.data.data.features.enable_asset_gallery === false),
      );
      assert.equal((await api(url, 'GET', '/api/settings')).body.features.enable_asset_gallery, false);
    } finally {
      await stream.close();
    }
  });

  test('bad input: unknown flag, wrong type, nothing to change, broken file', async () => {
    const unknown = await api(url, 'PATCH', '/api/settings', { features: { enable_everything: true } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.ok, false);
    assert.match(
      unknown.body.message,
      /Unknown feature flag enable_everything; known flags: enable_asset_gallery/,
    );

    const wrongType = await api(url, 'PATCH', '/api/settings', { features: { enable_asset_gallery: 'yes' } });
    assert.equal(wrongType.status, 422, wrongType.text);
    assert.equal(wrongType.body.ok, false);

    const empty = await api(url, 'PATCH', '/api/settings', { features: {} });
    assert.equal(empty.status, 400);
    assert.match(empty.body.message, /Nothing to change/);

    const before = '{ "features": { "enable_asset_gallery": tru';
    ws.file('config/comfyvn.json', before);
    const broken = await api(url, 'PATCH', '/api/settings', { features: { enable_asset_gallery: true } });
    assert.equal(broken.status, 400);
    assert.match(broken.body.message, /not valid JSON; fix or remove it/);
    assert.equal(ws.read('config/comfyvn.json'), before, 'a broken settings file is never replaced');
    fs.rmSync(path.join(ws.dir, 'config/comfyvn.json'));
  });
});

describe('studio data routes', () => {
  const ids: Record<string, string> = {};
  before(async () => {
    ids.a = await register('a.txt', {
      asset_type: 'scripts',
      metadata: { tags: ['Hero', 'promo'], license: 'CC-BY-4.0' },
    });
    ids.b = await register('b.txt', {
      asset_type: 'scripts',
      metadata: { tags: ['promo'], license: 'cc-by-4.0' },
    });
    ids.c = await register('c.txt', { asset_type: 'data', metadata: { tags: ['hero'] } });
  });

  test('facets: every type and licence, tags case-folded, with counts', async () => {
    const res = await api(url, 'GET', '/api/assets/facets');
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 3);
    assert.deepEqual(res.body.types, [
      { value: 'data', count: 1 },
      { value: 'scripts', count: 2 },
    ]);
    assert.deepEqual(res.body.tags, [
      { value: 'hero', count: 2 },
      { value: 'promo', count: 2 },
    ]);
    assert.equal(res.body.licenses.length, 1);
    assert.equal(res.body.licenses[0].value, 'cc-by-4.0');
    assert.equal(res.body.licenses[0].count, 2);
    assert.match(res.body.licenses[0].label, /^cc-by-4\.0$/i);
    assert.equal(res.body.unlicensed, 1, 'c.txt has no licence');
  });

  test('unlicensed: the assets without a licence, until one is applied; not with license', async () => {
    const search = async (query: string): Promise<{ total: number; uids: string[]; filters: unknown }> => {
      const res = await api(url, 'GET', `/api/assets/search?${query}`);
      assert.equal(res.status, 200, res.text);
      return { ...res.body, uids: res.body.items.map((i: { uid: string }) => i.uid) };
    };
    const none = await search('unlicensed=true');
    assert.deepEqual(none.uids, [ids.c]);
    assert.equal((none.filters as { unlicensed: unknown }).unlicensed, true);
    assert.equal((await search('unlicensed=true&type=scripts')).total, 0);
    assert.deepEqual((await search('unlicensed=true&tag=hero&sort=path')).uids, [ids.c]);
    assert.equal((await search('unlicensed=false')).total, 3, 'false is no filter');
    // Empty, as a script with an unset variable sends it: no filter, as for the other filters.
    const empty = await search('unlicensed=');
    assert.equal(empty.total, 3);
    assert.equal((empty.filters as { unlicensed: unknown }).unlicensed, false);
    const idsRes = await api(url, 'GET', '/api/assets/ids?unlicensed=true');
    assert.deepEqual(idsRes.body.ids, [ids.c]);

    const both = await api(url, 'GET', '/api/assets/search?unlicensed=true&license=MIT');
    assert.equal(both.status, 400, both.text);
    assert.equal(
      both.body.message,
      'Filter by license or by unlicensed, not both: an asset without a licence has no "MIT".',
    );
    const garbage = await api(url, 'GET', '/api/assets/search?unlicensed=maybe');
    assert.equal(garbage.status, 422, garbage.text);
    assert.equal(
      garbage.body.message,
      'Request validation failed: querystring/unlicensed must be one of "true", "false", "".',
    );
    const cli = await runCli(['search', '--unlicensed', '--json'], ws.dir);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      JSON.parse(cli.stdout).items.map((i: { uid: string }) => i.uid),
      [ids.c],
    );

    // Licensed in bulk, as the studio does after choosing "No license": none is left.
    const bulk = await api(url, 'POST', '/api/assets/bulk', { ids: [ids.c], license: 'CC0' });
    assert.equal(bulk.status, 200, bulk.text);
    assert.equal((await search('unlicensed=true')).total, 0);
    assert.equal((await api(url, 'GET', '/api/assets/facets')).body.unlicensed, 0);
    const cleared = await api(url, 'POST', '/api/assets/bulk', { ids: [ids.c], clear_license: true });
    assert.equal(cleared.status, 200, cleared.text);
    assert.deepEqual((await search('unlicensed=true')).uids, [ids.c]);
    assert.equal((await api(url, 'GET', '/api/assets/facets')).body.unlicensed, 1);
  });

  test('facets follow every change (cached between changes), and count only the project asked', async () => {
    const first = await api(url, 'GET', '/api/assets/facets');
    const again = await api(url, 'GET', '/api/assets/facets');
    assert.deepEqual(again.body, first.body);
    const bulk = await api(url, 'POST', '/api/assets/bulk', { ids: [ids.c], add_tags: ['night'] });
    assert.equal(bulk.status, 200, bulk.text);
    const after = await api(url, 'GET', '/api/assets/facets');
    assert.deepEqual(
      after.body.tags.find((t: { value: string }) => t.value === 'night'),
      { value: 'night', count: 1 },
    );
    // Another project's tags are not counted here.
    ws.file('incoming/other.txt', 'other project');
    const other = await api(url, 'POST', '/api/assets/register', {
      path: 'incoming/other.txt',
      project_id: 'second',
      metadata: { tags: ['hero', 'elsewhere'] },
    });
    assert.equal(other.status, 200, other.text);
    const mine = await api(url, 'GET', '/api/assets/facets');
    assert.equal(mine.body.total, 3);
    assert.deepEqual(
      mine.body.tags.map((t: { value: string; count: number }) => `${t.value}:${t.count}`),
      ['hero:2', 'night:1', 'promo:2'],
    );
    const theirs = await api(url, 'GET', '/api/assets/facets?project_id=second');
    assert.deepEqual(
      theirs.body.tags.map((t: { value: string; count: number }) => `${t.value}:${t.count}`),
      ['elsewhere:1', 'hero:1'],
    );
    const cleanup = await api(url, 'POST', '/api/assets/bulk', { ids: [ids.c], remove_tags: ['night'] });
    assert.equal(cleanup.status, 200);
  });

  test('ids: every match of a filter, in the search order', async () => {
    const all = await api(url, 'GET', '/api/assets/ids?sort=path&order=asc');
    assert.deepEqual(all.body.ids, [ids.c, ids.a, ids.b]);
    assert.equal(all.body.truncated, false);
    const promo = await api(url, 'GET', '/api/assets/ids?tag=PROMO&sort=created&order=asc');
    assert.deepEqual(promo.body.ids, [ids.a, ids.b]);
    const search = await api(
      url,
      'GET',
      '/api/assets/search?tag=PROMO&sort=created&order=asc&limit=1&offset=1',
    );
    assert.equal(search.body.items[0].uid, promo.body.ids[1]);
    // Paging and listing fields are the search's: ids are every match, and the docs say so.
    const paged = await api(url, 'GET', '/api/assets/ids?sort=path&order=asc&limit=1&offset=1&fields=uid');
    assert.deepEqual(paged.body.ids, all.body.ids);
    const doc = await api(url, 'GET', '/docs/json');
    const params = (doc.body.paths['/api/assets/ids'].get.parameters as Array<{ name: string }>).map(
      (p) => p.name,
    );
    assert.ok(params.includes('tag') && params.includes('sort'), params.join());
    for (const name of ['limit', 'offset', 'fields', 'include_debug'])
      assert.ok(!params.includes(name), name);
    const bad = await api(url, 'GET', '/api/assets/ids?sort=nope');
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.body.code, 'validation_error');
    assert.match(bad.body.message, /sort/);
  });

  test('lookup: records in the order asked, unknown ids listed', async () => {
    const res = await api(url, 'POST', '/api/assets/lookup', { ids: [ids.b, 'ffffffffffffffff', ids.a] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.items.map((a: { uid: string }) => a.uid),
      [ids.b, ids.a],
    );
    assert.deepEqual(res.body.missing, ['ffffffffffffffff']);
    assert.deepEqual(res.body.items[1].metadata.tags, ['Hero', 'promo']);
    const empty = await api(url, 'POST', '/api/assets/lookup', { ids: [] });
    assert.equal(empty.status, 422);
  });
});

describe('the studio page', () => {
  test('GET / is the built studio, revalidated, with a content security policy', async () => {
    const res = await api(url, 'GET', '/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(res.text, /<title>Asset Registry Studio<\/title>/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(res.text)?.[1];
    assert.ok(script, 'the page loads its bundle');
    const js = await fetch(url + script);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  });
});

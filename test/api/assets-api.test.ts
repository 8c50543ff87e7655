/** Every `/api/assets/*` route over real HTTP against a real server process and workspace. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, startServer, type RunningServer } from '../helpers/server.js';
import { openStream, type SseFrame } from '../helpers/sse.js';
import { makeWorkspace, stagedLeftovers, type Workspace } from '../helpers/workspace.js';
import { SIDECAR_KEYS, REFERENCE_EVENTS } from '../helpers/contract.js';

let ws: Workspace;
let server: RunningServer;
let url: string;
let seq = 0;

/** A source file with unique content under the workspace. */
function source(
  name: string,
  content = `content ${name} ${seq++} ${Math.random()}`,
): { rel: string; content: string } {
  const rel = `incoming/${seq}-${name}`;
  ws.file(rel, content);
  return { rel, content };
}

const register = (body: Record<string, unknown>) => api(url, 'POST', '/api/assets/register', body);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('POST /api/assets/register', () => {
  test('copies into <asset_type>/<name>, answers the spec payload, writes sidecar and mirror', async () => {
    const src = source('hero.txt', 'hello');
    const res = await register({
      path: src.rel,
      asset_type: 'documents',
      metadata: { tags: [' Foo', 'foo', 'BAR', ''], license: ' CC-BY-4.0 ', origin: 'studio-script' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.ok, true);
    assert.equal(res.body.created, true);
    assert.equal(res.body.asset_id, '2cf24dba5fb0a30e');
    const asset = res.body.asset;
    assert.equal(asset.id, '2cf24dba5fb0a30e');
    assert.equal(asset.hash, sha256('hello'));
    assert.equal(asset.bytes, 5);
    assert.equal(asset.type, 'documents');
    assert.equal(asset.path, `documents/${path.basename(src.rel)}`);
    assert.deepEqual(asset.tags, ['Foo', 'BAR']);
    assert.equal(asset.license, 'CC-BY-4.0');
    assert.equal(asset.origin, 'studio-script');
    assert.equal(asset.version, 1);
    assert.deepEqual(asset.links, { file: asset.path, sidecar: `${asset.path}.asset.json` });
    assert.equal(asset.sidecar, `${asset.path}.asset.json`);
    assert.match(asset.created_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(fs.readFileSync(path.join(ws.assets, asset.path), 'utf8'), 'hello');
    assert.ok(ws.exists(src.rel), 'the source is left where it was');

    const sidecar = ws.json(`data/assets/${asset.sidecar}`);
    assert.deepEqual(Object.keys(sidecar), [...SIDECAR_KEYS]);
    assert.deepEqual(sidecar.tags, ['Foo', 'BAR']);
    assert.equal((sidecar.provenance as Record<string, unknown>).source, 'api.register');
    assert.deepEqual(ws.json(`data/assets/_meta/${asset.path}.json`), sidecar);
  });

  test('the default bucket is generic; dest_path may be a folder or a file name', async () => {
    const a = await register({ path: source('a.txt').rel });
    assert.match(a.body.asset.path, /^generic\/\d+-a\.txt$/);
    const b = await register({ path: source('b.txt').rel, dest_path: 'docs/sub' });
    assert.match(b.body.asset.path, /^docs\/sub\/\d+-b\.txt$/);
    const c = await register({ path: source('c.txt').rel, dest_path: 'docs/renamed.md' });
    assert.equal(c.body.asset.path, 'docs/renamed.md');
  });

  test('metadata may be JSON text', async () => {
    const res = await register({ path: source('j.txt').rel, metadata: '{"tags":["json"],"license":"MIT"}' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.asset.tags, ['json']);
    assert.equal(res.body.asset.license, 'MIT');
  });

  test('copy:false registers in place without copying', async () => {
    ws.file('data/assets/inplace/thing.txt', 'in place bytes');
    const res = await register({ path: 'data/assets/inplace/thing.txt', copy: false, asset_type: 'ignored' });
    assert.equal(res.status, 200);
    assert.equal(res.body.asset.path, 'inplace/thing.txt');
    assert.equal(res.body.asset.type, 'ignored');
  });

  test('in place, a sidecar already beside the file is the base of its metadata, never lost', async () => {
    // Made by hand: its tags, licence and title are kept, the request's tags are added.
    ws.file('data/assets/inplace/hand.txt', `hand ${seq++}`);
    ws.file(
      'data/assets/inplace/hand.txt.asset.json',
      JSON.stringify({ tags: ['mine'], license: 'MIT', meta: { title: 'Made by hand' } }),
    );
    const hand = await register({
      path: 'data/assets/inplace/hand.txt',
      copy: false,
      metadata: { tags: ['req'] },
    });
    assert.equal(hand.status, 200, hand.text);
    assert.deepEqual(hand.body.asset.tags, ['mine', 'req']);
    assert.equal(hand.body.asset.license, 'MIT');
    assert.equal(hand.body.asset.metadata.title, 'Made by hand');
    const written = ws.json('data/assets/inplace/hand.txt.asset.json');
    assert.equal(written.id, hand.body.asset_id);
    assert.deepEqual(written.tags, ['mine', 'req']);

    // Left by a registry that was lost: the id it recorded for these bytes is kept.
    const bytes = `lost registry ${seq++}`;
    ws.file('data/assets/inplace/lost.txt', bytes);
    ws.file(
      'data/assets/inplace/lost.txt.asset.json',
      JSON.stringify({ id: 'feedbeefcafe0001', hash: sha256(bytes), tags: ['kept'] }),
    );
    const lost = await register({ path: 'data/assets/inplace/lost.txt', copy: false });
    assert.equal(lost.status, 200, lost.text);
    assert.equal(lost.body.asset_id, 'feedbeefcafe0001');
    assert.deepEqual(lost.body.asset.tags, ['kept']);

    // One that does not parse is refused, untouched, and nothing is registered.
    const typo = '{ "tags": ["mine", }';
    ws.file('data/assets/inplace/typo.txt', `typo ${seq++}`);
    ws.file('data/assets/inplace/typo.txt.asset.json', typo);
    const refused = await register({ path: 'data/assets/inplace/typo.txt', copy: false });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.code, 'sidecar_invalid');
    assert.match(refused.body.message, /inplace\/typo\.txt\.asset\.json .*Fix it or delete it/);
    assert.equal(ws.read('data/assets/inplace/typo.txt.asset.json'), typo);
    const search = await api(url, 'GET', '/api/assets/search?q=inplace/typo.txt');
    assert.equal(search.body.total, 0, 'nothing registered');
  });

  test('hero.png and hero.jpg get separate _meta mirrors (§11.11)', async () => {
    const png = await register({
      path: source('x.bin').rel,
      dest_path: 'mirror/hero.png',
      metadata: { tags: ['png'] },
    });
    const jpg = await register({
      path: source('y.bin').rel,
      dest_path: 'mirror/hero.jpg',
      metadata: { tags: ['jpg'] },
    });
    assert.equal(png.status, 200);
    assert.equal(jpg.status, 200);
    assert.deepEqual(ws.json('data/assets/_meta/mirror/hero.png.json').tags, ['png']);
    assert.deepEqual(ws.json('data/assets/_meta/mirror/hero.jpg.json').tags, ['jpg']);
  });

  test('re-registering the same bytes returns the original id and merges by the reference rules', async () => {
    const content = `dup ${Math.random()}`;
    const first = await register({
      path: source('d1.txt', content).rel,
      metadata: { tags: ['One', 'two'], license: 'CC0', origin: 'o1', notes: 'a' },
    });
    const files = fs.readdirSync(path.join(ws.assets, 'generic')).length;
    const second = await register({
      path: source('d2.txt', content).rel,
      asset_type: 'elsewhere',
      metadata: { tags: ['ONE', 'three'], license: 'Apache-2.0', origin: 'o2', notes: 'b' },
    });
    assert.equal(second.status, 200);
    assert.equal(second.body.created, false);
    assert.equal(second.body.asset_id, first.body.asset_id);
    const asset = second.body.asset;
    assert.equal(asset.path, first.body.asset.path, 'path and type are kept');
    assert.equal(asset.type, 'generic');
    assert.deepEqual(asset.tags, ['One', 'two', 'three']);
    assert.equal(asset.license, 'Apache-2.0');
    assert.equal(asset.origin, 'o2');
    assert.equal(asset.metadata.notes, 'b');
    assert.equal(asset.version, 2, 'a change moves the version up');
    assert.equal(fs.readdirSync(path.join(ws.assets, 'generic')).length, files, 'nothing copied');
    assert.deepEqual(ws.json(`data/assets/${asset.sidecar}`).tags, ['One', 'two', 'three']);

    const third = await register({ path: source('d3.txt', content).rel, metadata: { version: 7 } });
    assert.equal(third.body.asset.version, 7, 'an explicit version wins');
    const prov = await api(url, 'GET', `/api/assets/${asset.id}/provenance`);
    assert.equal(prov.status, 200);
    assert.ok(prov.body.items.length >= 1);
    assert.equal(prov.body.items[0].source, 'api.register');
  });

  test('the same bytes in two projects are two assets', async () => {
    const content = `projects ${Math.random()}`;
    const a = await register({ path: source('p.txt', content).rel, dest_path: 'shared/p.txt' });
    const b = await register({
      path: source('p.txt', content).rel,
      dest_path: 'shared/p.txt',
      project_id: 'other',
    });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(b.body.created, true);
    assert.equal(b.body.asset.project_id, 'other');
    const inDefault = await api(url, 'GET', `/api/assets/search?hash=${a.body.asset.hash}`);
    const inOther = await api(url, 'GET', `/api/assets/search?hash=${a.body.asset.hash}&project_id=other`);
    assert.equal(inDefault.body.total, 1);
    assert.equal(inOther.body.total, 1);
  });

  test('a destination holding another file is never overwritten: 409, or a free name on request', async () => {
    ws.file('data/assets/taken/file.txt', 'original bytes');
    const res = await register({ path: source('z.txt').rel, dest_path: 'taken/file.txt' });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'dest_exists');
    assert.match(res.body.message, /on_conflict/);
    assert.equal(ws.read('data/assets/taken/file.txt'), 'original bytes');
    const renamed = await register({
      path: source('z.txt').rel,
      dest_path: 'taken/file.txt',
      on_conflict: 'rename',
    });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.asset.path, 'taken/file-1.txt');
    assert.equal(ws.read('data/assets/taken/file.txt'), 'original bytes');
  });
});

describe('GET /api/assets/{id}', () => {
  test('answers the asset, or 404 with the error envelope', async () => {
    const created = await register({ path: source('g.txt').rel });
    const res = await api(url, 'GET', `/api/assets/${created.body.asset_id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(
      { ...res.body.asset, updated_at: undefined },
      { ...created.body.asset, updated_at: undefined },
    );
    const missing = await api(url, 'GET', '/api/assets/ffffffffffffffff');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.ok, false);
    assert.equal(missing.body.code, 'not_found');
    assert.equal(missing.body.message, 'Asset not found.');
    assert.ok(missing.body.request_id);
  });
});

describe('GET /api/assets/search', () => {
  const ids: Record<string, string> = {};
  before(async () => {
    const specs = [
      ['s1', 'sprites', ['Cyberpunk', 'runner'], 'CC-BY-4.0', 'Neon Runner'],
      ['s2', 'sprites', ['cyberpunk'], 'cc-by-4.0', 'Street'],
      ['s3', 'music', ['runner', 'loop'], 'MIT', 'Chase theme'],
      ['s4', 'music', [], null, 'zz'],
    ] as const;
    for (const [name, type, tags, license, title] of specs) {
      const res = await register({
        path: source(`${name}.dat`, `search ${name} ${'x'.repeat(name.length * 10)}`).rel,
        asset_type: `find-${type}`,
        metadata: { tags: [...tags, 'searchset'], license, title },
      });
      ids[name] = res.body.asset_id;
    }
  });
  const search = (query: string) => api(url, 'GET', `/api/assets/search?tags=searchset&${query}`);
  const found = (body: { items: Array<{ id: string }> }) => body.items.map((i) => i.id).sort();
  const idsOf = (...names: string[]) => names.map((n) => ids[n]).sort();

  test('type, tags (AND, case-insensitive, repeated or comma-separated) and licence filters', async () => {
    assert.deepEqual(found((await search('type=find-sprites')).body), idsOf('s1', 's2'));
    assert.deepEqual(found((await search('tags=CYBERPUNK,Runner')).body), idsOf('s1'));
    assert.deepEqual(found((await search('tag=runner&tag=loop')).body), idsOf('s3'));
    assert.deepEqual(found((await search('license=CC-BY-4.0')).body), idsOf('s1', 's2'));
    assert.deepEqual(found((await search('license=mit')).body), idsOf('s3'));
  });

  test('q and its alias text: case-insensitive substring of path and textual metadata, any length', async () => {
    assert.deepEqual(found((await search('q=NEON')).body), idsOf('s1'));
    assert.deepEqual(found((await search('text=chase th')).body), idsOf('s3'));
    assert.deepEqual(found((await search('q=zz')).body), idsOf('s4'));
    assert.deepEqual(
      found((await search('q=find-mus')).body),
      idsOf('s3', 's4'),
      'the path includes its folder',
    );
    assert.deepEqual(found((await search('q=s3.dat')).body), idsOf('s3'));
    assert.equal((await search('q=nothing-like-this')).body.total, 0);
    // A NUL (which the trigram index's query syntax cannot hold) is searched for like any character.
    for (const q of ['%00', 'ne%00', 'neon%00']) {
      const res = await search(`q=${q}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.total, 0);
    }
  });

  test('a q of 1-2 characters (answered off the request thread) sees an asset registered just before', async () => {
    const late = await register({
      path: source('late.dat', 'registered late').rel,
      asset_type: 'find-late',
      metadata: { title: 'Qz' },
    });
    const id = late.body.asset_id as string;
    const page = await api(url, 'GET', '/api/assets/search?q=QZ');
    assert.equal(page.body.total, 1);
    assert.deepEqual(found(page.body), [id]);
    assert.equal(page.body.items[0].metadata.title, 'Qz');
    assert.deepEqual((await api(url, 'GET', '/api/assets/ids?q=qz')).body.ids, [id]);
    await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { title: 'Late' } });
    assert.equal((await api(url, 'GET', '/api/assets/search?q=qz')).body.total, 0, 'the edit is seen too');
  });

  test('hash, limit, total, offset, sort and order', async () => {
    const one = await api(
      url,
      'GET',
      `/api/assets/search?hash=${(await api(url, 'GET', `/api/assets/${ids.s2}`)).body.asset.hash.toUpperCase()}`,
    );
    assert.deepEqual(found(one.body), idsOf('s2'));
    const limited = await search('limit=1');
    assert.equal(limited.body.items.length, 1);
    assert.equal(limited.body.total, 4, 'total counts every match, not just this page');
    assert.equal(limited.body.filters.limit, 1);
    const byBytes = await search('sort=bytes&order=asc');
    const bytes = byBytes.body.items.map((i: { bytes: number }) => i.bytes);
    assert.deepEqual(
      bytes,
      [...bytes].sort((a, b) => a - b),
    );
    const page2 = await search('sort=path&order=asc&limit=2&offset=2');
    const all = await search('sort=path&order=asc');
    assert.deepEqual(
      page2.body.items.map((i: { id: string }) => i.id),
      all.body.items.slice(2).map((i: { id: string }) => i.id),
    );
    const newest = await search('');
    assert.equal(newest.body.items[0].id, ids.s4, 'newest first by default');
  });

  test('limit outside 1-500 is a 422; include_debug lists hooks and roots; filters are echoed', async () => {
    assert.equal((await search('limit=0')).status, 422);
    assert.equal((await search('limit=501')).status, 422);
    const res = await search('include_debug=true&q=neon');
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body.debug.hooks).slice(0, 4), REFERENCE_EVENTS);
    assert.equal(res.body.debug.assets_root, ws.assets);
    assert.equal(res.body.debug.project_id, 'default');
    assert.deepEqual(res.body.filters.tags, ['searchset']);
    assert.equal(res.body.filters.q, 'neon');
    assert.equal((await search('')).body.debug, null);
  });
});

describe('PATCH, bulk and DELETE', () => {
  test('PATCH merges (null removes a key) or replaces; the version moves; the sidecar follows', async () => {
    const created = await register({
      path: source('m.txt').rel,
      metadata: { tags: ['a'], license: 'MIT', notes: 'n' },
    });
    const id = created.body.asset_id;
    const merged = await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { title: 'T', notes: null } });
    assert.equal(merged.status, 200);
    assert.equal(merged.body.asset.metadata.title, 'T');
    assert.ok(!('notes' in merged.body.asset.metadata));
    assert.equal(merged.body.asset.license, 'MIT');
    assert.equal(merged.body.asset.version, 2);
    const replaced = await api(url, 'PATCH', `/api/assets/${id}`, {
      metadata: { tags: ['z'] },
      mode: 'replace',
    });
    assert.deepEqual(replaced.body.asset.metadata, { tags: ['z'], version: 3 });
    const sidecar = ws.json(`data/assets/${created.body.asset.sidecar}`);
    assert.deepEqual(sidecar.tags, ['z']);
    assert.equal(sidecar.version, 3);
    assert.ok(sidecar.provenance, 'provenance survives metadata edits (§11.10)');
    const same = await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { tags: ['z'] } });
    assert.equal(same.body.asset.version, 3, 'a write that changes nothing keeps the version');
    assert.equal((await api(url, 'PATCH', '/api/assets/ffffffffffffffff', { metadata: {} })).status, 404);
  });

  test('bulk: add/remove tags and apply/clear a licence on many ids; unknown ids reported', async () => {
    const a = (await register({ path: source('b1.txt').rel, metadata: { tags: ['A', 'b'] } })).body.asset;
    const b = (await register({ path: source('b2.txt').rel, metadata: { tags: ['x'], license: 'MIT' } })).body
      .asset;
    const res = await api(url, 'POST', '/api/assets/bulk', {
      ids: [a.id, b.id, 'ffffffffffffffff'],
      add_tags: ' c ,B',
      remove_tags: ['a'],
      license: 'CC0',
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.updated, 2);
    assert.deepEqual(res.body.missing, ['ffffffffffffffff']);
    assert.deepEqual((await api(url, 'GET', `/api/assets/${a.id}`)).body.asset.tags, ['b', 'c']);
    assert.deepEqual(ws.json(`data/assets/${b.sidecar}`).tags, ['x', 'c', 'B']);
    assert.equal(ws.json(`data/assets/${b.sidecar}`).license, 'CC0');
    const cleared = await api(url, 'POST', '/api/assets/bulk', { ids: [a.id, b.id], clear_license: true });
    assert.equal(cleared.status, 200);
    assert.equal((await api(url, 'GET', `/api/assets/${b.id}`)).body.asset.license, null);
    assert.ok(!('license' in (ws.json(`data/assets/${b.sidecar}`).meta as object)));
    const nothing = await api(url, 'POST', '/api/assets/bulk', { ids: [a.id] });
    assert.equal(nothing.status, 400);
    assert.match(nothing.body.message, /No bulk edits specified/);
  });

  test('bulk: a sidecar that cannot be written is an error naming the asset; the others land', async () => {
    const assets = [];
    for (const name of ['w1.txt', 'w2.txt', 'w3.txt'])
      assets.push((await register({ path: source(name).rel })).body.asset);
    const [first, blocked, last] = assets;
    // A folder where the blocked asset's mirror goes: the atomic rename cannot replace it.
    fs.rmSync(path.join(ws.assets, '_meta', `${blocked.path}.json`));
    fs.mkdirSync(path.join(ws.assets, '_meta', `${blocked.path}.json`, 'x'), { recursive: true });
    const res = await api(url, 'POST', '/api/assets/bulk', {
      ids: assets.map((a) => a.id),
      add_tags: ['tagged'],
    });
    assert.equal(res.status, 500);
    assert.equal(res.body.code, 'sidecar_write_failed');
    assert.match(res.body.message, new RegExp(blocked.id));
    assert.match(res.body.message, /enforce/);
    for (const asset of [first, last])
      assert.deepEqual(ws.json(`data/assets/${asset.sidecar}`).tags, ['tagged']);
    // The registry kept the edit; enforce can write the missing sidecar once the cause is gone.
    assert.deepEqual((await api(url, 'GET', `/api/assets/${blocked.id}`)).body.asset.tags, ['tagged']);
    fs.rmSync(path.join(ws.assets, '_meta', `${blocked.path}.json`), { recursive: true });
  });

  test('bulk with wait: false is a job: 202 at once, progress per chunk (events and /api/jobs/{id}), then its summary', async () => {
    for (let i = 0; i < 300; i++) ws.file(`data/assets/bulkjob/item-${i}.txt`, `bulk job item ${i}`);
    const rebuilt = await api(url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: false });
    assert.equal(rebuilt.status, 200, rebuilt.text);
    const { ids } = (await api(url, 'GET', '/api/assets/ids?tags=bulkjob')).body as { ids: string[] };
    assert.equal(ids.length, 300);
    const stream = await openStream(url);
    try {
      const res = await api(url, 'POST', '/api/assets/bulk', {
        ids: [...ids, 'ffffffffffffffff'],
        add_tags: ['reviewed'],
        wait: false,
      });
      assert.equal(res.status, 202, res.text);
      const jobId = res.body.job_id as string;
      assert.equal(res.body.status_url, `/api/jobs/${jobId}`);
      const ofJob = (frames: SseFrame[]) =>
        frames
          .filter((f) => f.event === 'bulk_progress' && f.data.data.job_id === jobId)
          .map((f) => f.data.data);
      const events = ofJob(await stream.until((frames) => ofJob(frames).some((e) => e.status !== 'running')));
      const done = events.filter((e) => e.status === 'running').map((e) => e.done as number);
      assert.ok(done.length >= 2, `progress after each chunk (${JSON.stringify(done)})`);
      assert.ok(
        done.some((n) => n > 0 && n < 301),
        'progress part-way',
      );
      assert.deepEqual(
        done,
        [...done].sort((a, b) => a - b),
        'progress only moves forward',
      );
      const end = events.at(-1) as Record<string, any>;
      assert.equal(end.status, 'done');
      assert.equal(end.total, 301);
      assert.equal(typeof end.summary.change_id, 'number', 'the change recorded, to undo it');
      assert.deepEqual(end.summary, {
        updated: 300,
        missing: ['ffffffffffffffff'],
        change_id: end.summary.change_id,
      });
      const job = (await api(url, 'GET', `/api/jobs/${jobId}`)).body.job;
      assert.equal(job.kind, 'bulk_edit');
      assert.equal(job.status, 'done');
      assert.deepEqual(job.progress, { done: 301, total: 301 });
      assert.ok(job.finished_at);
      assert.deepEqual(ws.json(`data/assets/bulkjob/item-7.txt.asset.json`).tags, [
        'bulkjob',
        'item-7',
        'reviewed',
      ]);
    } finally {
      await stream.close();
    }
  });

  test('DELETE removes the record, sidecar and mirror, keeps the file unless delete_file=true', async () => {
    const kept = (await register({ path: source('k.txt').rel })).body.asset;
    const res = await api(url, 'DELETE', `/api/assets/${kept.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.file_deleted, false);
    assert.ok(fs.existsSync(path.join(ws.assets, kept.path)));
    assert.ok(!fs.existsSync(path.join(ws.assets, kept.sidecar)));
    assert.ok(!ws.exists(`data/assets/_meta/${kept.path}.json`));
    assert.equal((await api(url, 'GET', `/api/assets/${kept.id}`)).status, 404);
    const gone = (await register({ path: source('g.txt').rel })).body.asset;
    const del = await api(url, 'DELETE', `/api/assets/${gone.id}?delete_file=true`);
    assert.equal(del.body.file_deleted, true);
    assert.ok(!fs.existsSync(path.join(ws.assets, gone.path)));
    assert.equal((await api(url, 'DELETE', `/api/assets/${gone.id}`)).status, 404);
  });

  test('POST /api/assets/remove removes many: rows, sidecars and mirrors; files only with delete_files; unknown ids listed', async () => {
    const add = async (name: string) => (await register({ path: source(name).rel })).body.asset;
    const kept = [await add('r1.txt'), await add('r2.txt')];
    const res = await api(url, 'POST', '/api/assets/remove', {
      ids: [kept[0].id, 'ffffffffffffffff', kept[1].id, kept[0].id],
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.removed, 2);
    assert.deepEqual(res.body.missing, ['ffffffffffffffff']);
    assert.equal(res.body.files_deleted, 0);
    assert.deepEqual(res.body.files_kept, []);
    for (const asset of kept) {
      assert.ok(fs.existsSync(path.join(ws.assets, asset.path)), 'the file stays');
      assert.ok(!fs.existsSync(path.join(ws.assets, asset.sidecar)));
      assert.ok(!ws.exists(`data/assets/_meta/${asset.path}.json`));
      assert.equal((await api(url, 'GET', `/api/assets/${asset.id}`)).status, 404);
    }
    const doomed = [await add('d1.txt'), await add('d2.txt')];
    fs.rmSync(path.join(ws.assets, doomed[1].path)); // already gone from disk: said so, not an error
    const del = await api(url, 'POST', '/api/assets/remove', {
      ids: doomed.map((a) => a.id),
      delete_files: true,
    });
    assert.equal(del.status, 200, del.text);
    assert.equal(del.body.files_deleted, 1);
    assert.deepEqual(del.body.files_kept, [{ id: doomed[1].id, reason: 'the file was already gone' }]);
    assert.ok(!fs.existsSync(path.join(ws.assets, doomed[0].path)));
    assert.equal((await api(url, 'POST', '/api/assets/remove', { ids: [] })).status, 422);
  });

  test('remove with wait: false is a job: 202 at once, progress per chunk, an asset_removed per asset', async () => {
    const { ids } = (await api(url, 'GET', '/api/assets/ids?tags=bulkjob')).body as { ids: string[] };
    assert.equal(ids.length, 300);
    const stream = await openStream(url);
    try {
      const res = await api(url, 'POST', '/api/assets/remove', { ids, wait: false });
      assert.equal(res.status, 202, res.text);
      const jobId = res.body.job_id as string;
      const ofJob = (frames: SseFrame[]) =>
        frames
          .filter((f) => f.event === 'remove_progress' && f.data.data.job_id === jobId)
          .map((f) => f.data.data);
      const frames = await stream.until((all) => ofJob(all).some((e) => e.status !== 'running'));
      const events = ofJob(frames);
      assert.deepEqual(
        events.filter((e) => e.status === 'running').map((e) => e.done),
        [128, 256, 300],
      );
      const last = events.at(-1)?.summary;
      assert.equal(typeof last?.change_id, 'number', 'files kept: the removal can be undone');
      assert.deepEqual(last, { removed: 300, missing: [], files_deleted: 0, change_id: last?.change_id });
      assert.equal(frames.filter((f) => f.event === 'asset_removed').length, 300);
      const job = (await api(url, 'GET', `/api/jobs/${jobId}`)).body.job;
      assert.equal(job.kind, 'remove');
      assert.equal(job.summary.removed, 300);
      assert.equal((await api(url, 'GET', '/api/assets/search?tags=bulkjob')).body.total, 0);
    } finally {
      await stream.close();
    }
  });
});

describe('file, sidecar, provenance and upload routes', () => {
  test('download returns the bytes with a file name', async () => {
    const src = source('dl.txt', 'download me');
    const asset = (await register({ path: src.rel })).body.asset;
    const res = await fetch(`${url}/api/assets/${asset.id}/file`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'download me');
    assert.match(res.headers.get('content-disposition') ?? '', /dl\.txt/);
    // Its file deleted behind the registry's back: a 404 that says so, not "No route".
    fs.rmSync(path.join(ws.assets, asset.path));
    const gone = await api(url, 'GET', `/api/assets/${asset.id}/file`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'file_missing');
    assert.match(
      gone.body.message,
      new RegExp(`${asset.path}\\) is not in the assets root any more.*rebuild`),
    );
  });

  test('sidecar route: parsed JSON; a corrupted sidecar is 422, a missing one 404', async () => {
    const asset = (await register({ path: source('sc.txt').rel })).body.asset;
    const ok = await api(url, 'GET', `/api/assets/${asset.id}/sidecar`);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.sidecar.id, asset.id);
    assert.equal(ok.body.path, path.join(ws.assets, asset.sidecar));
    fs.writeFileSync(path.join(ws.assets, asset.sidecar), '{broken');
    const bad = await api(url, 'GET', `/api/assets/${asset.id}/sidecar`);
    assert.equal(bad.status, 422);
    assert.equal(bad.body.code, 'sidecar_invalid');
    fs.rmSync(path.join(ws.assets, asset.sidecar));
    const missing = await api(url, 'GET', `/api/assets/${asset.id}/sidecar`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'sidecar_missing');
  });

  test('upload: streamed, file name sanitised, metadata as JSON text', async () => {
    const form = new FormData();
    form.append('asset_type', 'uploads');
    form.append('metadata', '{"tags":["up"],"license":"CC0"}');
    form.append('file', new Blob(['uploaded bytes']), '../../evil name.txt');
    const res = await fetch(`${url}/api/assets/upload`, { method: 'POST', body: form });
    const body = (await res.json()) as {
      ok: boolean;
      asset: { path: string; tags: string[]; license: string };
    };
    assert.equal(res.status, 200);
    assert.equal(body.asset.path, 'uploads/evil name.txt');
    assert.deepEqual(body.asset.tags, ['up']);
    assert.equal(ws.read('data/assets/uploads/evil name.txt'), 'uploaded bytes');
    assert.deepEqual(stagedLeftovers(ws.assets), [], 'no upload left in staging');

    // The same bytes again: the original asset, and still nothing left behind.
    const again = new FormData();
    again.append('file', new Blob(['uploaded bytes']), 'copy.txt');
    const againRes = await fetch(`${url}/api/assets/upload`, { method: 'POST', body: again });
    const againBody = (await againRes.json()) as {
      created: boolean;
      asset_id: string;
      asset: { path: string };
    };
    assert.equal(againRes.status, 200);
    assert.equal(againBody.created, false);
    assert.equal(againBody.asset.path, 'uploads/evil name.txt');
    assert.deepEqual(stagedLeftovers(ws.assets), []);

    const bad = new FormData();
    bad.append('metadata', '{nope');
    bad.append('file', new Blob(['x']), 'x.txt');
    const badRes = await fetch(`${url}/api/assets/upload`, { method: 'POST', body: bad });
    assert.equal(badRes.status, 400);
    assert.match(((await badRes.json()) as { message: string }).message, /^metadata must be valid JSON/);
  });
});

describe('hooks over HTTP, OPTIONS, docs and request ids', () => {
  test('history shows sidecar_written then registered with the reference payloads', async () => {
    const asset = (await register({ path: source('h.txt').rel, metadata: { tags: ['hook'] } })).body.asset;
    const res = await api(url, 'GET', '/api/assets/debug/history?limit=5');
    const mine = res.body.items.filter((e: { data: { uid: string } }) => e.data.uid === asset.id);
    assert.deepEqual(
      mine.map((e: { event: string }) => e.event),
      ['asset_sidecar_written', 'asset_registered'],
    );
    assert.deepEqual(Object.keys(mine[0].data).sort(), ['rel_path', 'sidecar', 'type', 'uid']);
    assert.equal(mine[0].data.sidecar, path.join(ws.assets, asset.sidecar));
    assert.deepEqual(Object.keys(mine[1].data).sort(), ['bytes', 'meta', 'path', 'sidecar', 'type', 'uid']);
    assert.deepEqual(mine[1].data.meta.tags, ['hook']);
    const hooks = await api(url, 'GET', '/api/assets/debug/hooks');
    assert.equal(hooks.status, 200);
    assert.ok(Array.isArray(hooks.body.hooks.asset_registered));
  });

  test('OPTIONS answers 204 with Allow on the API routes', async () => {
    for (const [route, method] of [
      ['/api/assets/register', 'POST'],
      ['/api/assets/search', 'GET'],
      ['/api/assets/abc', 'PATCH'],
    ] as const) {
      const res = await fetch(url + route, { method: 'OPTIONS' });
      assert.equal(res.status, 204, route);
      assert.ok(res.headers.get('allow')?.includes(method), `${route}: ${res.headers.get('allow')}`);
    }
  });

  test('OpenAPI at /docs/json lists the routes; X-Request-ID is echoed', async () => {
    const doc = await api(url, 'GET', '/docs/json');
    assert.equal(doc.status, 200);
    for (const route of [
      '/api/assets/register',
      '/api/assets/search',
      '/api/assets/{id}',
      '/api/assets/bulk',
    ]) {
      assert.ok(doc.body.paths[route], route);
    }
    const res = await api(url, 'GET', '/health', undefined, { 'x-request-id': 'trace-123' });
    assert.equal(res.headers.get('x-request-id'), 'trace-123');
    assert.equal(res.body.live_folder, 'off', 'served without --watch');
  });
});

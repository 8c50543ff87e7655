/**
 * Every `/api/assets/*` route (except search, see search.test.ts) over real HTTP against a real
 * server process in a temporary workspace: what a user of the API would check.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, postFile, startServer, type RunningServer } from '../helpers/server.js';
import { listFiles, makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { assertErrorEnvelope, SIDECAR_KEYS, REFERENCE_EVENTS } from '../helpers/contract.js';

let ws: Workspace;
let server: RunningServer;
let url: string;
let seq = 0;

/** A source file under `incoming/` with content unique to this call (so dedupe never interferes). */
function source(name: string, content?: string): { rel: string; content: string; base: string } {
  seq++;
  const body = content ?? `content of ${name} #${seq} ${process.hrtime.bigint()}`;
  const rel = `incoming/${seq}/${name}`;
  ws.file(rel, body);
  return { rel, content: body, base: name };
}

const register = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  api(url, 'POST', '/api/assets/register', body, headers);
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const assetFile = (rel: string) => path.join(ws.assets, rel);
const sidecarOf = (rel: string) => ws.json(`data/assets/${rel}.asset.json`);
const mirrorOf = (rel: string) => ws.json(`data/assets/_meta/${rel}.json`);

/** Registers a fresh file and returns the asset payload (asserting the call succeeded). */
async function registered(
  name: string,
  extra: Record<string, unknown> = {},
  content?: string,
): Promise<{ asset: any; src: { rel: string; content: string; base: string } }> {
  const src = source(name, content);
  const res = await register({ path: src.rel, ...extra });
  assert.equal(res.status, 200, res.text);
  return { asset: res.body.asset, src };
}

before(async () => {
  ws = makeWorkspace('areg-routes-');
  server = await startServer(ws.dir);
  url = server.url;
});

after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('POST /api/assets/register', () => {
  test('copies into generic/<basename> with the spec payload; id is the sha256 prefix', async () => {
    const src = source('greeting.txt', 'hello');
    const res = await register({ path: src.rel });
    assert.equal(res.status, 200, res.text);
    const { body } = res;
    assert.equal(body.ok, true);
    assert.equal(body.created, true);
    const fullHash = sha256('hello');
    assert.equal(fullHash.slice(0, 16), '2cf24dba5fb0a30e');
    assert.equal(body.asset_id, '2cf24dba5fb0a30e');
    const a = body.asset;
    for (const key of ['id', 'uid', 'type', 'path', 'hash', 'bytes', 'tags', 'license', 'origin']) {
      assert.ok(key in a, `asset.${key} missing`);
    }
    for (const key of ['version', 'metadata', 'links', 'sidecar'])
      assert.ok(key in a, `asset.${key} missing`);
    assert.equal(a.id, '2cf24dba5fb0a30e');
    assert.equal(a.uid, a.id);
    assert.equal(a.type, 'generic');
    assert.equal(a.path, 'generic/greeting.txt');
    assert.equal(a.hash, fullHash);
    assert.equal(a.hash.length, 64);
    assert.equal(a.bytes, 5);
    assert.deepEqual(a.tags, []);
    assert.equal(a.license, null);
    assert.equal(a.origin, null);
    assert.equal(a.version, 1);
    assert.deepEqual(a.metadata.tags, []);
    assert.equal(a.metadata.version, 1);
    assert.equal(a.sidecar, 'generic/greeting.txt.asset.json');
    assert.deepEqual(a.links, { file: 'generic/greeting.txt', sidecar: 'generic/greeting.txt.asset.json' });
    assert.equal(fs.readFileSync(assetFile(a.path), 'utf8'), 'hello');
    // The source is left where it was.
    assert.equal(ws.read(src.rel), 'hello');
  });

  test('asset_type picks the bucket, metadata is normalised, bytes on disk equal the source', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13, 0, 99]);
    seq++;
    const rel = `incoming/${seq}/blob.bin`;
    ws.file(rel, bytes);
    const res = await register({
      path: rel,
      asset_type: 'sprites',
      metadata: { tags: [' Foo', 'foo', 'BAR', ''], license: ' CC-BY-4.0 ', origin: 'studio', notes: 'n' },
    });
    assert.equal(res.status, 200, res.text);
    const a = res.body.asset;
    assert.equal(a.type, 'sprites');
    assert.equal(a.path, 'sprites/blob.bin');
    assert.equal(a.hash, sha256(bytes));
    assert.equal(a.id, sha256(bytes).slice(0, 16));
    assert.equal(a.bytes, bytes.length);
    assert.deepEqual(a.tags, ['Foo', 'BAR']);
    assert.equal(a.license, 'CC-BY-4.0');
    assert.equal(a.origin, 'studio');
    assert.equal(a.metadata.notes, 'n');
    assert.deepEqual(fs.readFileSync(assetFile('sprites/blob.bin')), bytes);
  });

  test('dest_path without an extension is a folder; with one it is the file name', async () => {
    const folder = source('report.txt');
    const r1 = await register({ path: folder.rel, dest_path: 'docs/reports' });
    assert.equal(r1.status, 200, r1.text);
    assert.equal(r1.body.asset.path, 'docs/reports/report.txt');
    assert.equal(fs.readFileSync(assetFile('docs/reports/report.txt'), 'utf8'), folder.content);

    const file = source('draft.txt');
    const r2 = await register({ path: file.rel, dest_path: 'docs/final/renamed.md', asset_type: 'ignored' });
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.body.asset.path, 'docs/final/renamed.md');
    assert.equal(fs.readFileSync(assetFile('docs/final/renamed.md'), 'utf8'), file.content);
    assert.equal(ws.exists('data/assets/ignored/draft.txt'), false);
    assert.equal(ws.exists('data/assets/docs/final/renamed.md.asset.json'), true);
  });

  test('copy:false registers a file in place under the root without copying it', async () => {
    const content = `in place ${process.hrtime.bigint()}`;
    ws.file('data/assets/inplace/keep.txt', content);
    const before = listFiles(ws.assets).filter((f) => !f.startsWith('_meta/') && !f.endsWith('.asset.json'));
    const res = await register({ path: 'data/assets/inplace/keep.txt', copy: false, asset_type: 'other' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.asset.path, 'inplace/keep.txt');
    assert.equal(res.body.asset.hash, sha256(content));
    const afterFiles = listFiles(ws.assets).filter(
      (f) => !f.startsWith('_meta/') && !f.endsWith('.asset.json'),
    );
    assert.deepEqual(afterFiles, before, 'no file was copied');
    assert.equal(ws.read('data/assets/inplace/keep.txt'), content);
    assert.equal(ws.exists('data/assets/inplace/keep.txt.asset.json'), true);
  });

  test('copy:false on a file a hand moved (not yet seen) is that asset at its new path', async () => {
    // (Was: the answer named the asset at its old path, where no file was, and the file registered
    // had no row.)
    const content = `moved by hand ${process.hrtime.bigint()}`;
    ws.file('data/assets/inplace/before.txt', content);
    const first = await register({
      path: 'data/assets/inplace/before.txt',
      copy: false,
      metadata: { tags: ['kept'], license: 'CC0-1.0' },
    });
    assert.equal(first.status, 200, first.text);
    fs.mkdirSync(assetFile('inplace/later'), { recursive: true });
    fs.renameSync(assetFile('inplace/before.txt'), assetFile('inplace/later/after.txt'));
    const res = await register({
      path: 'data/assets/inplace/later/after.txt',
      copy: false,
      metadata: { title: 'After' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.created, false);
    assert.equal(res.body.asset.id, first.body.asset.id, 'the same asset');
    assert.equal(res.body.asset.path, 'inplace/later/after.txt');
    assert.deepEqual(res.body.asset.tags, ['kept']);
    assert.equal(res.body.asset.license, 'CC0-1.0');
    assert.equal(res.body.asset.metadata.title, 'After');
    assert.equal(ws.exists('data/assets/inplace/later/after.txt.asset.json'), true);
    assert.equal(ws.exists('data/assets/inplace/before.txt.asset.json'), false, 'no sidecar left behind');
    const atOld = await api(url, 'GET', `/api/assets/search?q=${encodeURIComponent('inplace/before.txt')}`);
    assert.equal(atOld.body.total, 0);
  });

  test('copy:false with a source outside the assets root is a 400 and writes nothing', async () => {
    const src = source('outside.txt');
    const before = listFiles(ws.assets);
    const res = await register({ path: src.rel, copy: false });
    assert.equal(res.status, 400, res.text);
    assertErrorEnvelope(res.body, 400);
    assert.deepEqual(listFiles(ws.assets), before);
  });

  test('a missing source is a 404; a source outside the workspace is a 403 source_not_allowed', async () => {
    const missing = await register({ path: 'incoming/does-not-exist.txt' });
    assert.equal(missing.status, 404, missing.text);
    assertErrorEnvelope(missing.body, 404);

    const outsideDir = fs.mkdtempSync(path.join(os.tmpdir(), 'areg-outside-'));
    try {
      const outside = path.join(outsideDir, 'secret.txt');
      fs.writeFileSync(outside, `secret ${process.hrtime.bigint()}`);
      const before = listFiles(ws.assets);
      const res = await register({ path: outside });
      assert.equal(res.status, 403, res.text);
      assertErrorEnvelope(res.body, 403, 'source_not_allowed');
      assert.deepEqual(listFiles(ws.assets), before);
    } finally {
      fs.rmSync(outsideDir, { recursive: true, force: true });
    }
  });

  test('writes the sidecar with the reference key order and an identical _meta mirror', async () => {
    const { asset } = await registered('sidecar-check.txt', {
      asset_type: 'notes',
      metadata: { tags: ['x'], license: 'MIT', origin: 'o' },
    });
    const doc = sidecarOf(asset.path);
    assert.deepEqual(Object.keys(doc), [...SIDECAR_KEYS]);
    assert.equal(doc.id, asset.id);
    assert.equal(doc.uid, asset.id);
    assert.equal(doc.type, 'notes');
    assert.equal(doc.path, asset.path);
    assert.equal(doc.hash, asset.hash);
    assert.equal(doc.bytes, asset.bytes);
    assert.deepEqual(doc.tags, ['x']);
    assert.equal(doc.license, 'MIT');
    assert.equal(doc.origin, 'o');
    assert.equal(doc.version, 1);
    assert.equal((doc.meta as any).license, 'MIT');
    assert.deepEqual(doc.links, { file: asset.path, sidecar: `${asset.path}.asset.json` });
    assert.equal((doc.provenance as any).source, 'api.register');
    // 2-space indented JSON text.
    assert.match(ws.read(`data/assets/${asset.path}.asset.json`), /^\{\n {2}"id": /);
    assert.deepEqual(mirrorOf(asset.path), doc);
  });

  test('hero.png and hero.jpg get separate _meta mirrors', async () => {
    const png = await registered('hero.png', { asset_type: 'images', metadata: { tags: ['png'] } });
    const jpg = await registered('hero.jpg', { asset_type: 'images', metadata: { tags: ['jpg'] } });
    assert.equal(png.asset.path, 'images/hero.png');
    assert.equal(jpg.asset.path, 'images/hero.jpg');
    const pngMirror = mirrorOf('images/hero.png');
    const jpgMirror = mirrorOf('images/hero.jpg');
    assert.equal(pngMirror.path, 'images/hero.png');
    assert.equal(pngMirror.id, png.asset.id);
    assert.equal(jpgMirror.path, 'images/hero.jpg');
    assert.equal(jpgMirror.id, jpg.asset.id);
  });

  test('metadata given as a JSON string is accepted', async () => {
    const { asset } = await registered('json-meta.txt', {
      metadata: JSON.stringify({ tags: ['from-string'], license: 'CC0-1.0', title: 'T' }),
    });
    assert.deepEqual(asset.tags, ['from-string']);
    assert.equal(asset.license, 'CC0-1.0');
    assert.equal(asset.metadata.title, 'T');
  });

  test('a licence given only inside metadata is the asset licence', async () => {
    const { asset } = await registered('lic-only.txt', { metadata: { license: 'Apache-2.0' } });
    assert.equal(asset.license, 'Apache-2.0');
    assert.equal(asset.metadata.license, 'Apache-2.0');
    const got = await api(url, 'GET', `/api/assets/${asset.id}`);
    assert.equal(got.body.asset.license, 'Apache-2.0');
  });

  test('a duplicate returns the same id, copies nothing and merges metadata by the rules', async () => {
    const content = `duplicate content ${process.hrtime.bigint()}`;
    const first = source('dup-a.txt', content);
    const r1 = await register({
      path: first.rel,
      metadata: { tags: ['One', 'two'], license: 'CC0', origin: 'o1', notes: 'n1', keep: 'k' },
    });
    assert.equal(r1.status, 200, r1.text);
    assert.equal(r1.body.created, true);
    const id = r1.body.asset_id;

    const second = source('dup-b.txt', content);
    const r2 = await register({
      path: second.rel,
      asset_type: 'elsewhere',
      metadata: { tags: ['ONE', 'three'], license: 'Apache-2.0', origin: 'o2', notes: 'n2' },
    });
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.body.asset_id, id);
    assert.equal(r2.body.created, false);
    const a = r2.body.asset;
    assert.equal(a.path, 'generic/dup-a.txt', 'the first path is kept');
    assert.equal(a.type, 'generic');
    assert.deepEqual(a.tags, ['One', 'two', 'three']);
    assert.equal(a.license, 'Apache-2.0');
    assert.equal(a.origin, 'o2');
    assert.equal(a.metadata.notes, 'n2');
    assert.equal(a.metadata.keep, 'k');
    assert.equal(a.version, 2);
    assert.equal(ws.exists('data/assets/generic/dup-b.txt'), false);
    assert.equal(ws.exists('data/assets/elsewhere/dup-b.txt'), false);
    assert.equal(ws.exists('data/assets/elsewhere'), false, 'no empty folder left behind');

    // The sidecar shows the merge and still carries provenance.
    const doc = sidecarOf(a.path);
    assert.deepEqual(doc.tags, ['One', 'two', 'three']);
    assert.equal(doc.license, 'Apache-2.0');
    assert.equal(doc.version, 2);
    assert.ok(doc.provenance, 'provenance block kept in the sidecar');

    // Two registrations: two provenance records.
    const prov = await api(url, 'GET', `/api/assets/${id}/provenance`);
    assert.equal(prov.status, 200, prov.text);
    assert.equal(prov.body.items.length, 2);

    // Only one row for the content.
    const search = await api(url, 'GET', `/api/assets/search?hash=${a.hash}`);
    assert.equal(search.body.total, 1);
  });

  test('a duplicate with no metadata change keeps the version; an explicit version wins', async () => {
    const content = `version content ${process.hrtime.bigint()}`;
    const r1 = await register({ path: source('ver-a.txt', content).rel, metadata: { tags: ['v'] } });
    assert.equal(r1.body.asset.version, 1);
    const r2 = await register({ path: source('ver-b.txt', content).rel, metadata: { tags: ['V'] } });
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.body.asset.version, 1, 'nothing changed (tag already present)');
    assert.deepEqual(r2.body.asset.tags, ['v']);
    const r3 = await register({
      path: source('ver-c.txt', content).rel,
      metadata: { version: 7, notes: 'x' },
    });
    assert.equal(r3.body.asset.version, 7);
    assert.equal(sidecarOf(r3.body.asset.path).version, 7);
    const r4 = await register({ path: source('ver-d.txt', content).rel, metadata: { notes: 'y' } });
    assert.equal(r4.body.asset.version, 8);
  });

  test('the same bytes may be registered in two projects', async () => {
    const content = `project content ${process.hrtime.bigint()}`;
    const src = source('shared.txt', content);
    const a = await register({ path: src.rel, metadata: { tags: ['default-tag'] } });
    assert.equal(a.status, 200, a.text);
    const b = await register({ path: src.rel, project_id: 'p2', metadata: { tags: ['p2-tag'] } });
    assert.equal(b.status, 200, b.text);
    assert.equal(b.body.created, true);
    assert.equal(b.body.asset_id, a.body.asset_id);
    assert.equal(b.body.asset.project_id, 'p2');
    assert.deepEqual(b.body.asset.tags, ['p2-tag']);

    const inDefault = await api(url, 'GET', `/api/assets/${a.body.asset_id}`);
    assert.deepEqual(inDefault.body.asset.tags, ['default-tag'], 'projects do not share metadata');
    const inP2 = await api(url, 'GET', `/api/assets/${a.body.asset_id}?project_id=p2`);
    assert.equal(inP2.status, 200, inP2.text);
    assert.deepEqual(inP2.body.asset.tags, ['p2-tag']);
    const unknownProject = await api(url, 'GET', `/api/assets/${a.body.asset_id}?project_id=p3`);
    assert.equal(unknownProject.status, 404);
  });

  test('a destination holding a different file is a 409 dest_exists; the file is untouched', async () => {
    const existing = `someone else's file ${process.hrtime.bigint()}`;
    ws.file('data/assets/generic/clash.txt', existing);
    const src = source('clash.txt');
    const res = await register({ path: src.rel });
    assert.equal(res.status, 409, res.text);
    assertErrorEnvelope(res.body, 409, 'dest_exists');
    assert.equal(ws.read('data/assets/generic/clash.txt'), existing);
    assert.equal(ws.exists('data/assets/generic/clash.txt.asset.json'), false);
    const search = await api(url, 'GET', `/api/assets/search?hash=${sha256(src.content)}`);
    assert.equal(search.body.total, 0, 'nothing registered');

    const renamed = await register({ path: src.rel, on_conflict: 'rename' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.asset.path, 'generic/clash-1.txt');
    assert.equal(ws.read('data/assets/generic/clash-1.txt'), src.content);
    assert.equal(ws.read('data/assets/generic/clash.txt'), existing);
  });

  test('a destination held by another registered asset is a 409 too', async () => {
    const first = await registered('taken.txt', { dest_path: 'held/taken.txt' });
    const other = source('other.txt');
    const res = await register({ path: other.rel, dest_path: 'held/taken.txt' });
    assert.equal(res.status, 409, res.text);
    assertErrorEnvelope(res.body, 409, 'dest_exists');
    assert.equal(ws.read('data/assets/held/taken.txt'), first.src.content);
  });
});

describe('GET /api/assets/{id}', () => {
  test('returns the registered asset', async () => {
    const { asset } = await registered('get-me.txt', { metadata: { tags: ['g'], origin: 'here' } });
    const res = await api(url, 'GET', `/api/assets/${asset.id}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, true);
    const a = res.body.asset;
    assert.equal(a.id, asset.id);
    assert.equal(a.path, asset.path);
    assert.equal(a.hash, asset.hash);
    assert.equal(a.bytes, asset.bytes);
    assert.deepEqual(a.tags, ['g']);
    assert.equal(a.origin, 'here');
    assert.deepEqual(a.links, asset.links);
    assert.equal(a.sidecar, asset.sidecar);
  });

  test('an unknown id is a 404 error envelope', async () => {
    const res = await api(url, 'GET', '/api/assets/0123456789abcdef');
    assert.equal(res.status, 404);
    assertErrorEnvelope(res.body, 404);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  });
});

describe('PATCH /api/assets/{id}', () => {
  test('merge: given keys replace, null removes; version up; sidecar updated with provenance', async () => {
    const { asset } = await registered('patch-merge.txt', {
      metadata: { tags: ['a'], license: 'MIT', notes: 'old', title: 'gone soon' },
    });
    const res = await api(url, 'PATCH', `/api/assets/${asset.id}`, {
      metadata: { notes: 'new', title: null, extra: 42 },
    });
    assert.equal(res.status, 200, res.text);
    const a = res.body.asset;
    assert.equal(a.metadata.notes, 'new');
    assert.equal('title' in a.metadata, false);
    assert.equal(a.metadata.extra, 42);
    assert.deepEqual(a.tags, ['a']);
    assert.equal(a.license, 'MIT');
    assert.equal(a.version, 2);

    const doc = sidecarOf(asset.path);
    assert.equal((doc.meta as any).notes, 'new');
    assert.equal('title' in (doc.meta as any), false);
    assert.equal(doc.version, 2);
    assert.deepEqual(Object.keys(doc), [...SIDECAR_KEYS]);
    assert.equal((doc.provenance as any)?.source, 'api.register', 'provenance survives the edit');
    assert.deepEqual(mirrorOf(asset.path), doc);

    const got = await api(url, 'GET', `/api/assets/${asset.id}`);
    assert.equal(got.body.asset.metadata.notes, 'new');
  });

  test('mode replace swaps the whole metadata; version still goes up', async () => {
    const { asset } = await registered('patch-replace.txt', {
      metadata: { tags: ['a', 'b'], license: 'MIT', origin: 'o', notes: 'n' },
    });
    const res = await api(url, 'PATCH', `/api/assets/${asset.id}`, {
      metadata: { tags: ['z'] },
      mode: 'replace',
    });
    assert.equal(res.status, 200, res.text);
    const a = res.body.asset;
    assert.deepEqual(a.tags, ['z']);
    assert.equal(a.license, null);
    assert.equal(a.origin, null);
    assert.equal('notes' in a.metadata, false);
    assert.equal(a.version, 2);
    const doc = sidecarOf(asset.path);
    assert.deepEqual(doc.tags, ['z']);
    assert.equal(doc.license, null);
    assert.ok(doc.provenance, 'provenance survives a replace');
  });

  test('tags and licence set by PATCH are normalised; an explicit version is kept', async () => {
    const { asset } = await registered('patch-norm.txt');
    const res = await api(url, 'PATCH', `/api/assets/${asset.id}`, {
      metadata: { tags: [' Hero ', 'hero', 'Alt'], license: '  CC-BY-4.0 ', version: 5 },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.asset.tags, ['Hero', 'Alt']);
    assert.equal(res.body.asset.license, 'CC-BY-4.0');
    assert.equal(res.body.asset.version, 5);
  });

  test('an unknown id is a 404; a missing metadata field is a 4xx', async () => {
    const unknown = await api(url, 'PATCH', '/api/assets/ffffffffffffffff', { metadata: { a: 1 } });
    assert.equal(unknown.status, 404, unknown.text);
    assertErrorEnvelope(unknown.body, 404);
    const { asset } = await registered('patch-bad.txt');
    const bad = await api(url, 'PATCH', `/api/assets/${asset.id}`, {});
    assert.ok(bad.status === 400 || bad.status === 422, bad.text);
    assertErrorEnvelope(bad.body, bad.status);
  });
});

describe('POST /api/assets/bulk', () => {
  test('adds/removes tags and sets a licence on many assets; unknown ids in missing', async () => {
    const one = await registered('bulk-1.txt', { metadata: { tags: ['Keep', 'old'] } });
    const two = await registered('bulk-2.txt', { metadata: { tags: ['OLD', 'keep'] } });
    const res = await api(url, 'POST', '/api/assets/bulk', {
      ids: [one.asset.id, two.asset.id, 'ffffffffffffffff'],
      add_tags: ' new1, new2 ,KEEP',
      remove_tags: ['old'],
      license: 'CC-BY-4.0',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, true);
    assert.equal(res.body.updated, 2);
    assert.deepEqual(res.body.missing, ['ffffffffffffffff']);

    const a = (await api(url, 'GET', `/api/assets/${one.asset.id}`)).body.asset;
    assert.deepEqual(a.tags, ['Keep', 'new1', 'new2']);
    assert.equal(a.license, 'CC-BY-4.0');
    assert.equal(a.version, 2);
    const b = (await api(url, 'GET', `/api/assets/${two.asset.id}`)).body.asset;
    assert.deepEqual(b.tags, ['keep', 'new1', 'new2']);
    assert.equal(b.license, 'CC-BY-4.0');

    const docA = sidecarOf(one.asset.path);
    assert.deepEqual(docA.tags, ['Keep', 'new1', 'new2']);
    assert.equal(docA.license, 'CC-BY-4.0');
    assert.ok(docA.provenance, 'provenance survives a bulk edit');
    assert.deepEqual(sidecarOf(two.asset.path).tags, ['keep', 'new1', 'new2']);
  });

  test('tags as arrays; license null and clear_license remove the licence', async () => {
    const one = await registered('bulk-3.txt', { metadata: { tags: ['x'], license: 'MIT' } });
    const two = await registered('bulk-4.txt', { metadata: { tags: ['y'], license: 'MIT' } });
    const add = await api(url, 'POST', '/api/assets/bulk', {
      ids: [one.asset.id],
      add_tags: ['arr1', 'arr2'],
    });
    assert.equal(add.status, 200, add.text);
    assert.deepEqual((await api(url, 'GET', `/api/assets/${one.asset.id}`)).body.asset.tags, [
      'x',
      'arr1',
      'arr2',
    ]);

    const nulled = await api(url, 'POST', '/api/assets/bulk', { ids: [one.asset.id], license: null });
    assert.equal(nulled.status, 200, nulled.text);
    const a = (await api(url, 'GET', `/api/assets/${one.asset.id}`)).body.asset;
    assert.equal(a.license, null);
    assert.equal('license' in a.metadata, false);
    assert.equal(sidecarOf(one.asset.path).license, null);

    const cleared = await api(url, 'POST', '/api/assets/bulk', { ids: [two.asset.id], clear_license: true });
    assert.equal(cleared.status, 200, cleared.text);
    const b = (await api(url, 'GET', `/api/assets/${two.asset.id}`)).body.asset;
    assert.equal(b.license, null);
    assert.deepEqual(b.tags, ['y'], 'tags untouched');
    assert.equal(sidecarOf(two.asset.path).license, null);
  });

  test('nothing to do is a 400; no ids is a 4xx', async () => {
    const one = await registered('bulk-5.txt');
    const res = await api(url, 'POST', '/api/assets/bulk', { ids: [one.asset.id] });
    assert.equal(res.status, 400, res.text);
    assertErrorEnvelope(res.body, 400);
    const noIds = await api(url, 'POST', '/api/assets/bulk', { add_tags: 'x' });
    assert.ok(noIds.status === 400 || noIds.status === 422, noIds.text);
  });
});

describe('DELETE /api/assets/{id}', () => {
  test('removes the record, sidecar and mirror but keeps the file by default', async () => {
    const { asset, src } = await registered('delete-keep.txt');
    assert.equal(ws.exists(`data/assets/_meta/${asset.path}.json`), true);
    const res = await api(url, 'DELETE', `/api/assets/${asset.id}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, true);
    assert.equal(res.body.file_deleted, false);
    assert.equal(ws.read(`data/assets/${asset.path}`), src.content, 'file kept');
    assert.equal(ws.exists(`data/assets/${asset.path}.asset.json`), false, 'sidecar removed');
    assert.equal(ws.exists(`data/assets/_meta/${asset.path}.json`), false, 'mirror removed');
    const got = await api(url, 'GET', `/api/assets/${asset.id}`);
    assert.equal(got.status, 404);
    const again = await api(url, 'DELETE', `/api/assets/${asset.id}`);
    assert.equal(again.status, 404, 'deleting twice is a 404');
  });

  test('delete_file=true deletes the file too', async () => {
    const { asset } = await registered('delete-file.txt');
    const res = await api(url, 'DELETE', `/api/assets/${asset.id}?delete_file=true`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.file_deleted, true);
    assert.equal(ws.exists(`data/assets/${asset.path}`), false);
    assert.equal(ws.exists(`data/assets/${asset.path}.asset.json`), false);
    assert.equal((await api(url, 'GET', `/api/assets/${asset.id}`)).status, 404);
  });

  test('after a delete the same content registers as a new asset again', async () => {
    const content = `re-register ${process.hrtime.bigint()}`;
    const first = await registered('again.txt', {}, content);
    await api(url, 'DELETE', `/api/assets/${first.asset.id}?delete_file=true`);
    const res = await register({ path: first.src.rel });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.created, true);
    assert.equal(res.body.asset_id, first.asset.id);
  });
});

describe('GET /api/assets/{id}/file, /sidecar, /provenance', () => {
  test('/file returns the exact bytes as a download', async () => {
    const bytes = Buffer.from(`download me ${process.hrtime.bigint()}\u00e9\n`, 'utf8');
    seq++;
    const rel = `incoming/${seq}/download.dat`;
    ws.file(rel, bytes);
    const reg = await register({ path: rel });
    assert.equal(reg.status, 200, reg.text);
    const res = await fetch(`${url}/api/assets/${reg.body.asset_id}/file`);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment/);
    assert.match(res.headers.get('content-disposition') ?? '', /download\.dat/);
    // A part of it (the detail view reads a text file's head, a video player seeks).
    const head = await fetch(`${url}/api/assets/${reg.body.asset_id}/file`, {
      headers: { range: 'bytes=0-7' },
    });
    assert.equal(head.status, 206);
    assert.equal(head.headers.get('content-range'), `bytes 0-7/${bytes.length}`);
    assert.deepEqual(Buffer.from(await head.arrayBuffer()), bytes.subarray(0, 8));
    // Ranges as RFC 9110 reads them: the last bytes; a suffix longer than the file is all of it;
    // a header that is not byte ranges is ignored; a range past the end cannot be satisfied.
    const ranged = async (range: string) => {
      const res = await fetch(`${url}/api/assets/${reg.body.asset_id}/file`, { headers: { range } });
      return {
        status: res.status,
        range: res.headers.get('content-range'),
        bytes: Buffer.from(await res.arrayBuffer()),
      };
    };
    const size = bytes.length;
    assert.deepEqual(await ranged('bytes=-4'), {
      status: 206,
      range: `bytes ${size - 4}-${size - 1}/${size}`,
      bytes: bytes.subarray(size - 4),
    });
    assert.deepEqual(await ranged('bytes=-99999'), {
      status: 206,
      range: `bytes 0-${size - 1}/${size}`,
      bytes,
    });
    for (const nonsense of ['bytes=abc', 'bytes=1-2-3', 'bytes=5-2', 'pages=1-2', 'bytes='])
      assert.deepEqual(await ranged(nonsense), { status: 200, range: null, bytes }, nonsense);
    const past = await ranged('bytes=99999-');
    assert.deepEqual([past.status, past.range], [416, `bytes */${size}`]);
    assertErrorEnvelope(JSON.parse(past.bytes.toString()), 416, 'range_not_satisfiable');
    assert.deepEqual(await ranged('bytes=99999-,2-3'), {
      status: 206,
      range: `bytes 2-3/${size}`,
      bytes: bytes.subarray(2, 4),
    });
    const missing = await api(url, 'GET', '/api/assets/0000000000000000/file');
    assert.equal(missing.status, 404);
    assertErrorEnvelope(missing.body, 404);
  });

  test('/sidecar returns the parsed sidecar; corrupted → 422 sidecar_invalid; deleted → 404', async () => {
    const { asset } = await registered('sidecar-route.txt', { metadata: { tags: ['sc'] } });
    const res = await api(url, 'GET', `/api/assets/${asset.id}/sidecar`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, true);
    assert.deepEqual(res.body.sidecar, sidecarOf(asset.path));
    assert.equal(res.body.sidecar.id, asset.id);
    assert.deepEqual(res.body.sidecar.tags, ['sc']);

    const file = assetFile(`${asset.path}.asset.json`);
    fs.writeFileSync(file, '{ not json');
    const corrupt = await api(url, 'GET', `/api/assets/${asset.id}/sidecar`);
    assert.equal(corrupt.status, 422, corrupt.text);
    assertErrorEnvelope(corrupt.body, 422, 'sidecar_invalid');

    fs.rmSync(file);
    const gone = await api(url, 'GET', `/api/assets/${asset.id}/sidecar`);
    assert.equal(gone.status, 404, gone.text);
    assertErrorEnvelope(gone.body, 404);

    const unknown = await api(url, 'GET', '/api/assets/0000000000000000/sidecar');
    assert.equal(unknown.status, 404);
  });

  test('/provenance lists records newest first, the first one from api.register', async () => {
    const content = `provenance ${process.hrtime.bigint()}`;
    const first = await registered('prov-a.txt', {}, content);
    const one = await api(url, 'GET', `/api/assets/${first.asset.id}/provenance`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.items.length, 1);
    assert.equal(one.body.items[0].source, 'api.register');

    const dup = await register({
      path: source('prov-b.txt', content).rel,
      provenance: { source: 'pipeline.render', user_id: 'alice', inputs: { seed: 7 } },
    });
    assert.equal(dup.status, 200, dup.text);
    const two = await api(url, 'GET', `/api/assets/${first.asset.id}/provenance`);
    assert.equal(two.body.items.length, 2);
    assert.equal(two.body.items[0].source, 'pipeline.render', 'newest first');
    assert.equal(two.body.items[0].user_id, 'alice');
    assert.equal(two.body.items[0].inputs.seed, 7);
    assert.equal(two.body.items[1].source, 'api.register');
    assert.equal(
      sidecarOf(first.asset.path).provenance && (sidecarOf(first.asset.path).provenance as any).source,
      'pipeline.render',
    );

    const unknown = await api(url, 'GET', '/api/assets/0000000000000000/provenance');
    assert.equal(unknown.status, 404);
  });
});

describe('POST /api/assets/upload', () => {
  const upload = (filename: string, content: string, fields: Record<string, string> = {}) =>
    postFile(url, '/api/assets/upload', fields, Buffer.from(content), filename);

  test('registers the uploaded file with its metadata', async () => {
    const content = `uploaded ${process.hrtime.bigint()}`;
    const res = await upload('upload-one.txt', content, {
      asset_type: 'uploads',
      metadata: JSON.stringify({ tags: ['up'], license: 'MIT' }),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ok, true);
    assert.equal(res.body.created, true);
    const a = res.body.asset;
    assert.equal(a.path, 'uploads/upload-one.txt');
    assert.equal(a.hash, sha256(content));
    assert.deepEqual(a.tags, ['up']);
    assert.equal(a.license, 'MIT');
    assert.equal(ws.read('data/assets/uploads/upload-one.txt'), content);
    assert.equal(ws.exists('data/assets/uploads/upload-one.txt.asset.json'), true);
    // Nothing left in staging.
    const staging = path.join(ws.assets, '.staging');
    assert.deepEqual(listFiles(staging), []);
  });

  test('a path-like file name is reduced to its base name inside the root', async () => {
    const content = `evil ${process.hrtime.bigint()}`;
    const res = await upload('../../evil.txt', content);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.asset.path, 'generic/evil.txt');
    assert.equal(ws.read('data/assets/generic/evil.txt'), content);
    assert.equal(ws.exists('evil.txt'), false);
    assert.equal(ws.exists('data/evil.txt'), false);
    assert.equal(fs.existsSync(path.join(path.dirname(ws.dir), 'evil.txt')), false);
  });

  test('known bytes whose file was deleted by hand: the upload puts the file back', async () => {
    // (The answer named the asset and dropped the bytes: a registered asset with no file.)
    const content = `put back ${process.hrtime.bigint()}`;
    const first = await upload('put-back.txt', content, { asset_type: 'uploads' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    fs.rmSync(path.join(ws.dir, 'data/assets/uploads/put-back.txt'));
    const again = await upload('put-back-again.txt', content, { metadata: '{"tags": ["again"]}' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.created, false);
    assert.equal(again.body.asset.id, first.body.asset.id);
    assert.equal(again.body.asset.path, 'uploads/put-back.txt');
    assert.equal(ws.read('data/assets/uploads/put-back.txt'), content, 'the file is back');
    assert.deepEqual(again.body.asset.tags, ['again']);
    assert.equal(ws.exists('data/assets/generic/put-back-again.txt'), false, 'and no second copy');
  });

  test('known bytes whose file was edited by hand since: the upload is a new asset, its bytes kept', async () => {
    // (The answer named the asset and dropped the bytes, though that file no longer held them.)
    const content = `edited since ${process.hrtime.bigint()}`;
    const first = await upload('edited-since.txt', content, { asset_type: 'uploads' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const edited = path.join(ws.dir, 'data/assets/uploads/edited-since.txt');
    fs.writeFileSync(edited, `${content}, and more typed by hand`);
    const again = await upload('edited-since.txt', content, {
      asset_type: 'uploads',
      on_conflict: 'rename',
    });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.created, true);
    assert.notEqual(again.body.asset.id, first.body.asset.id);
    assert.equal(again.body.asset.path, 'uploads/edited-since-1.txt');
    assert.equal(ws.read('data/assets/uploads/edited-since-1.txt'), content, 'the bytes are kept');
    assert.equal(ws.read('data/assets/uploads/edited-since.txt'), `${content}, and more typed by hand`);
  });

  test('known bytes whose file was only touched since: the upload is that asset, no second copy', async () => {
    const content = `touched since ${process.hrtime.bigint()}`;
    const first = await upload('touched-since.txt', content, { asset_type: 'uploads' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(ws.dir, 'data/assets/uploads/touched-since.txt'), later, later);
    const again = await upload('touched-copy.txt', content, { asset_type: 'uploads' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.created, false);
    assert.equal(again.body.asset.id, first.body.asset.id);
    assert.equal(again.body.asset.path, 'uploads/touched-since.txt');
    assert.equal(ws.exists('data/assets/uploads/touched-copy.txt'), false, 'no second copy');
  });

  test('invalid metadata JSON is a 400 and registers nothing', async () => {
    const content = `bad meta ${process.hrtime.bigint()}`;
    const res = await upload('bad-meta.txt', content, { metadata: '{not json' });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assertErrorEnvelope(res.body, 400);
    assert.match(res.body.message, /^metadata must be valid JSON/);
    assert.equal(ws.exists('data/assets/generic/bad-meta.txt'), false);
    // Nested thousands deep (a 500 before: the stack of the code that walks metadata overflowed).
    const deep = await upload('bad-meta.txt', content, {
      metadata: `{"deep": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    });
    assert.equal(deep.status, 400, JSON.stringify(deep.body));
    assertErrorEnvelope(deep.body, 400);
    assert.equal(deep.body.message, 'metadata nests objects or arrays more than 64 levels deep; flatten it.');
    assert.equal(ws.exists('data/assets/generic/bad-meta.txt'), false);
    const search = await api(url, 'GET', `/api/assets/search?hash=${sha256(content)}`);
    assert.equal(search.body.total, 0);
  });

  test('a JSON body instead of multipart is a 4xx', async () => {
    const res = await api(url, 'POST', '/api/assets/upload', { file: 'x' });
    assert.ok(res.status >= 400 && res.status < 500, res.text);
    assertErrorEnvelope(res.body, res.status);
  });
});

describe('hook debug routes', () => {
  test('/debug/hooks lists the four registry events', async () => {
    const res = await api(url, 'GET', '/api/assets/debug/hooks');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, true);
    for (const event of REFERENCE_EVENTS) {
      assert.ok(Array.isArray(res.body.hooks[event]), `hooks.${event}`);
    }
  });

  test('/debug/history shows asset_sidecar_written then asset_registered with reference payloads', async () => {
    const { asset } = await registered('history.txt', { asset_type: 'hist', metadata: { tags: ['h'] } });
    const res = await api(url, 'GET', '/api/assets/debug/history?limit=50');
    assert.equal(res.status, 200, res.text);
    const mine = (res.body.items as any[]).filter((e) => e.data?.uid === asset.id);
    assert.deepEqual(
      mine.map((e) => e.event),
      ['asset_sidecar_written', 'asset_registered'],
    );
    const [written, reg] = mine;
    assert.equal(written.data.type, 'hist');
    assert.equal(written.data.rel_path, asset.path);
    assert.equal(written.data.sidecar, path.join(ws.assets, `${asset.path}.asset.json`));
    assert.ok(path.isAbsolute(written.data.sidecar));
    assert.deepEqual(Object.keys(reg.data).sort(), ['bytes', 'meta', 'path', 'sidecar', 'type', 'uid']);
    assert.equal(reg.data.type, 'hist');
    assert.equal(reg.data.path, asset.path);
    assert.equal(reg.data.sidecar, `${asset.path}.asset.json`);
    assert.equal(reg.data.bytes, asset.bytes);
    assert.deepEqual(reg.data.meta.tags, ['h']);
    assert.equal(reg.data.meta.version, 1);
    assert.equal(typeof reg.ts, 'number');

    // An edit: sidecar written, then meta updated.
    await api(url, 'PATCH', `/api/assets/${asset.id}`, { metadata: { notes: 'hist' } });
    await api(url, 'DELETE', `/api/assets/${asset.id}`);
    const later = await api(url, 'GET', '/api/assets/debug/history?limit=50');
    const events = (later.body.items as any[]).filter((e) => e.data?.uid === asset.id);
    assert.deepEqual(
      events.map((e) => e.event),
      [
        'asset_sidecar_written',
        'asset_registered',
        'asset_sidecar_written',
        'asset_meta_updated',
        'asset_removed',
      ],
    );
    const updated = events[3];
    assert.deepEqual(Object.keys(updated.data).sort(), ['meta', 'path', 'sidecar', 'type', 'uid']);
    assert.equal(updated.data.meta.notes, 'hist');
    const removed = events[4];
    assert.deepEqual(Object.keys(removed.data).sort(), ['bytes', 'meta', 'path', 'sidecar', 'type', 'uid']);
    assert.equal(removed.data.sidecar, `${asset.path}.asset.json`);
  });
});

describe('server conventions', () => {
  test('OPTIONS answers 204 with an Allow header', async () => {
    const cases: Array<[string, string[]]> = [
      ['/api/assets/register', ['POST']],
      ['/api/assets/search', ['GET']],
      ['/api/assets/0123456789abcdef', ['GET', 'PATCH', 'DELETE']],
    ];
    for (const [route, methods] of cases) {
      const res = await fetch(url + route, { method: 'OPTIONS' });
      assert.equal(res.status, 204, route);
      const allow = (res.headers.get('allow') ?? '').split(',').map((m) => m.trim());
      for (const m of [...methods, 'OPTIONS'])
        assert.ok(allow.includes(m), `${route}: Allow ${allow.join(',')} has ${m}`);
    }
  });

  test('GET /docs/json is an OpenAPI document listing the routes', async () => {
    const res = await api(url, 'GET', '/docs/json');
    assert.equal(res.status, 200);
    assert.match(String(res.body.openapi), /^3\./);
    const paths = Object.keys(res.body.paths);
    for (const p of [
      '/api/assets/register',
      '/api/assets/search',
      '/api/assets/bulk',
      '/api/assets/upload',
      '/api/assets/{id}',
      '/api/assets/{id}/file',
      '/api/assets/{id}/sidecar',
      '/api/assets/{id}/provenance',
      '/api/assets/debug/hooks',
      '/api/assets/debug/history',
    ]) {
      assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
    }
    assert.ok(res.body.paths['/api/assets/{id}'].patch);
    assert.ok(res.body.paths['/api/assets/{id}'].delete);
    const docs = await fetch(`${url}/docs`, { redirect: 'follow' });
    assert.equal(docs.status, 200);
  });

  test('X-Request-ID sent by the client is echoed, also in error envelopes', async () => {
    const ok = await api(url, 'GET', '/api/assets/search?limit=1', undefined, {
      'x-request-id': 'req-abc-123',
    });
    assert.equal(ok.headers.get('x-request-id'), 'req-abc-123');
    const err = await api(url, 'GET', '/api/assets/0000000000000000', undefined, {
      'x-request-id': 'req-err-456',
    });
    assert.equal(err.status, 404);
    assert.equal(err.headers.get('x-request-id'), 'req-err-456');
    assert.equal(err.body.request_id, 'req-err-456');
    const none = await api(url, 'GET', '/api/assets/search?limit=1');
    assert.ok((none.headers.get('x-request-id') ?? '').length > 0, 'an id is generated when none is sent');
  });
});

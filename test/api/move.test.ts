/**
 * Moving and renaming assets' files from the API and the CLI: ids, metadata (a hand edit of the
 * sidecar included), previews and sidecars follow the file; nothing is ever overwritten; a
 * rebuild afterwards finds everything in place; a move cut off between the row and the file is
 * put right by the next rebuild.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { moveFileNoReplace } from '../../src/files/move-file.js';
import { HookBus } from '../../src/hooks/bus.js';
import { RegistryService } from '../../src/registry/service.js';
import { eventually } from '../helpers/eventually.js';
import { makeImage } from '../helpers/media.js';
import { api, registerInPlace, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { openStream } from '../helpers/sse.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let url: string;

/** Registers a file in place under the assets root, typed by its first folder. */
const registered = (rel: string, bytes: Buffer | string, tags: string[] = []): Promise<string> =>
  registerInPlace(url, ws, rel, bytes, { tags, license: 'CC0' });

const assetFile = (rel: string): string => path.join(ws.dir, 'data', 'assets', rel);
const asset = async (id: string) => (await api(url, 'GET', `/api/assets/${id}`)).body.asset;

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('moving one asset', () => {
  test('a rename and a move keep the id, the hand-edited metadata and the preview; the sidecar follows', async () => {
    const bytes = await makeImage(320, 200, 'png');
    const id = await registered('backgrounds/sea.png', bytes, ['sea']);
    // A tag added by hand in the sidecar, a second after the registry wrote it.
    const sidecar = assetFile('backgrounds/sea.png.asset.json');
    const doc = JSON.parse(fs.readFileSync(sidecar, 'utf8'));
    doc.meta.tags.push('by-hand');
    fs.writeFileSync(sidecar, JSON.stringify(doc, null, 2));
    const later = fs.statSync(sidecar).mtimeMs / 1000 + 1;
    fs.utimesSync(sidecar, later, later);

    assert.ok(fs.existsSync(assetFile('_meta/backgrounds/sea.png.json')), 'a mirror to move');
    const stream = await openStream(url);
    try {
      const res = await api(url, 'POST', `/api/assets/${id}/move`, {
        path: 'backgrounds/night/sea at night.png',
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.asset.uid, id);
      assert.equal(res.body.asset.path, 'backgrounds/night/sea at night.png');
      assert.deepEqual(res.body.asset.tags, ['sea', 'by-hand']);
      const frames = await stream.until((f) => f.some((x) => x.event === 'asset_moved'));
      const moved = frames.find((x) => x.event === 'asset_moved')?.data.data;
      assert.deepEqual(moved, {
        uid: id,
        type: 'backgrounds',
        from: 'backgrounds/sea.png',
        to: 'backgrounds/night/sea at night.png',
      });
      await stream.until((f) =>
        f.some(
          (x) =>
            x.event === 'asset_meta_updated' && x.data.data.path === 'backgrounds/night/sea at night.png',
        ),
      );
    } finally {
      await stream.close();
    }
    // The same bytes at the new path; nothing left at the old one (file, sidecar, mirror).
    assert.deepEqual(fs.readFileSync(assetFile('backgrounds/night/sea at night.png')), bytes);
    for (const gone of [
      'backgrounds/sea.png',
      'backgrounds/sea.png.asset.json',
      '_meta/backgrounds/sea.png.json',
    ])
      assert.equal(fs.existsSync(assetFile(gone)), false, gone);
    const newSidecar = JSON.parse(
      fs.readFileSync(assetFile('backgrounds/night/sea at night.png.asset.json'), 'utf8'),
    );
    assert.equal(newSidecar.path, 'backgrounds/night/sea at night.png');
    assert.equal(newSidecar.id, id);
    assert.deepEqual(newSidecar.tags, ['sea', 'by-hand']);
    assert.ok(
      fs.existsSync(assetFile('_meta/backgrounds/night/sea at night.png.json')),
      'the mirror moved too',
    );
    const thumb = await fetch(`${url}/api/assets/${id}/thumbnail?size=256`);
    assert.equal(thumb.status, 200);
    const found = await api(url, 'GET', '/api/assets/search?q=night');
    assert.deepEqual(
      found.body.items.map((i: { uid: string }) => i.uid),
      [id],
    );

    // Into another folder: the type was its folder's, so it follows.
    const again = await api(url, 'POST', `/api/assets/${id}/move`, { path: 'characters/sea.png' });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.asset.type, 'characters');
    // Where it is already: nothing to do.
    const same = await api(url, 'POST', `/api/assets/${id}/move`, { path: './characters//sea.png' });
    assert.equal(same.status, 200, same.text);
    assert.equal(same.body.asset.path, 'characters/sea.png');

    // A rebuild afterwards finds every file where the registry says: nothing to change.
    const rebuild = await api(url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: false });
    assert.equal(rebuild.status, 200, rebuild.text);
    const { summary } = rebuild.body;
    assert.deepEqual(
      [summary.created, summary.moved, summary.removed, summary.sidecar_updates, summary.orphaned_sidecars],
      [0, 0, 0, 0, 0],
    );
  });

  test('nothing is overwritten; bad targets are refused saying what to do; the file stays put', async () => {
    const id = await registered('ui/button.png', await makeImage(32, 32, 'png'));
    const other = await registered('ui/other.png', await makeImage(16, 16, 'png'));
    ws.file('data/assets/ui/unregistered.png', 'not an asset, but a file of the user');
    ws.file('data/assets/ui/gone.png.asset.json', '{"meta": {"notes": "left by a removed asset"}}');
    const cases: Array<[string, number, string, RegExp]> = [
      [
        'ui/unregistered.png',
        409,
        'path_taken',
        /A file is already at ui\/unregistered\.png; it is not overwritten/,
      ],
      [
        'ui/other.png',
        409,
        'path_taken',
        new RegExp(`Asset ${other} is already registered at ui/other\\.png`),
      ],
      ['ui/gone.png', 409, 'path_taken', /A sidecar is already at ui\/gone\.png\.asset\.json/],
      ['ui/button.jpg', 400, 'bad_request', /keeps the file's extension.*Name it ui\/button\.png/],
      ['../outside.png', 400, 'bad_request', /must not contain '\.\.'/],
      ['/tmp/abs.png', 400, 'bad_request', /must be relative to the asset registry root/],
      ['_meta/button.png', 400, 'bad_request', /_meta/],
      ['ui/.hidden.png', 400, 'bad_request', /hidden/],
    ];
    for (const [target, status, code, message] of cases) {
      const res = await api(url, 'POST', `/api/assets/${id}/move`, { path: target });
      assert.equal(res.status, status, `${target}: ${res.text}`);
      assert.equal(res.body.code, code, target);
      assert.match(res.body.message, message, target);
    }
    assert.equal(
      fs.readFileSync(assetFile('ui/unregistered.png'), 'utf8'),
      'not an asset, but a file of the user',
    );
    assert.match(fs.readFileSync(assetFile('ui/gone.png.asset.json'), 'utf8'), /left by a removed asset/);
    assert.ok(fs.existsSync(assetFile('ui/button.png')));
    assert.equal((await asset(id)).path, 'ui/button.png');
    assert.equal((await api(url, 'POST', '/api/assets/nope/move', { path: 'ui/x.png' })).status, 404);
    assert.equal((await api(url, 'POST', `/api/assets/${id}/move`, {})).status, 422);
  });
});

describe('moving many assets into a folder', () => {
  test('those that can move do; one whose name is taken there is reported, unknown ids listed', async () => {
    const a = await registered('sfx/a.png', await makeImage(10, 10, 'png'));
    const b = await registered('sfx/b.png', await makeImage(11, 11, 'png'));
    const c = await registered('sfx/c.png', await makeImage(12, 12, 'png'));
    ws.file('data/assets/archive/2024/c.png', 'already here');
    const res = await api(url, 'POST', '/api/assets/move', {
      ids: [a, b, c, 'nope', a],
      folder: 'archive/2024/',
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.moved.map((m: { id: string; to: string }) => [m.id, m.to]),
      [
        [a, 'archive/2024/a.png'],
        [b, 'archive/2024/b.png'],
      ],
    );
    assert.deepEqual(res.body.missing, ['nope']);
    assert.equal(res.body.failed.length, 1);
    assert.equal(res.body.failed[0].id, c);
    assert.equal(res.body.failed[0].code, 'path_taken');
    assert.equal(fs.readFileSync(assetFile('archive/2024/c.png'), 'utf8'), 'already here');
    assert.equal((await asset(c)).path, 'sfx/c.png');
    assert.equal((await asset(a)).type, 'archive', 'typed by its new folder, as a rebuild would');

    // As a job that answers at once: its progress, then the same report.
    const queued = await api(url, 'POST', '/api/assets/move', { ids: [a, b], folder: 'sfx', wait: false });
    assert.equal(queued.status, 202, queued.text);
    const job = await eventually('the move job to finish', async () => {
      const j = (await api(url, 'GET', `/api/jobs/${queued.body.job_id}`)).body.job;
      return j.status === 'done' ? j : undefined;
    });
    assert.equal(job.kind, 'move');
    assert.deepEqual(job.progress, { done: 2, total: 2 });
    assert.equal(job.summary.moved.length, 2);

    for (const folder of ['../up', '_meta/x', '.hidden', '/abs']) {
      const bad = await api(url, 'POST', '/api/assets/move', { ids: [a], folder });
      assert.equal(bad.status, 400, `${folder}: ${bad.text}`);
      assert.match(bad.body.message, /folder/);
    }
  });

  test('the CLI moves into a folder or renames one, and says what it could not do', async () => {
    const id = await registered('props/lamp.png', await makeImage(20, 20, 'png'));
    const into = await runCli(['move', id, '--to', 'props/lights', '--json'], ws.dir);
    assert.equal(into.code, 0, into.stderr);
    assert.deepEqual(into.json.moved, [{ id, from: 'props/lamp.png', to: 'props/lights/lamp.png' }]);
    const renamed = await runCli(['move', id, '--path', 'props/lights/desk lamp.png', '--json'], ws.dir);
    assert.equal(renamed.code, 0, renamed.stderr);
    assert.equal(renamed.json.asset.path, 'props/lights/desk lamp.png');
    assert.ok(fs.existsSync(assetFile('props/lights/desk lamp.png')));
    const neither = await runCli(['move', id], ws.dir);
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /Say where to: --to <folder>/);
    ws.file('data/assets/props/taken.png', 'x');
    const taken = await runCli(['move', id, '--path', 'props/taken.png'], ws.dir);
    assert.equal(taken.code, 4, taken.stderr);
    assert.match(taken.stderr, /A file is already at props\/taken\.png/);
  });
});

describe('a move cut off', () => {
  test('a row moved whose file was not is put back where the file is by the next rebuild, same id', async () => {
    const local = makeWorkspace();
    try {
      local.file('data/assets/music/theme.txt', 'the theme');
      const service = RegistryService.open({ workspace: local.dir, hooks: new HookBus() });
      try {
        const registry = service.project();
        const first = await registry.rebuild({ waitForThumbs: false });
        assert.equal(first.created, 1);
        const record = registry.atPath('music/theme.txt');
        assert.ok(record);
        // The first step of a move (the row) committed, then the process died before the file moved.
        service.store.update({ ...record, path: 'music/old/theme.txt' });
        const next = await registry.rebuild({ waitForThumbs: false });
        assert.deepEqual([next.created, next.moved, next.removed], [0, 1, 0]);
        assert.equal(registry.atPath('music/theme.txt')?.uid, record.uid);
        assert.equal(service.store.search({ projectId: registry.projectId, limit: 10 }).total, 1);
      } finally {
        await service.close();
      }
    } finally {
      local.cleanup();
    }
  });

  test('across devices the file is copied (never over another), flushed, then the original goes', (t) => {
    const shm = '/dev/shm';
    if (!fs.existsSync(shm) || fs.statSync(shm).dev === fs.statSync(os.tmpdir()).dev) {
      t.skip('no second file system here to move across');
      return;
    }
    const from = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'areg-mv-')), 'a.bin');
    const dir = fs.mkdtempSync(path.join(shm, 'areg-mv-'));
    try {
      fs.writeFileSync(from, 'payload');
      fs.utimesSync(from, 1_600_000_000, 1_600_000_000);
      const taken = path.join(dir, 'taken.bin');
      fs.writeFileSync(taken, 'keep me');
      assert.throws(() => moveFileNoReplace(from, taken), { code: 'EEXIST' });
      assert.equal(fs.readFileSync(taken, 'utf8'), 'keep me');
      assert.ok(fs.existsSync(from), 'the original stays when the move fails');
      const to = path.join(dir, 'b.bin');
      moveFileNoReplace(from, to);
      assert.equal(fs.readFileSync(to, 'utf8'), 'payload');
      assert.equal(fs.statSync(to).mtimeMs, 1_600_000_000_000, 'its modification time kept');
      assert.equal(fs.existsSync(from), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(path.dirname(from), { recursive: true, force: true });
    }
  });
});

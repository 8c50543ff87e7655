/**
 * Sidecars are the user's copy: one edited by hand since the registry wrote it is taken in before
 * an edit through the API (PATCH, bulk, a re-registration), so that edit lands on top of it
 * instead of overwriting it; one that no longer parses is refused rather than overwritten. Over
 * a real server, without the live folder (nothing else picks the hand edit up meanwhile).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { makeImage } from '../helpers/media.js';
import { api, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let url: string;
let n = 0;

/** Registers a new file in place with these tags; answers its id and sidecar's workspace path. */
async function registered(tags: string[]): Promise<{ id: string; sidecar: string; rel: string }> {
  const rel = `data/assets/docs/note-${n++}.txt`;
  ws.file(rel, `note ${n} ${Math.random()}`);
  const res = await api(url, 'POST', '/api/assets/register', {
    path: rel,
    copy: false,
    metadata: { tags, license: 'MIT' },
  });
  assert.equal(res.status, 200, res.text);
  return { id: res.body.asset_id, sidecar: `${rel}.asset.json`, rel };
}

/**
 * A save by hand, as a person makes it: later than the registry's own write (the mtime, the
 * only sign of an edit, is set a second on).
 */
function saveByHand(sidecar: string, text: string): void {
  const abs = ws.file(sidecar, text);
  const later = fs.statSync(abs).mtimeMs / 1000 + 1;
  fs.utimesSync(abs, later, later);
}

/** What a user does in an editor: change the visible fields and save. */
function editByHand(sidecar: string, change: (doc: Record<string, any>) => void): void {
  const doc = ws.json(sidecar);
  change(doc);
  saveByHand(sidecar, JSON.stringify(doc, null, 2));
}

const asset = async (id: string) => (await api(url, 'GET', `/api/assets/${id}`)).body.asset;
/** The `meta` of a sidecar on disk. */
const sidecarMeta = (sidecar: string): Record<string, unknown> =>
  ws.json(sidecar).meta as Record<string, unknown>;

/** Queues the asset's preview again and waits until the queue is empty (the preview is made). */
async function remakePreview(id: string): Promise<void> {
  const res = await api(url, 'POST', '/api/previews/requeue', { ids: [id] });
  assert.equal(res.status, 200, res.text);
  for (const started = Date.now(); Date.now() - started < 30_000;) {
    const { counts } = (await api(url, 'GET', '/api/previews')).body;
    if (counts.queued + counts.running === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail('the preview was not made within 30 s');
}

before(async () => {
  ws = makeWorkspace('areg-sidecar-edits-');
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('a sidecar edited by hand is not lost to an edit through the API', () => {
  test('PATCH lands on top of the hand edit', async () => {
    const { id, sidecar } = await registered(['draft']);
    editByHand(sidecar, (doc) => {
      doc.tags = ['draft', 'by-hand'];
      doc.meta.title = 'Named by hand';
    });
    const res = await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { license: 'CC0-1.0' } });
    assert.equal(res.status, 200, res.text);
    for (const seen of [res.body.asset, await asset(id)]) {
      assert.deepEqual(seen.tags, ['draft', 'by-hand']);
      assert.equal(seen.metadata.title, 'Named by hand');
      assert.equal(seen.license, 'CC0-1.0');
    }
    const onDisk = ws.json(sidecar);
    assert.deepEqual(onDisk.tags, ['draft', 'by-hand']);
    assert.equal(onDisk.license, 'CC0-1.0');
    assert.equal((onDisk.meta as Record<string, unknown>).title, 'Named by hand');
  });

  test('a sidecar saved by Windows Notepad (a byte-order mark, CRLF line ends) is an edit like any other', async () => {
    const { id, sidecar } = await registered(['draft']);
    const doc = ws.json(sidecar);
    doc.tags = ['draft', 'from-notepad'];
    saveByHand(sidecar, `\uFEFF${JSON.stringify(doc, null, 2).replace(/\n/g, '\r\n')}\r\n`);
    const shown = await api(url, 'GET', `/api/assets/${id}/sidecar`);
    assert.equal(shown.status, 200, shown.text);
    assert.deepEqual(shown.body.sidecar.tags, ['draft', 'from-notepad']);
    const res = await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { license: 'CC0-1.0' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.asset.tags, ['draft', 'from-notepad']);
    const onDisk = ws.json(sidecar);
    assert.deepEqual(onDisk.tags, ['draft', 'from-notepad']);
    assert.equal(onDisk.license, 'CC0-1.0');
  });

  test('a bulk edit keeps a tag removed by hand removed, and edits the others as asked', async () => {
    const edited = await registered(['keep', 'drop']);
    const untouched = await registered(['keep', 'drop']);
    editByHand(edited.sidecar, (doc) => {
      doc.tags = ['keep'];
    });
    const res = await api(url, 'POST', '/api/assets/bulk', {
      ids: [edited.id, untouched.id],
      add_tags: ['bulk'],
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual((await asset(edited.id)).tags, ['keep', 'bulk']);
    assert.deepEqual((await asset(untouched.id)).tags, ['keep', 'drop', 'bulk']);
    assert.deepEqual(ws.json(edited.sidecar).tags, ['keep', 'bulk']);
  });

  test('registering the same bytes again merges into the hand-edited metadata', async () => {
    const { id, sidecar, rel } = await registered(['first']);
    editByHand(sidecar, (doc) => {
      doc.license = 'CC-BY-4.0';
    });
    const again = await api(url, 'POST', '/api/assets/register', {
      path: rel,
      copy: false,
      metadata: { tags: ['second'] },
    });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.asset_id, id);
    assert.deepEqual(again.body.asset.tags, ['first', 'second']);
    assert.equal(again.body.asset.license, 'CC-BY-4.0');
    assert.equal(ws.json(sidecar).license, 'CC-BY-4.0');
  });

  test('a finished preview, which rewrites the sidecar, takes the hand edit in too', async () => {
    ws.file('data/assets/art/pic.png', await makeImage(32, 24, 'png'));
    const res = await api(url, 'POST', '/api/assets/register', {
      path: 'data/assets/art/pic.png',
      copy: false,
      wait: true,
      metadata: { tags: ['art'] },
    });
    assert.equal(res.status, 200, res.text);
    const id: string = res.body.asset_id;
    const sidecar = 'data/assets/art/pic.png.asset.json';
    // `wait` answers once the preview is made and its sidecar has landed.
    assert.equal((ws.json(sidecar).preview as Record<string, unknown>).width, 32);
    editByHand(sidecar, (doc) => {
      doc.tags = ['art', 'hero'];
    });
    await remakePreview(id);
    assert.deepEqual((await asset(id)).tags, ['art', 'hero']);
    // The registry's sidecar lands just after the row: the hand tags, the preview, and version 2
    // (the hand-saved file, version 1, has the first two already).
    await eventually('the sidecar rewritten with the hand tags and the preview', () => {
      const onDisk = ws.json(sidecar);
      const preview = onDisk.preview as Record<string, unknown>;
      return JSON.stringify(onDisk.tags) === '["art","hero"]' && preview.width === 32 && onDisk.version === 2;
    });

    // One that no longer parses is left as it is; the preview is made all the same.
    const typo = '{ "tags": ["art", }';
    saveByHand(sidecar, typo);
    await remakePreview(id);
    assert.equal((await asset(id)).preview_status, 'done');
    // An edit waits for the sidecar writes under way, then finds this one unparseable still.
    const patch = await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { license: 'MIT' } });
    assert.equal(patch.status, 409, patch.text);
    assert.equal(ws.read(sidecar), typo);
  });

  test('a sidecar that no longer parses is refused with 409, left as it is, and nothing changes', async () => {
    const broken = await registered(['a']);
    const fine = await registered(['a']);
    const typo = '{ "tags": ["a", "b", }';
    saveByHand(broken.sidecar, typo);
    const patch = await api(url, 'PATCH', `/api/assets/${broken.id}`, { metadata: { license: 'CC0-1.0' } });
    assert.equal(patch.status, 409, patch.text);
    assert.equal(patch.body.code, 'sidecar_invalid');
    assert.match(
      patch.body.message,
      /note-\d+\.txt\.asset\.json .*Fix them by hand, or rewrite them .*enforce --overwrite/,
    );
    const bulk = await api(url, 'POST', '/api/assets/bulk', { ids: [fine.id, broken.id], add_tags: ['x'] });
    assert.equal(bulk.status, 409, bulk.text);
    assert.deepEqual(bulk.body.details, { sidecars: [broken.sidecar.slice('data/assets/'.length)] });
    assert.equal(ws.read(broken.sidecar), typo);
    assert.deepEqual((await asset(fine.id)).tags, ['a'], 'the bulk edit changed nothing');
    assert.equal((await asset(broken.id)).license, 'MIT');

    // Repaired on request, the asset can be edited again.
    const repair = await api(url, 'POST', '/api/assets/enforce', { overwrite: true });
    assert.equal(repair.status, 200, repair.text);
    const after = await api(url, 'PATCH', `/api/assets/${broken.id}`, { metadata: { license: 'CC0-1.0' } });
    assert.equal(after.status, 200, after.text);
    assert.equal(ws.json(broken.sidecar).license, 'CC0-1.0');
  });
});

describe('if_version: an edit applies only to the version it was made on', () => {
  test('the same version applies; a stale one is a 409 naming the current one, and changes nothing', async () => {
    const { id, sidecar } = await registered(['draft']);
    assert.equal((await asset(id)).version, 1);
    const first = await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { title: 'One' }, if_version: 1 });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.asset.version, 2);
    // Another editor still holding version 1.
    const stale = await api(url, 'PATCH', `/api/assets/${id}`, {
      metadata: { title: 'Other' },
      mode: 'replace',
      if_version: 1,
    });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.body.code, 'version_conflict');
    assert.deepEqual(stale.body.details, { version: 2 });
    assert.match(stale.body.message, /is at version 2, not 1: it changed since it was read/);
    const now = await asset(id);
    assert.equal(now.metadata.title, 'One');
    assert.deepEqual(now.tags, ['draft']);
    assert.equal(sidecarMeta(sidecar).title, 'One');
    for (const bad of [-1, 1.5, 'two'])
      assert.equal(
        (await api(url, 'PATCH', `/api/assets/${id}`, { metadata: {}, if_version: bad })).status,
        422,
        String(bad),
      );
  });

  test('a hand edit made since counts as a change: taken in, and the retry on its version applies', async () => {
    const { id, sidecar } = await registered(['draft']);
    editByHand(sidecar, (doc) => {
      doc.meta.title = 'Named by hand';
    });
    const stale = await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { notes: 'x' }, if_version: 1 });
    assert.equal(stale.status, 409, stale.text);
    assert.deepEqual(stale.body.details, { version: 2 });
    const taken = await asset(id);
    assert.equal(taken.version, 2);
    assert.equal(taken.metadata.title, 'Named by hand');
    const retry = await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { notes: 'x' }, if_version: 2 });
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.body.asset.version, 3);
    assert.equal(sidecarMeta(sidecar).title, 'Named by hand');
    assert.equal(sidecarMeta(sidecar).notes, 'x');
  });
});

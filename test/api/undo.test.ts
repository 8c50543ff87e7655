/**
 * The change history and undo (GET /api/changes, POST /api/changes/{id}/undo): every bulk edit,
 * tag rename and single edit is recorded; undoing one puts the keys it changed back on each asset
 * (registry and sidecar), except on assets edited since; an undo can itself be undone (redo).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { assertErrorEnvelope } from '../helpers/contract.js';
import { eventually } from '../helpers/eventually.js';
import { api, registerInPlace, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { openStream } from '../helpers/sse.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let url: string;

const registered = (rel: string, metadata: Record<string, unknown>): Promise<string> =>
  registerInPlace(url, ws, rel, `${rel} bytes`, metadata, false);
const asset = async (id: string) => (await api(url, 'GET', `/api/assets/${id}`)).body.asset;
const sidecar = (rel: string): Record<string, any> => ws.json(`data/assets/${rel}.asset.json`);
const history = async () => (await api(url, 'GET', '/api/changes')).body.items as Array<Record<string, any>>;
const undo = (id: number | string, body: Record<string, unknown> = {}) =>
  api(url, 'POST', `/api/changes/${id}/undo`, body);

/** A save by hand: later than the registry's own write (the mtime is the sign of an edit). */
function editSidecarByHand(rel: string, change: (doc: Record<string, any>) => void): void {
  const doc = sidecar(rel);
  change(doc);
  const abs = ws.file(`data/assets/${rel}.asset.json`, JSON.stringify(doc, null, 2));
  const later = fs.statSync(abs).mtimeMs / 1000 + 1;
  fs.utimesSync(abs, later, later);
}

before(async () => {
  ws = makeWorkspace('areg-undo-');
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('undo a bulk edit', () => {
  test('recorded in the history; undone in the registry and the sidecars; then redone', async () => {
    const a = await registered('art/a.png', { tags: ['forest'] });
    const b = await registered('art/b.png', { tags: ['night'], license: 'MIT' });
    const c = await registered('art/c.png', { tags: [] });
    const stream = await openStream(url);
    try {
      const edit = await api(url, 'POST', '/api/assets/bulk', {
        ids: [a, b, c],
        add_tags: ['hero'],
        license: 'CC0',
      });
      assert.equal(edit.status, 200, edit.text);
      const changeId = edit.body.change_id as number;
      assert.equal(typeof changeId, 'number');
      assert.deepEqual((await asset(b)).tags, ['night', 'hero']);

      const [newest] = await history();
      assert.deepEqual(newest, {
        id: changeId,
        kind: 'bulk_edit',
        summary: 'Add tag hero; set license CC0',
        assets: 3,
        created_at: newest?.created_at,
        undo_of: null,
        undone_by: null,
        undoable: true,
      });
      const detail = (await api(url, 'GET', `/api/changes/${changeId}`)).body;
      const itemOfB = detail.items.find((i: { id: string }) => i.id === b);
      assert.deepEqual(itemOfB, {
        id: b,
        path: 'art/b.png',
        before: { tags: ['night'], license: 'MIT' },
        after: { tags: ['night', 'hero'], license: 'CC0' },
      });
      const versionOfA = (await asset(a)).version;

      const undone = await undo(changeId);
      assert.equal(undone.status, 200, undone.text);
      assert.deepEqual(
        [undone.body.undone, undone.body.updated, undone.body.changed_since, undone.body.missing],
        [changeId, 3, [], []],
      );
      const undoId = undone.body.change_id as number;
      assert.deepEqual((await asset(a)).tags, ['forest']);
      assert.equal((await asset(a)).license, null, 'a licence the edit added is gone again');
      assert.equal((await asset(a)).version, versionOfA + 1, 'an undo is a new version, not an old one back');
      assert.deepEqual([(await asset(b)).tags, (await asset(b)).license], [['night'], 'MIT']);
      assert.deepEqual([sidecar('art/b.png').tags, sidecar('art/b.png').license], [['night'], 'MIT']);
      assert.equal('license' in sidecar('art/a.png').meta, false, 'the sidecar follows');
      await stream.until(
        (frames) =>
          [a, b, c].every((id) =>
            frames.some(
              (f) =>
                f.event === 'asset_meta_updated' &&
                f.data.data.uid === id &&
                !f.data.data.meta.tags.includes('hero'),
            ),
          ),
        5000,
      );

      const [undoRow, originalRow] = await history();
      assert.deepEqual(
        [undoRow?.id, undoRow?.kind, undoRow?.summary, undoRow?.undo_of, undoRow?.assets, undoRow?.undoable],
        [undoId, 'undo', 'Undo: Add tag hero; set license CC0', changeId, 3, true],
      );
      assert.deepEqual(
        [originalRow?.id, originalRow?.undone_by, originalRow?.undoable],
        [changeId, undoId, false],
      );

      const again = await undo(changeId);
      assert.equal(again.status, 409, again.text);
      assertErrorEnvelope(again.body, 409, 'already_undone');
      assert.match(
        again.body.message,
        new RegExp(`undone already, by change ${undoId}: undo that one to redo it`),
      );

      const redo = await undo(undoId);
      assert.equal(redo.status, 200, redo.text);
      assert.deepEqual((await asset(b)).tags, ['night', 'hero']);
      assert.equal((await asset(c)).license, 'CC0');
      assert.equal((await history())[0]?.summary, 'Redo: Add tag hero; set license CC0');
    } finally {
      await stream.close();
    }
  });

  test('an asset edited since (API or sidecar by hand) is left as it is and listed; other keys do not block', async () => {
    const a = await registered('cast/a.png', { tags: ['npc'] });
    const b = await registered('cast/b.png', { tags: ['npc'] });
    const c = await registered('cast/c.png', { tags: ['npc'] });
    const d = await registered('cast/d.png', { tags: ['npc'] });
    const edit = await api(url, 'POST', '/api/assets/bulk', { ids: [a, b, c, d], add_tags: ['villain'] });
    const changeId = edit.body.change_id as number;
    // b's tags edited again through the API; c's by hand in its sidecar; d only gets a title.
    await api(url, 'PATCH', `/api/assets/${b}`, { metadata: { tags: ['npc', 'villain', 'boss'] } });
    editSidecarByHand('cast/c.png', (doc) => (doc.tags = ['villain']));
    await api(url, 'PATCH', `/api/assets/${d}`, { metadata: { title: 'Duke' } });

    const undone = await undo(changeId);
    assert.equal(undone.status, 200, undone.text);
    assert.deepEqual(undone.body.changed_since.sort(), [b, c].sort());
    assert.equal(undone.body.updated, 2);
    assert.deepEqual((await asset(a)).tags, ['npc']);
    assert.deepEqual((await asset(b)).tags, ['npc', 'villain', 'boss'], 'a later edit is not overwritten');
    assert.deepEqual((await asset(c)).tags, ['villain'], 'a hand edit is not overwritten');
    assert.deepEqual(sidecar('cast/c.png').tags, ['villain']);
    assert.deepEqual([(await asset(d)).tags, (await asset(d)).metadata.title], [['npc'], 'Duke']);
  });

  test('a tag rename is undone with the tags as they were, merges included', async () => {
    const a = await registered('woods/a.png', { tags: ['forrest', 'night'] });
    const b = await registered('woods/b.png', { tags: ['forest', 'forrest', 'misty'] });
    const renamed = await api(url, 'POST', '/api/tags/rename', { from: 'forrest', to: 'forest' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual((await asset(b)).tags, ['forest', 'misty']);
    const row = (await history())[0];
    assert.deepEqual(
      [row?.kind, row?.summary, row?.assets],
      ['tag_rename', 'Rename tag forrest to forest', 2],
    );
    const undone = await undo(renamed.body.change_id);
    assert.equal(undone.status, 200, undone.text);
    assert.deepEqual((await asset(a)).tags, ['forrest', 'night']);
    assert.deepEqual((await asset(b)).tags, ['forest', 'forrest', 'misty']);
  });
});

describe('undo a single edit, and the newest change', () => {
  test('a PATCH is a change of its own; POST /api/changes/undo takes back the newest, then the one before', async () => {
    const id = await registered('ui/button.png', { tags: ['ui'] });
    const first = await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { title: 'OK button' } });
    assert.equal(typeof first.body.change_id, 'number', first.text);
    const second = await api(url, 'PATCH', `/api/assets/${id}`, {
      metadata: { title: 'Confirm', notes: 'green' },
    });
    assert.deepEqual(
      (await history()).slice(0, 2).map((c) => [c.id, c.kind, c.summary, c.assets]),
      [
        [second.body.change_id, 'edit', 'Edit ui/button.png', 1],
        [first.body.change_id, 'edit', 'Edit ui/button.png', 1],
      ],
    );
    const unchanged = await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { title: 'Confirm' } });
    assert.equal(unchanged.body.change_id, null, 'an edit that changes nothing records nothing');

    const latest = await api(url, 'POST', '/api/changes/undo', {});
    assert.equal(latest.status, 200, latest.text);
    assert.equal(latest.body.undone, second.body.change_id);
    let meta = (await asset(id)).metadata;
    assert.deepEqual([meta.title, 'notes' in meta], ['OK button', false]);
    const before = await api(url, 'POST', '/api/changes/undo', {});
    assert.equal(before.body.undone, first.body.change_id, 'undo again walks back, not forth');
    meta = (await asset(id)).metadata;
    assert.equal('title' in meta, false);
  });

  test('as a job with wait:false: 202, then its summary', async () => {
    const id = await registered('fx/spark.png', { tags: ['fx'] });
    const edit = await api(url, 'POST', '/api/assets/bulk', { ids: [id], remove_tags: ['fx'] });
    const res = await undo(edit.body.change_id, { wait: false });
    assert.equal(res.status, 202, res.text);
    const job = await eventually('the undo job to end', async () => {
      const got = (await api(url, 'GET', `/api/jobs/${res.body.job_id}`)).body.job;
      return got.status === 'running' ? undefined : got;
    });
    assert.equal(job.kind, 'undo');
    assert.equal(job.status, 'done');
    assert.deepEqual(job.summary, {
      updated: 1,
      missing: [],
      change_id: job.summary.change_id,
      changed_since: [],
      failed: [],
    });
    assert.deepEqual((await asset(id)).tags, ['fx']);
  });

  test('an undo that meets a broken sidecar changes nothing and stays possible once it is fixed', async () => {
    const id = await registered('fx/broken.png', { tags: ['fx'] });
    const edit = await api(url, 'POST', '/api/assets/bulk', { ids: [id], add_tags: ['glow'] });
    const good = JSON.stringify(sidecar('fx/broken.png'), null, 2);
    editSidecarByHand('fx/broken.png', () => undefined);
    ws.file('data/assets/fx/broken.png.asset.json', '{ "tags": [');
    const refused = await undo(edit.body.change_id);
    assert.equal(refused.status, 409, refused.text);
    assertErrorEnvelope(refused.body, 409, 'sidecar_invalid');
    assert.equal((await history()).find((c) => c.id === edit.body.change_id)?.undoable, true);
    ws.file('data/assets/fx/broken.png.asset.json', good);
    const undone = await undo(edit.body.change_id);
    assert.equal(undone.status, 200, undone.text);
    assert.deepEqual((await asset(id)).tags, ['fx']);
  });

  test('unknown, malformed or missing changes are clear 4xx errors', async () => {
    const unknown = await undo(999_999);
    assert.equal(unknown.status, 404, unknown.text);
    assertErrorEnvelope(unknown.body, 404, 'change_not_found');
    assert.match(unknown.body.message, /No change 999999 in project default/);
    const word = await undo('latest-one');
    assert.ok([400, 422].includes(word.status), word.text);
    assertErrorEnvelope(word.body, word.status);
    const detail = await api(url, 'GET', '/api/changes/999999');
    assert.equal(detail.status, 404, detail.text);
    const badLimit = await api(url, 'GET', '/api/changes?limit=0');
    assert.ok([400, 422].includes(badLimit.status), badLimit.text);
    const noBody = await api(url, 'POST', '/api/changes/999999/undo');
    assert.equal(noBody.status, 404, `no body is no options: ${noBody.text}`);
  });
});

describe("one asset's history", () => {
  test('GET /api/assets/{id}/changes: the changes that touched it, newest first, its values before and after', async () => {
    const id = await registered('story/ch1.txt', { tags: ['draft'] });
    const other = await registered('story/ch2.txt', { tags: ['draft'] });
    await api(url, 'POST', '/api/assets/bulk', {
      ids: [id, other],
      remove_tags: ['draft'],
      license: 'CC-BY-4.0',
    });
    await api(url, 'PATCH', `/api/assets/${id}`, { metadata: { title: 'Chapter 1' } });
    await api(url, 'POST', `/api/assets/${other}/move`, { path: 'story/chapter2.txt' });
    const res = await api(url, 'GET', `/api/assets/${id}/changes`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.items.map((c: Record<string, unknown>) => [c.kind, c.summary, c.assets, c.before, c.after]),
      [
        ['edit', 'Edit story/ch1.txt', 1, { title: null }, { title: 'Chapter 1' }],
        [
          'bulk_edit',
          'Remove tag draft; set license CC-BY-4.0',
          2,
          { tags: ['draft'], license: null },
          { tags: [], license: 'CC-BY-4.0' },
        ],
      ],
    );
    const unknown = await api(url, 'GET', '/api/assets/ffffffffffffffff/changes');
    assert.equal(unknown.status, 404, unknown.text);
    const cli = await runCli(['history', '--asset', 'story/chapter2.txt'], ws.dir);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      cli.json.items.map((c: { kind: string; after: unknown }) => [c.kind, c.after]),
      [
        ['move', { path: 'story/chapter2.txt' }],
        ['bulk_edit', { tags: [], license: 'CC-BY-4.0' }],
      ],
    );
  });
});

describe('undo a move', () => {
  test('files, sidecars and ids go back where they were', async () => {
    const a = await registered('props/lamp.png', { tags: ['lamp'] });
    const b = await registered('props/chair.png', { tags: ['chair'] });
    const moved = await api(url, 'POST', '/api/assets/move', { ids: [a, b], folder: 'archive/props' });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.moved.length, 2);
    const row = (await history())[0];
    assert.deepEqual(
      [row?.id, row?.kind, row?.summary, row?.assets],
      [moved.body.change_id, 'move', 'Move to archive/props', 2],
    );
    assert.equal((await asset(a)).path, 'archive/props/lamp.png');

    const undone = await undo(moved.body.change_id);
    assert.equal(undone.status, 200, undone.text);
    assert.deepEqual([undone.body.updated, undone.body.failed, undone.body.changed_since], [2, [], []]);
    for (const [id, rel] of [
      [a, 'props/lamp.png'],
      [b, 'props/chair.png'],
    ] as const) {
      assert.equal((await asset(id)).path, rel);
      assert.equal(ws.exists(`data/assets/${rel}`), true);
      assert.equal(sidecar(rel).id, id, 'the sidecar is back beside it, same id');
    }
    assert.equal(ws.exists('data/assets/archive/props/lamp.png'), false);
    assert.equal(ws.exists('data/assets/archive/props/lamp.png.asset.json'), false);
  });

  test('one moved again since stays; one whose old place is taken is not moved over it, and says why', async () => {
    const a = await registered('maps/town.png', { tags: [] });
    const b = await registered('maps/cave.png', { tags: [] });
    const moved = await api(url, 'POST', '/api/assets/move', { ids: [a, b], folder: 'old-maps' });
    assert.equal(moved.status, 200, moved.text);
    const again = await api(url, 'POST', `/api/assets/${b}/move`, { path: 'older/cave.png' });
    assert.equal(again.status, 200, again.text);
    assert.equal(typeof again.body.change_id, 'number', 'a single move is a change too');
    assert.equal(
      (await history())[0]?.summary,
      'Move old-maps/cave.png to older/cave.png',
      'paths as cleaned',
    );
    ws.file('data/assets/maps/town.png', 'a new town, made since');

    const undone = await undo(moved.body.change_id);
    assert.equal(undone.status, 200, undone.text);
    assert.deepEqual(undone.body.changed_since, [b]);
    assert.deepEqual(
      undone.body.failed.map((f: { id: string; code: string }) => [f.id, f.code]),
      [[a, 'path_taken']],
    );
    assert.equal(undone.body.updated, 0);
    assert.equal(ws.read('data/assets/maps/town.png'), 'a new town, made since', 'never overwritten');
    assert.equal((await asset(a)).path, 'old-maps/town.png');
    assert.equal((await asset(b)).path, 'older/cave.png');

    const single = await undo(again.body.change_id);
    assert.equal(single.status, 200, single.text);
    assert.equal((await asset(b)).path, 'old-maps/cave.png');
  });
});

describe('undo a removal', () => {
  test('assets removed with their files kept come back: same ids, metadata, sidecars', async () => {
    const a = await registered('sfx/door.wav', { tags: ['door'], license: 'CC0', title: 'Creaky door' });
    const b = await registered('sfx/bell.wav', { tags: ['bell'] });
    const createdA = (await asset(a)).created_at;
    const removed = await api(url, 'POST', '/api/assets/remove', { ids: [a, b] });
    assert.equal(removed.status, 200, removed.text);
    assert.equal(typeof removed.body.change_id, 'number');
    assert.equal(ws.exists('data/assets/sfx/door.wav.asset.json'), false, 'the sidecar went with it');
    const row = (await history())[0];
    assert.deepEqual([row?.kind, row?.summary, row?.assets], ['remove', 'Remove 2 assets (files kept)', 2]);

    const undone = await undo(removed.body.change_id);
    assert.equal(undone.status, 200, undone.text);
    assert.deepEqual([undone.body.updated, undone.body.failed, undone.body.changed_since], [2, [], []]);
    const back = await asset(a);
    assert.deepEqual(
      [back.path, back.tags, back.license, back.metadata.title, back.created_at],
      ['sfx/door.wav', ['door'], 'CC0', 'Creaky door', createdA],
    );
    assert.deepEqual(sidecar('sfx/door.wav').tags, ['door']);
    assert.equal(sidecar('sfx/door.wav').id, a);
    assert.equal((await asset(b)).path, 'sfx/bell.wav');

    const redo = await undo(undone.body.change_id);
    assert.equal(redo.status, 200, redo.text);
    assert.equal((await api(url, 'GET', `/api/assets/${a}`)).status, 404, 'removed again');
    assert.equal(ws.exists('data/assets/sfx/door.wav'), true, 'its file kept, as the first time');
  });

  test('a file deleted or changed since (or registered again since) is listed and left', async () => {
    const a = await registered('vo/line1.ogg', { tags: ['vo'] });
    const b = await registered('vo/line2.ogg', { tags: ['vo'] });
    const c = await registered('vo/line3.ogg', { tags: ['vo'] });
    const removed = await api(url, 'POST', '/api/assets/remove', { ids: [a, b, c] });
    fs.rmSync(`${ws.assets}/vo/line1.ogg`);
    ws.file('data/assets/vo/line2.ogg', 'recorded again');
    const other = await registerInPlace(url, ws, 'vo/line3.ogg', 'vo/line3.ogg bytes, new take', {}, false);

    const undone = await undo(removed.body.change_id);
    assert.equal(undone.status, 200, undone.text);
    assert.equal(undone.body.updated, 0);
    assert.deepEqual(undone.body.changed_since.sort(), [b, c].sort(), 'other bytes at their paths now');
    assert.deepEqual(
      undone.body.failed.map((f: { id: string; code: string; message: string }) => [f.id, f.code, f.message]),
      [[a, 'file_missing', `vo/line1.ogg is no longer on disk, so asset ${a} cannot come back.`]],
    );
    assert.equal((await asset(other)).path, 'vo/line3.ogg', 'the asset there now is untouched');
  });
});

describe("undo one asset's part", () => {
  test('only that asset gets its values back; the change stays undoable for the others, and never takes it back twice', async () => {
    const [a, b, c] = [
      await registered('part/a.png', { tags: ['sky'] }),
      await registered('part/b.png', { tags: ['sky'] }),
      await registered('part/c.png', { tags: ['sky'] }),
    ];
    const edit = await api(url, 'POST', '/api/assets/bulk', { ids: [a, b, c], add_tags: ['dusk'] });
    const part = await undo(edit.body.change_id, { ids: [b] });
    assert.equal(part.status, 200, part.text);
    assert.deepEqual([part.body.updated, part.body.changed_since], [1, []]);
    assert.deepEqual(
      [(await asset(a)).tags, (await asset(b)).tags, sidecar('part/b.png').tags],
      [['sky', 'dusk'], ['sky'], ['sky']],
    );
    const listed = await history();
    assert.deepEqual(
      [listed[0]?.summary, listed[0]?.assets, listed[0]?.undo_of],
      ['Undo: Add tag dusk (1 of its 3 assets)', 1, edit.body.change_id],
    );
    assert.equal(listed.find((ch) => ch.id === edit.body.change_id)?.undoable, true, 'still undoable');

    const rest = await undo(edit.body.change_id);
    assert.deepEqual([rest.body.updated, rest.body.changed_since], [2, [b]], 'b was taken back already');
    assert.deepEqual((await asset(c)).tags, ['sky']);
    const redone = await undo(part.body.change_id);
    assert.equal(redone.status, 200, redone.text);
    assert.deepEqual((await asset(b)).tags, ['sky', 'dusk'], 'a redo of the part');

    const other = await registered('part/d.png', {});
    const none = await undo(redone.body.change_id, { ids: [other] });
    assert.equal(none.status, 400);
    assert.match(none.body.message, new RegExp(`did not touch ${other}`));

    // The CLI, by path.
    const again = await api(url, 'POST', '/api/assets/bulk', { ids: [a, c], add_tags: ['night'] });
    const cli = await runCli(
      ['undo', String(again.body.change_id), '--asset', 'part/c.png', '--json'],
      ws.dir,
    );
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual([(await asset(a)).tags, (await asset(c)).tags], [['sky', 'night'], ['sky']]);
  });
});

describe('asset-registry history / undo', () => {
  test('lists the changes and undoes one by id, or the newest', async () => {
    const id = await registered('sfx/door.png', { tags: ['door'] });
    const edited = await runCli(['update', id, '--add-tags', 'creak', '--json'], ws.dir);
    assert.equal(edited.code, 0, edited.stderr);
    const [changeId] = edited.json.change_ids as number[];
    const listed = await runCli(['history', '--json', '--limit', '5'], ws.dir);
    assert.equal(listed.code, 0, listed.stderr);
    const older = await runCli(['history', '--json', '--limit', '2', '--before', String(changeId)], ws.dir);
    assert.deepEqual(
      older.json.items.map((c: { id: number }) => c.id),
      listed.json.items.slice(1, 3).map((c: { id: number }) => c.id),
      'the next page: older than an id',
    );
    assert.deepEqual([listed.json.items[0].id, listed.json.items[0].summary], [changeId, 'Add tag creak']);
    const undone = await runCli(['undo', String(changeId), '--json'], ws.dir);
    assert.equal(undone.code, 0, undone.stderr);
    assert.deepEqual([undone.json.undone, undone.json.updated], [changeId, 1]);
    assert.deepEqual((await asset(id)).tags, ['door']);
    const twice = await runCli(['undo', String(changeId), '--json'], ws.dir);
    assert.notEqual(twice.code, 0);
    assert.equal(twice.json.code, 'already_undone');
    const redone = await runCli(['undo', String(undone.json.change_id), '--json'], ws.dir);
    assert.equal(redone.code, 0, redone.stderr);
    assert.deepEqual((await asset(id)).tags, ['door', 'creak']);
    const bad = await runCli(['undo', 'soon', '--json'], ws.dir);
    assert.equal(bad.code, 2, bad.stdout);
    assert.match(bad.json.message, /--change must be a whole number/);
  });
});

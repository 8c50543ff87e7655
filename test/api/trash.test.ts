/**
 * The trash: files deleted through the registry (`delete_file`, `delete_files`, the CLI's
 * `--delete-file`) go to `.trash/<batch>/<path>` under the assets root with their sidecars, so
 * that undoing the removal brings them back; `GET /api/trash` lists it, `DELETE /api/trash` and
 * `trash empty` empty it, and batches older than ASSET_REGISTRY_TRASH_DAYS go by themselves.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { api, registerInPlace, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let url: string;

const registered = (rel: string, metadata: Record<string, unknown> = {}): Promise<string> =>
  registerInPlace(url, ws, rel, `${rel} bytes`, metadata, false);
const asset = (id: string) => api(url, 'GET', `/api/assets/${id}`);
const undo = (id: number) => api(url, 'POST', `/api/changes/${id}/undo`, {});
const trashed = async () => (await api(url, 'GET', '/api/trash')).body;
const BATCH = /^\.trash\/(\d{8}T\d{6}Z)-c(\d+)-[0-9a-f]{4}$/;

before(async () => {
  ws = makeWorkspace('areg-trash-');
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('files deleted through the registry go to the trash', () => {
  test('with their sidecars; undo brings them back as they were; redo puts them in the trash again', async () => {
    const id = await registered('sfx/gong.wav', { tags: ['gong'], license: 'CC0' });
    const deleted = await api(url, 'DELETE', `/api/assets/${id}?delete_file=true`);
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.body.file_deleted, true);
    const where = deleted.body.trashed as string;
    const batch = where.slice(0, -'/sfx/gong.wav'.length);
    assert.match(batch, BATCH);
    assert.equal(where, `${batch}/sfx/gong.wav`);
    assert.equal(Number(BATCH.exec(batch)?.[2]), deleted.body.change_id, 'the batch is named by its change');
    assert.equal(ws.exists('data/assets/sfx/gong.wav'), false, 'gone from its folder');
    assert.equal(fs.readFileSync(`${ws.assets}/${where}`, 'utf8'), 'sfx/gong.wav bytes');
    const keptSidecar = ws.json(`data/assets/${where}.asset.json`) as Record<string, any>;
    assert.deepEqual([keptSidecar.id, keptSidecar.tags, keptSidecar.license], [id, ['gong'], 'CC0']);
    assert.equal(ws.exists('data/assets/sfx/gong.wav.asset.json'), false);
    assert.equal(ws.exists('data/assets/_meta/sfx/gong.wav.json'), false, 'the mirror is gone');

    const [change] = (await api(url, 'GET', '/api/changes?limit=1')).body.items;
    assert.deepEqual(
      [change.id, change.kind, change.summary, change.undoable],
      [deleted.body.change_id, 'remove', 'Delete sfx/gong.wav', true],
    );
    const listing = await trashed();
    assert.deepEqual(
      [listing.folder, listing.keep_days, listing.files, listing.bytes],
      ['.trash', 30, 1, 'sfx/gong.wav bytes'.length],
    );
    assert.deepEqual(listing.batches[0], {
      name: batch.slice('.trash/'.length),
      change_id: deleted.body.change_id,
      kind: 'removal',
      deleted_at: listing.batches[0].deleted_at,
      files: 1,
      bytes: 'sfx/gong.wav bytes'.length,
    });
    assert.ok(Math.abs(Date.parse(listing.batches[0].deleted_at) - Date.now()) < 60_000);

    // A rebuild passes over the trash: the deleted file is not registered again.
    const rebuilt = await api(url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: false });
    assert.equal(rebuilt.status, 200, rebuilt.text);
    assert.equal((await api(url, 'GET', '/api/assets/search?q=gong')).body.total, 0);

    const undone = await undo(deleted.body.change_id);
    assert.equal(undone.status, 200, undone.text);
    assert.deepEqual([undone.body.updated, undone.body.failed], [1, []]);
    const back = (await asset(id)).body.asset;
    assert.deepEqual([back.path, back.tags, back.license], ['sfx/gong.wav', ['gong'], 'CC0']);
    assert.equal(fs.readFileSync(`${ws.assets}/sfx/gong.wav`, 'utf8'), 'sfx/gong.wav bytes');
    assert.equal((ws.json('data/assets/sfx/gong.wav.asset.json') as Record<string, any>).id, id);
    assert.equal(ws.exists(`data/assets/${batch}`), false, 'the emptied batch folder went');
    assert.deepEqual([(await trashed()).files, (await trashed()).batches], [0, []]);

    const redone = await undo(undone.body.change_id);
    assert.equal(redone.status, 200, redone.text);
    assert.equal((await asset(id)).status, 404);
    assert.equal(ws.exists('data/assets/sfx/gong.wav'), false, 'deleted again, as the first time');
    const again = await trashed();
    assert.equal(again.files, 1);
    assert.equal(again.batches[0].change_id, redone.body.change_id);
    const redoneAgain = await undo(redone.body.change_id);
    assert.equal(redoneAgain.body.updated, 1, 'and back once more');
    assert.equal((await asset(id)).body.asset.path, 'sfx/gong.wav');
  });

  test('a removal of many puts its files in one batch; an undo leaves what it cannot bring back and says why', async () => {
    const ids = [
      await registered('vo/line1.ogg'),
      await registered('vo/line2.ogg'),
      await registered('vo/line3.ogg'),
    ];
    const removed = await api(url, 'POST', '/api/assets/remove', { ids, delete_files: true });
    assert.equal(removed.status, 200, removed.text);
    assert.equal(removed.body.files_deleted, 3);
    const batch = removed.body.trash as string;
    assert.match(batch, BATCH);
    for (const n of [1, 2, 3]) assert.ok(ws.exists(`data/assets/${batch}/vo/line${n}.ogg`));
    assert.equal(
      (await api(url, 'GET', '/api/changes?limit=1')).body.items[0].summary,
      'Delete 3 assets (files to the trash)',
    );

    fs.rmSync(`${ws.assets}/${batch}/vo/line1.ogg`); // taken out of the trash by hand
    ws.file('data/assets/vo/line2.ogg', 'a new take at the same path');
    const undone = await undo(removed.body.change_id);
    assert.equal(undone.status, 200, undone.text);
    assert.equal(undone.body.updated, 1);
    assert.equal((await asset(ids[2] as string)).body.asset.path, 'vo/line3.ogg');
    const why = Object.fromEntries(
      undone.body.failed.map((f: { id: string; code: string; message: string }) => [
        f.id,
        [f.code, f.message],
      ]),
    );
    assert.deepEqual(why, {
      [ids[0] as string]: [
        'file_missing',
        `vo/line1.ogg was deleted and is no longer in the trash (emptied, or kept longer than 30 days), ` +
          `so asset ${ids[0]} cannot come back.`,
      ],
      [ids[1] as string]: [
        'path_taken',
        `A file is at vo/line2.ogg now, so the deleted file of asset ${ids[1]} stays in the trash ` +
          `(${batch}/vo/line2.ogg).`,
      ],
    });
    assert.equal(
      fs.readFileSync(`${ws.assets}/vo/line2.ogg`, 'utf8'),
      'a new take at the same path',
      'untouched',
    );
    assert.equal(fs.readFileSync(`${ws.assets}/${batch}/vo/line2.ogg`, 'utf8'), 'vo/line2.ogg bytes');

    const recent = await api(url, 'DELETE', '/api/trash?older_than_days=1');
    assert.deepEqual(recent.body, { ok: true, batches: 0, files: 0, bytes: 0 }, 'nothing that old');
    const emptied = await api(url, 'DELETE', '/api/trash');
    assert.deepEqual(emptied.body, { ok: true, batches: 1, files: 1, bytes: 'vo/line2.ogg bytes'.length });
    assert.equal(ws.exists(`data/assets/${batch}`), false);
    assert.equal(fs.readFileSync(`${ws.assets}/vo/line2.ogg`, 'utf8'), 'a new take at the same path');
    const bad = await api(url, 'DELETE', '/api/trash?older_than_days=-1');
    assert.equal(bad.status, 422);
    assert.equal(bad.body.ok, false);
  });

  test('one batch lists its files as they were, and is deleted for good on its own', async () => {
    const ids = [await registered('props/cup.png'), await registered('props/deep/plate.png')];
    const removed = await api(url, 'POST', '/api/assets/remove', { ids, delete_files: true });
    const name = (removed.body.trash as string).slice('.trash/'.length);
    const shown = await api(url, 'GET', `/api/trash/${name}`);
    assert.equal(shown.status, 200, shown.text);
    assert.deepEqual(shown.body, {
      ok: true,
      name,
      change_id: removed.body.change_id,
      kind: 'removal',
      deleted_at: shown.body.deleted_at,
      files: 2,
      bytes: 'props/cup.png bytes'.length + 'props/deep/plate.png bytes'.length,
      items: [
        { path: 'props/cup.png', bytes: 'props/cup.png bytes'.length },
        { path: 'props/deep/plate.png', bytes: 'props/deep/plate.png bytes'.length },
      ],
      truncated: false,
    });
    const first = await api(url, 'GET', `/api/trash/${name}?limit=1`);
    assert.deepEqual([first.body.items.length, first.body.truncated], [1, true]);
    const others = (await trashed()).batches.length;

    for (const bad of ['no-such-batch', '..', '.', encodeURIComponent('../data')]) {
      const res = await api(url, 'DELETE', `/api/trash/${bad}`);
      // (Refused: no such batch, or a path the URL itself resolves away from the trash.)
      assert.ok([404, 422].includes(res.status), `${bad}: ${res.status} ${res.text}`);
      assert.equal(res.body.ok, false);
    }
    assert.equal(ws.exists('data/assets/props'), true, 'nothing outside the trash touched');
    const gone = await api(url, 'DELETE', `/api/trash/${name}`);
    assert.deepEqual(gone.body, { ok: true, batches: 1, files: 2, bytes: shown.body.bytes });
    assert.equal((await trashed()).batches.length, others - 1, 'only that batch');
    assert.equal((await api(url, 'GET', `/api/trash/${name}`)).status, 404);
    const undone = await undo(removed.body.change_id);
    assert.deepEqual(
      undone.body.failed.map((f: { code: string }) => f.code),
      ['file_missing', 'file_missing'],
    );
  });

  test('a trashed file is not brought back over a file registered at its path since', async () => {
    const id = await registered('bg/sky.png');
    const deleted = await api(url, 'DELETE', `/api/assets/${id}?delete_file=true`);
    const other = await registerInPlace(url, ws, 'bg/sky.png', 'another sky', { tags: ['new sky'] }, false);
    const undone = await undo(deleted.body.change_id);
    assert.deepEqual(
      undone.body.failed.map((f: { code: string }) => f.code),
      ['path_taken'],
    );
    assert.equal((await asset(other)).body.asset.tags[0], 'new sky');
    assert.ok(ws.exists(`data/assets/${deleted.body.trashed}`), 'still in the trash');
  });
});

describe('uploads', () => {
  const uploadFile = async (name: string, body: string, session?: string) => {
    const form = new FormData();
    form.append('dest_path', 'drops/');
    if (session !== undefined) form.append('session', session);
    form.append('file', new Blob([body]), name);
    const res = await fetch(`${url}/api/assets/upload`, { method: 'POST', body: form });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  test("a session's uploads are one change: undone, their files go to the trash; without one, none is recorded", async () => {
    const first = await uploadFile('one.txt', 'one', 'drop-1');
    const second = await uploadFile('two.txt', 'two', 'drop-1');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(typeof first.body.change_id, 'number');
    assert.equal(second.body.change_id, first.body.change_id, 'one change for the session');
    const [change] = (await api(url, 'GET', '/api/changes?limit=1')).body.items;
    assert.deepEqual(
      [change.id, change.kind, change.summary, change.assets],
      [first.body.change_id, 'upload', 'Upload 2 files', 2],
    );
    const alone = await uploadFile('three.txt', 'three');
    assert.equal(alone.body.change_id, null, 'no session: not recorded');

    const undone = await undo(first.body.change_id);
    assert.equal(undone.status, 200, undone.text);
    assert.equal(undone.body.updated, 2);
    for (const { body } of [first, second]) {
      assert.equal((await asset(body.asset_id)).status, 404);
      assert.equal(ws.exists(`data/assets/${body.asset.path}`), false, `${body.asset.path} left its folder`);
    }
    assert.equal(ws.exists(`data/assets/${alone.body.asset.path}`), true, 'the other upload stays');
    const later = await uploadFile('four.txt', 'four', 'drop-1');
    assert.notEqual(
      later.body.change_id,
      first.body.change_id,
      'the session starts a new change once undone',
    );
    // The same bytes uploaded, removed and uploaded again in one session: the same id, which
    // the session's change holds already (a 500 before): recorded in a new change.
    const again = await uploadFile('four.txt', 'four', 'drop-1');
    assert.equal(again.body.asset_id, later.body.asset_id);
    assert.equal((await api(url, 'DELETE', `/api/assets/${later.body.asset_id}`)).status, 200);
    const back = await uploadFile('four.txt', 'four', 'drop-1');
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.equal(back.body.asset_id, later.body.asset_id);
    assert.equal(typeof back.body.change_id, 'number');
    assert.notEqual(back.body.change_id, later.body.change_id, 'a new change: the old one holds it');
    const long = await uploadFile('five.txt', 'five', 'x'.repeat(101));
    assert.equal(long.status, 400);
    assert.match(long.body.message, /session must be at most 100 characters/);
    assert.equal(ws.exists('data/assets/drops/five.txt'), false, 'refused before anything was written');
  });
});

describe('deleting for good', () => {
  test('trash=false (delete_files with trash: false) deletes at once: nothing kept, nothing to bring back', async () => {
    const id = await registered('tmp/scratch.txt');
    const before = (await trashed()).files;
    const deleted = await api(url, 'DELETE', `/api/assets/${id}?delete_file=true&trash=false`);
    assert.equal(deleted.status, 200, deleted.text);
    assert.deepEqual([deleted.body.file_deleted, deleted.body.trashed], [true, undefined]);
    assert.equal(ws.exists('data/assets/tmp/scratch.txt'), false);
    assert.equal((await trashed()).files, before, 'nothing went to the trash');
    const other = await registered('tmp/other.txt');
    const many = await api(url, 'POST', '/api/assets/remove', {
      ids: [other],
      delete_files: true,
      trash: false,
    });
    assert.deepEqual([many.body.files_deleted, many.body.trash], [1, null]);
    const undone = await undo(deleted.body.change_id);
    assert.deepEqual(
      undone.body.failed.map((f: { code: string; message: string }) => [f.code, f.message]),
      [['file_missing', `tmp/scratch.txt is no longer on disk, so asset ${id} cannot come back.`]],
    );
  });
});

describe('asset-registry remove --delete-file, trash, trash empty; the kept days', () => {
  test('the CLI trashes and lists; old batches go after the kept days; 0 days deletes at once', async () => {
    const cli = makeWorkspace('areg-trash-cli-');
    try {
      const register = async (rel: string) => {
        cli.file(`data/assets/${rel}`, `${rel} bytes`);
        const res = await runCli(['register', `data/assets/${rel}`, '--json'], cli.dir);
        assert.equal(res.code, 0, res.stderr);
        return res.json.asset_id as string;
      };
      // A batch from long ago, as a removal 40 days back left it.
      cli.file('data/assets/.trash/20200101T000000Z-c1-abcd/old/tile.png', 'old bytes');
      const first = await register('maps/town.png');
      const removed = await runCli(['remove', first, '--delete-file', '--json'], cli.dir);
      assert.equal(removed.code, 0, removed.stderr);
      assert.match(removed.json.trashed, /^\.trash\/\d{8}T\d{6}Z-c\d+-[0-9a-f]{4}\/generic\/town\.png$/);
      assert.equal(cli.exists(`data/assets/${removed.json.trashed}`), true);
      assert.equal(
        cli.exists('data/assets/.trash/20200101T000000Z-c1-abcd'),
        false,
        'older than 30 days: gone',
      );

      const listed = await runCli(['trash', '--json'], cli.dir);
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(
        listed.json.batches.map((b: { files: number; bytes: number }) => [b.files, b.bytes]),
        [[1, 'maps/town.png bytes'.length]],
      );
      assert.equal(listed.json.keep_days, 30);
      const undone = await runCli(['undo', '--json'], cli.dir);
      assert.equal(undone.code, 0, undone.stderr);
      assert.equal(cli.exists('data/assets/generic/town.png'), true, 'back from the trash');

      const second = await register('maps/cave.png');
      await runCli(['remove', second, '--delete-file', '--json'], cli.dir);
      const unknown = await runCli(['trash', 'empty', '--batch', 'nope', '--json'], cli.dir);
      assert.equal(unknown.code, 3, unknown.stdout);
      assert.equal(unknown.json.code, 'trash_batch_not_found');
      const [only] = (await runCli(['trash', '--json'], cli.dir)).json.batches as Array<{ name: string }>;
      const one = await runCli(['trash', 'empty', '--batch', only!.name, '--json'], cli.dir);
      assert.deepEqual([one.code, one.json.batches, one.json.files], [0, 1, 1], one.stderr);
      await runCli(['remove', await register('maps/cave-2.png'), '--delete-file', '--json'], cli.dir);
      const emptied = await runCli(['trash', 'empty', '--json'], cli.dir);
      assert.deepEqual([emptied.code, emptied.json.files], [0, 1], emptied.stderr);
      assert.deepEqual(fs.readdirSync(`${cli.assets}/.trash`), []);

      const third = await register('maps/mine.png');
      const now = await runCli(['remove', third, '--delete-file', '--json'], cli.dir, {
        ASSET_REGISTRY_TRASH_DAYS: '0',
      });
      assert.equal(now.code, 0, now.stderr);
      assert.deepEqual([now.json.file_deleted, now.json.trashed], [true, undefined]);
      assert.equal(cli.exists('data/assets/generic/mine.png'), false);
      assert.deepEqual(fs.readdirSync(`${cli.assets}/.trash`), [], 'not kept');
      const bad = await runCli(['trash', 'empty', '--older-than', 'soon', '--json'], cli.dir);
      assert.equal(bad.code, 2);
      assert.match(bad.json.message, /--older-than must be a whole number/);
    } finally {
      cli.cleanup();
    }
  });
});

/**
 * Rebuild from disk (issue 4, reference §7 without its §11 bugs), over a real server process:
 * one tree in a temporary workspace goes through first scan, warm rescan, edits, moves,
 * duplicates, hand-edited sidecars and removals; each step checks the registry rows (through the
 * API) and the sidecars on disk.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeImage, makeWav, toneWithBurst } from '../helpers/media.js';
import { api, startServer, type RunningServer } from '../helpers/server.js';
import { listFiles, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let url: string;

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const asset = (rel: string): string => path.join(ws.assets, rel);
const writeAsset = (rel: string, content: string | Uint8Array): string =>
  ws.file(`data/assets/${rel}`, content);
const sidecar = (rel: string): Record<string, any> => ws.json(`data/assets/${rel}.asset.json`);
const writeJson = (abs: string, value: unknown): void =>
  fs.writeFileSync(abs, JSON.stringify(value, null, 2));
/** A fixed mtime, so a test can put a file's mtime back exactly (seconds → ms without rounding). */
const FIXED_MTIME = 1_700_000_000;

interface Row {
  id: string;
  path: string;
  type: string;
  hash: string;
  bytes: number;
  tags: string[];
  license: string | null;
  version: number;
  metadata: Record<string, unknown>;
  preview_status?: string;
}

async function rebuild(body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await api(url, 'POST', '/api/assets/rebuild', body);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.ok, true);
  return res.body.summary as Record<string, any>;
}

async function rows(): Promise<Row[]> {
  const res = await api(url, 'GET', '/api/assets/search?limit=500&sort=path&order=asc');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.total, res.body.items.length);
  return res.body.items as Row[];
}

async function rowAt(rel: string): Promise<Row> {
  const all = (await rows()).filter((r) => r.path === rel);
  assert.equal(all.length, 1, `exactly one row for ${rel}, got ${all.length}`);
  return all[0]!;
}

/** The assets the first scan should find: path → expected type and tags. */
const EXPECTED: Record<string, { type: string; tags: string[] }> = {
  'Characters/Alice/Hero Pic.png': { type: 'Characters', tags: ['characters', 'alice', 'hero pic'] },
  'music/Loops/loop.wav': { type: 'music', tags: ['music', 'loops', 'loop'] },
  'logo.png': { type: 'images', tags: ['logo'] },
  'beep.wav': { type: 'audio', tags: ['beep'] },
  'Readme.TXT': { type: 'generic', tags: ['readme'] },
  'settings.json': { type: 'json', tags: ['settings'] },
  'images/old.png': { type: 'images', tags: ['legacy-tag'] },
  'docs/a b.txt': { type: 'docs', tags: ['docs', 'a b'] },
};

before(async () => {
  ws = makeWorkspace('areg-rebuild-');
  writeAsset('Characters/Alice/Hero Pic.png', await makeImage(40, 30, 'png'));
  writeAsset('music/Loops/loop.wav', makeWav(toneWithBurst(0.2, 8000, 1, 0.05), 8000, 16));
  writeAsset('logo.png', await makeImage(20, 20, 'png', 6));
  writeAsset('beep.wav', makeWav(toneWithBurst(0.1, 8000, 2, 0.05), 8000, 8));
  writeAsset('Readme.TXT', 'readme v1');
  fs.utimesSync(asset('Readme.TXT'), FIXED_MTIME, FIXED_MTIME);
  writeAsset('settings.json', '{"volume": 3}');
  writeAsset('docs/a b.txt', 'a b');
  // A legacy `<file>.json` neighbour: read as the sidecar of images/old.png, never an asset.
  writeAsset('images/old.png', await makeImage(10, 12, 'jpeg'));
  writeAsset(
    'images/old.png.json',
    JSON.stringify({ tags: ['legacy-tag'], license: 'CC0-1.0', meta: { title: 'Old one' } }),
  );
  // Hidden files, OS junk and dot-folders.
  writeAsset('.hidden', 'hidden');
  writeAsset('.DS_Store', 'junk');
  writeAsset('Thumbs.db', 'junk');
  writeAsset('docs/desktop.ini', 'junk');
  writeAsset('.git/config', '[core]');
  writeAsset('images/.cache/cached.png', await makeImage(8, 8, 'png'));
  // Symlinks leading out of the root (a file and a folder).
  ws.file('outside/secret.txt', 'secret outside the root');
  fs.symlinkSync(path.join(ws.dir, 'outside', 'secret.txt'), asset('secret-link.txt'));
  fs.symlinkSync(path.join(ws.dir, 'outside'), asset('outside-dir'));
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('rebuild of a tree', () => {
  let first: Record<string, any>;
  const ids: Record<string, string> = {};

  test('registers every asset with its type bucket and path-derived tags, and writes sidecars', async () => {
    first = await rebuild();
    assert.equal(first.processed, Object.keys(EXPECTED).length);
    assert.equal(first.created, Object.keys(EXPECTED).length);
    assert.equal(first.skipped, 0);
    assert.equal(first.removed, 0);
    assert.equal(first.orphaned_sidecars, 0);
    assert.equal(first.missing_thumbnails, 0);
    assert.equal(first.assets_root, ws.assets);
    assert.equal(first.thumb_root, path.join(ws.dir, 'cache', 'thumbs'));
    const all = await rows();
    assert.deepEqual(all.map((r) => r.path).sort(), Object.keys(EXPECTED).sort());
    for (const row of all) {
      const want = EXPECTED[row.path]!;
      assert.equal(row.type, want.type, `type of ${row.path}`);
      assert.deepEqual(row.tags, want.tags, `tags of ${row.path}`);
      assert.equal(row.hash, sha256(fs.readFileSync(asset(row.path))));
      const doc = sidecar(row.path);
      assert.equal(doc.id, row.id);
      assert.equal(doc.hash, row.hash);
      assert.deepEqual(doc.tags, row.tags);
      ids[row.path] = row.id;
    }
  });

  test('reads a legacy <file>.json neighbour as the sidecar and does not register it', async () => {
    const old = await rowAt('images/old.png');
    assert.equal(old.license, 'CC0-1.0');
    assert.equal(old.metadata.title, 'Old one');
    assert.equal(first.legacy_sidecars, 1);
    assert.ok(!ws.exists('data/assets/images/old.png.json.asset.json'));
    const search = await api(url, 'GET', '/api/assets/search?q=old.png.json');
    assert.equal(search.body.total, 0);
  });

  test('skips hidden files, OS junk and dot-folders, and does not follow symlinks out of the root', async () => {
    const paths = (await rows()).map((r) => r.path);
    for (const skipped of [
      '.hidden',
      '.DS_Store',
      'Thumbs.db',
      'docs/desktop.ini',
      '.git/config',
      'images/.cache/cached.png',
      'secret-link.txt',
      'outside-dir/secret.txt',
    ]) {
      assert.ok(!paths.includes(skipped), `${skipped} is not registered`);
      assert.ok(!ws.exists(`data/assets/${skipped}.asset.json`), `no sidecar for ${skipped}`);
    }
    assert.ok(first.ignored >= 8, `ignored counts what was passed over (${first.ignored})`);
    assert.ok(
      !fs.existsSync(path.join(ws.dir, 'outside', 'secret.txt.asset.json')),
      'nothing written outside',
    );
    const secret = await api(url, 'GET', '/api/assets/search?q=secret');
    assert.equal(secret.body.total, 0);
  });

  test('wait_for_thumbs (the default) returns with every preview made', async () => {
    const thumbs = path.join(ws.dir, 'cache', 'thumbs');
    for (const rel of ['Characters/Alice/Hero Pic.png', 'logo.png', 'images/old.png']) {
      const row = await rowAt(rel);
      assert.equal(row.preview_status, 'done', `${rel}: ${JSON.stringify(row)}`);
      for (const size of [256, 512]) assert.ok(fs.existsSync(path.join(thumbs, `${row.id}_${size}.png`)));
    }
    for (const rel of ['beep.wav', 'music/Loops/loop.wav']) {
      const row = await rowAt(rel);
      assert.equal(row.preview_status, 'done');
      assert.ok(fs.existsSync(path.join(thumbs, `${row.id}.waveform.json`)));
    }
  });

  test('a warm rebuild of an unchanged tree changes nothing and does not re-read files', async () => {
    const before = await rows();
    // Same size, same mtime, different bytes: only a rebuild that re-hashes would notice.
    fs.writeFileSync(asset('Readme.TXT'), 'readme v2');
    fs.utimesSync(asset('Readme.TXT'), FIXED_MTIME, FIXED_MTIME);
    const warm = await rebuild();
    const n = Object.keys(EXPECTED).length;
    assert.equal(warm.processed, n);
    assert.equal(warm.unchanged, n);
    assert.equal(warm.skipped, 0);
    assert.equal(warm.created + warm.updated + warm.moved + warm.removed + warm.sidecar_updates, 0);
    assert.equal(warm.missing_thumbnails, 0);
    const after = await rows();
    assert.deepEqual(after, before, 'rows are untouched');
    assert.equal((await rowAt('Readme.TXT')).hash, sha256('readme v1'), 'the file was not re-hashed');
  });

  test('a file edited in place gets a new hash and keeps its id: one row for its path', async () => {
    const previous = await rowAt('Readme.TXT');
    fs.utimesSync(asset('Readme.TXT'), FIXED_MTIME + 60, FIXED_MTIME + 60);
    writeAsset('docs/a b.txt', 'a b, edited and longer');
    const summary = await rebuild();
    assert.equal(summary.updated, 2);
    assert.equal(summary.created, 0);
    assert.equal(summary.removed, 0);
    const readme = await rowAt('Readme.TXT');
    assert.equal(readme.id, previous.id);
    assert.equal(readme.hash, sha256('readme v2'));
    assert.equal(readme.version, previous.version + 1);
    const doc = await rowAt('docs/a b.txt');
    assert.equal(doc.id, ids['docs/a b.txt']);
    assert.equal(doc.hash, sha256('a b, edited and longer'));
    assert.equal(doc.bytes, Buffer.byteLength('a b, edited and longer'));
    assert.equal(sidecar('docs/a b.txt').hash, doc.hash);
    assert.equal(sidecar('Readme.TXT').hash, readme.hash);
    assert.equal((await rows()).length, Object.keys(EXPECTED).length);
  });

  test('a moved file keeps its id, tags and sidecar, with its new path, in one pass', async () => {
    // One registered with a type of its own, which stays wherever the file goes (a text file: no
    // preview whose sidecar write could race the hand-made move).
    ws.file('incoming/face.txt', 'a face');
    const face = await api(url, 'POST', '/api/assets/register', {
      path: 'incoming/face.txt',
      asset_type: 'portrait',
      dest_path: 'art/face.txt',
    });
    assert.equal(face.status, 200, face.text);
    fs.mkdirSync(asset('characters'), { recursive: true });
    fs.renameSync(asset('art/face.txt'), asset('characters/face.txt'));
    fs.rmSync(asset('art/face.txt.asset.json'));
    // The wav moves alone (its sidecar stays behind); the text moves with its sidecar.
    fs.mkdirSync(asset('sfx'), { recursive: true });
    fs.renameSync(asset('music/Loops/loop.wav'), asset('sfx/loop-final.wav'));
    fs.mkdirSync(asset('archive'), { recursive: true });
    fs.renameSync(asset('settings.json'), asset('archive/settings.json'));
    fs.renameSync(asset('settings.json.asset.json'), asset('archive/settings.json.asset.json'));
    const summary = await rebuild();
    assert.equal(summary.moved, 3);
    assert.equal(summary.created, 0);
    assert.equal(summary.removed, 0);
    assert.equal(summary.orphaned_sidecars, 0);
    const wav = await rowAt('sfx/loop-final.wav');
    assert.equal(wav.id, ids['music/Loops/loop.wav']);
    assert.deepEqual(wav.tags, ['music', 'loops', 'loop']);
    // Its type was its folder's: it follows (a top-level file's, by its extension, too).
    assert.equal(wav.type, 'sfx');
    assert.equal(sidecar('sfx/loop-final.wav').type, 'sfx');
    const settings = await rowAt('archive/settings.json');
    assert.equal(settings.id, ids['settings.json']);
    assert.equal(settings.type, 'archive');
    const moved = await rowAt('characters/face.txt');
    assert.equal(moved.id, face.body.asset_id);
    assert.equal(moved.type, 'portrait');
    const types = (await api(url, 'GET', '/api/assets/facets')).body.types as Array<{ value: string }>;
    assert.ok(!types.some((t) => t.value === 'music'), 'the counts moved with it');
    await api(url, 'DELETE', `/api/assets/${face.body.asset_id}?delete_file=true`);
    fs.rmdirSync(asset('characters'));
    const paths = (await rows()).map((r) => r.path);
    assert.ok(!paths.includes('music/Loops/loop.wav'));
    assert.ok(!paths.includes('settings.json'));
    assert.equal(paths.length, Object.keys(EXPECTED).length);
    assert.equal(sidecar('sfx/loop-final.wav').id, wav.id);
    assert.equal(sidecar('sfx/loop-final.wav').path, 'sfx/loop-final.wav');
    assert.equal(sidecar('archive/settings.json').path, 'archive/settings.json');
    assert.ok(!ws.exists('data/assets/music/Loops/loop.wav.asset.json'), 'the old sidecar is gone');
    ids['sfx/loop-final.wav'] = wav.id;
  });

  test('the same bytes at two paths are two assets, each with its own id and sidecar', async () => {
    fs.mkdirSync(asset('copies'), { recursive: true });
    fs.copyFileSync(asset('logo.png'), asset('copies/logo.png'));
    const summary = await rebuild();
    assert.equal(summary.created, 1);
    assert.equal(summary.duplicates, 1);
    assert.equal(summary.moved, 0);
    const original = await rowAt('logo.png');
    const copy = await rowAt('copies/logo.png');
    assert.equal(original.id, ids['logo.png']);
    assert.notEqual(copy.id, original.id);
    assert.equal(copy.hash, original.hash);
    assert.deepEqual(copy.tags, ['copies', 'logo']);
    assert.equal(sidecar('copies/logo.png').id, copy.id);
    assert.equal(sidecar('logo.png').id, original.id);
    const byHash = await api(url, 'GET', `/api/assets/search?hash=${original.hash}`);
    assert.equal(byHash.body.total, 2);
  });

  test('a sidecar edited by hand wins: a removed tag stays removed and the licence is kept', async () => {
    const rel = 'Characters/Alice/Hero Pic.png';
    const before = await rowAt(rel);
    // The visible top-level fields, as a user edits them.
    const doc = sidecar(rel);
    doc.tags = ['characters', 'hero pic', 'protagonist'];
    doc.license = 'CC-BY-4.0';
    writeJson(asset(`${rel}.asset.json`), doc);
    const summary = await rebuild();
    assert.equal(summary.sidecar_updates, 1);
    let row = await rowAt(rel);
    assert.equal(row.id, before.id);
    assert.deepEqual(row.tags, ['characters', 'hero pic', 'protagonist']);
    assert.equal(row.license, 'CC-BY-4.0');
    assert.deepEqual(sidecar(rel).tags, row.tags);
    assert.deepEqual(sidecar(rel).meta.tags, row.tags);

    // The nested copy under `meta`, as a tool that edits `meta` does.
    const doc2 = sidecar(rel);
    doc2.meta.tags = ['protagonist'];
    doc2.meta.license = 'MIT';
    writeJson(asset(`${rel}.asset.json`), doc2);
    await rebuild();
    row = await rowAt(rel);
    assert.deepEqual(row.tags, ['protagonist']);
    assert.equal(row.license, 'MIT');

    // A later rebuild without the sidecar neither resets the licence nor brings tags back.
    fs.rmSync(asset(`${rel}.asset.json`));
    const again = await rebuild();
    assert.equal(again.created + again.updated, 0);
    row = await rowAt(rel);
    assert.deepEqual(row.tags, ['protagonist']);
    assert.equal(row.license, 'MIT');
    assert.equal(sidecar(rel).license, 'MIT', 'the missing sidecar is written again');
  });

  test('remove_stale false keeps a missing file’s row and reports it; true removes it', async () => {
    const id = ids['beep.wav']!;
    fs.rmSync(asset('beep.wav'));
    const kept = await rebuild({ remove_stale: false });
    assert.equal(kept.removed, 0);
    assert.equal(kept.missing_files, 1);
    assert.ok(kept.problems.some((p: { path: string }) => p.path === 'beep.wav'));
    assert.equal((await rowAt('beep.wav')).id, id);
    assert.ok(ws.exists('data/assets/beep.wav.asset.json'));

    const removed = await rebuild({ remove_stale: true });
    assert.equal(removed.removed, 1);
    assert.ok(!(await rows()).some((r) => r.path === 'beep.wav'));
    assert.equal((await api(url, 'GET', `/api/assets/${id}`)).status, 404);
    assert.ok(!ws.exists('data/assets/beep.wav.asset.json'), 'its sidecar goes with it');
    assert.equal(removed.orphaned_sidecars, 0, JSON.stringify(removed.orphaned_sidecar_paths));
  });

  test('a folder deleted by hand: its assets go as one change, which one undo puts back once the files are', async () => {
    for (const name of ['chair', 'lamp', 'rug']) writeAsset(`props/${name}.txt`, `a ${name}`);
    await rebuild();
    const before = (await rows()).filter((r) => r.path.startsWith('props/'));
    assert.equal(before.length, 3);
    const lamp = before.find((r) => r.path === 'props/lamp.txt')!;
    const edit = await api(url, 'PATCH', `/api/assets/${lamp.id}`, { metadata: { tags: ['favourite'] } });
    assert.equal(edit.status, 200, edit.text);

    // Taken out of the root (say, by mistake), then rebuilt.
    const away = path.join(ws.dir, 'props-away');
    fs.renameSync(asset('props'), away);
    const summary = await rebuild();
    assert.equal(summary.removed, 3);
    assert.ok(!(await rows()).some((r) => r.path.startsWith('props/')));
    const history = await api(url, 'GET', '/api/changes?limit=1');
    assert.equal(history.status, 200, history.text);
    const [change] = history.body.items as Array<{ id: number; summary: string; assets: number }>;
    assert.equal(change?.summary, 'Remove 3 assets whose files are gone');
    assert.equal(change?.assets, 3);

    // Put back: one undo brings all three back, with their ids and the edit.
    fs.renameSync(away, asset('props'));
    const undone = await api(url, 'POST', `/api/changes/${change?.id}/undo`, { wait: true });
    assert.equal(undone.status, 200, undone.text);
    const after = (await rows()).filter((r) => r.path.startsWith('props/'));
    assert.deepEqual(
      after.map((r) => [r.path, r.id]),
      before.map((r) => [r.path, r.id]),
    );
    assert.deepEqual((await rowAt('props/lamp.txt')).tags, ['favourite']);
    const warm = await rebuild();
    assert.equal(warm.created + warm.removed, 0);
  });

  test('counts orphaned sidecars (a sidecar whose file is gone)', async () => {
    writeJson(asset('ghost.txt.asset.json'), { id: 'ffffffffffffffff', tags: [] });
    writeJson(asset('docs/gone.png.asset.json'), { id: 'eeeeeeeeeeeeeeee', tags: [] });
    const summary = await rebuild();
    assert.equal(summary.orphaned_sidecars, 2);
    assert.deepEqual([...summary.orphaned_sidecar_paths].sort(), [
      'docs/gone.png.asset.json',
      'ghost.txt.asset.json',
    ]);
    assert.equal(summary.created, 0, 'an orphaned sidecar is not an asset');
    fs.rmSync(asset('ghost.txt.asset.json'));
    fs.rmSync(asset('docs/gone.png.asset.json'));
  });

  test('missing thumbnails are counted and made again', async () => {
    const thumbs = path.join(ws.dir, 'cache', 'thumbs');
    const logo = await rowAt('logo.png');
    const wav = await rowAt('sfx/loop-final.wav');
    fs.rmSync(path.join(thumbs, `${logo.id}_256.png`));
    fs.rmSync(path.join(thumbs, `${logo.id}_512.png`));
    fs.rmSync(path.join(thumbs, `${wav.id}.waveform.json`));
    const summary = await rebuild({ wait_for_thumbs: true });
    assert.equal(summary.missing_thumbnails, 3);
    assert.ok(fs.existsSync(path.join(thumbs, `${logo.id}_256.png`)));
    assert.ok(fs.existsSync(path.join(thumbs, `${logo.id}_512.png`)));
    assert.ok(fs.existsSync(path.join(thumbs, `${wav.id}.waveform.json`)));
    const thumb = await api(url, 'GET', `/api/assets/${logo.id}/thumbnail?size=256`);
    assert.equal(thumb.status, 200);
    const again = await rebuild();
    assert.equal(again.missing_thumbnails, 0);
  });

  test('wait_for_thumbs makes a new image’s thumbnails exist when the call returns', async () => {
    writeAsset('backgrounds/sky.webp', await makeImage(64, 40, 'webp'));
    const summary = await rebuild({ wait_for_thumbs: true });
    assert.equal(summary.created, 1);
    assert.equal(summary.previews_pending, 0);
    const sky = await rowAt('backgrounds/sky.webp');
    assert.equal(sky.preview_status, 'done');
    for (const size of [256, 512])
      assert.ok(fs.existsSync(path.join(ws.dir, 'cache', 'thumbs', `${sky.id}_${size}.webp`)));
  });

  test('a sidecar that could not be written is reported, and written by the next rebuild', async () => {
    // A folder squats on the sidecar's name, so the write fails after the row is committed.
    fs.mkdirSync(asset('docs/blocked.txt.asset.json'), { recursive: true });
    writeAsset('docs/blocked.txt', 'blocked');
    const failed = await rebuild();
    assert.equal(failed.skipped, 1);
    assert.ok(failed.problems.some((p: { path: string }) => p.path === 'docs/blocked.txt'));
    const row = await rowAt('docs/blocked.txt');

    fs.rmdirSync(asset('docs/blocked.txt.asset.json'));
    const fixed = await rebuild();
    assert.equal(fixed.skipped, 0);
    assert.equal(fixed.created, 0);
    assert.equal(sidecar('docs/blocked.txt').id, row.id, 'the sidecar is written');
    assert.equal(ws.json('data/assets/_meta/docs/blocked.txt.json').id, row.id, 'and its mirror');
    assert.equal((await rebuild()).unchanged, (await rows()).length, 'then all is settled');
  });

  test('an unparseable sidecar is never overwritten: reported every run until fixed, then it wins', async () => {
    const broken = '{ "tags": ["mine", }\n'; // a hand edit with a typo
    const unparseable = ['broken/new.txt', 'broken/edited.txt', 'broken/moved.txt'];
    writeAsset('broken/edited.txt', 'edited v1');
    writeAsset('broken/to-move.txt', 'bytes that move');
    await rebuild();
    const edited = await rowAt('broken/edited.txt');
    const toMove = await rowAt('broken/to-move.txt');
    // A new file, a file edited in place, and a file moved: each with a broken sidecar.
    writeAsset('broken/new.txt', 'new, with a broken sidecar');
    writeAsset('broken/new.txt.asset.json', broken);
    writeAsset('broken/edited.txt', 'edited v2, longer');
    writeAsset('broken/edited.txt.asset.json', broken);
    fs.renameSync(asset('broken/to-move.txt'), asset('broken/moved.txt'));
    writeAsset('broken/moved.txt.asset.json', broken);

    for (let run = 0; run < 2; run++) {
      const summary = await rebuild();
      if (run === 0) {
        assert.equal(summary.created, 1);
        assert.equal(summary.updated, 1);
        assert.equal(summary.moved, 1);
      }
      const reported = summary.problems.map((p: { path: string }) => p.path);
      for (const rel of unparseable) {
        assert.ok(reported.includes(rel), `run ${run + 1} reports ${rel}`);
        assert.equal(
          ws.read(`data/assets/${rel}.asset.json`),
          broken,
          `${rel}'s sidecar is the user's still`,
        );
        // (edited.txt's mirror from before is a link to the same file: it shows the user's text too.)
        const mirror = `data/assets/_meta/${rel}.json`;
        assert.ok(!ws.exists(mirror) || ws.read(mirror) === broken, `no registry-written mirror for ${rel}`);
      }
    }
    // The rows are there all the same: the edit, the move and the new file.
    assert.equal((await rowAt('broken/edited.txt')).id, edited.id);
    assert.equal((await rowAt('broken/edited.txt')).hash, sha256('edited v2, longer'));
    assert.equal((await rowAt('broken/moved.txt')).id, toMove.id);
    assert.ok(
      !ws.exists('data/assets/broken/to-move.txt.asset.json'),
      "the moved file's old sidecar is gone",
    );

    // Fixed by hand, the sidecar is read and wins.
    writeAsset('broken/new.txt.asset.json', JSON.stringify({ tags: ['mine'], license: 'CC0-1.0' }));
    const fixed = await rebuild();
    assert.ok(!fixed.problems.some((p: { path: string }) => p.path === 'broken/new.txt'));
    const mine = await rowAt('broken/new.txt');
    assert.deepEqual(mine.tags, ['mine']);
    assert.equal(mine.license, 'CC0-1.0');
    assert.equal(sidecar('broken/new.txt').id, mine.id, 'then written by the registry as usual');

    // The rest are repaired when asked: enforce with overwrite.
    const enforce = await api(url, 'POST', '/api/assets/enforce', { overwrite: true });
    assert.equal(enforce.status, 200, enforce.text);
    for (const rel of ['broken/edited.txt', 'broken/moved.txt']) {
      const row = await rowAt(rel);
      assert.equal(sidecar(rel).id, row.id);
      assert.equal(sidecar(rel).hash, row.hash);
    }
  });

  test('a sidecar nested thousands deep is refused like an unparseable one: its file is registered all the same', async () => {
    // (It overflowed the stack of the code that reads metadata: the file went unregistered with
    // "Maximum call stack size exceeded" as its problem.)
    const deep = `{"tags": ["mine"], "meta": {"deep": ${'['.repeat(20_000)}1${']'.repeat(20_000)}}}`;
    writeAsset('broken/deep.txt', 'a file with a silly sidecar');
    writeAsset('broken/deep.txt.asset.json', deep);
    const summary = await rebuild();
    assert.deepEqual(
      summary.problems.filter((p: { path: string }) => p.path === 'broken/deep.txt'),
      [
        {
          path: 'broken/deep.txt',
          error:
            'Failed to parse sidecar deep.txt.asset.json: it nests objects or arrays more than 128 levels ' +
            'deep: its edits were not read; fix it by hand (it was left as it is), or rewrite it from the ' +
            'registry (`enforce --overwrite`, "Rewrite sidecars…" in the studio)',
        },
      ],
    );
    assert.deepEqual((await rowAt('broken/deep.txt')).tags, ['broken', 'deep']);
    assert.equal(ws.read('data/assets/broken/deep.txt.asset.json'), deep, 'the sidecar is the user’s still');
  });

  test('nothing but assets, sidecars, the _meta mirror and the trash was written under the root', () => {
    const files = listFiles(ws.assets);
    const stray = files.filter(
      (f) =>
        !f.startsWith('_meta/') &&
        // The file deleted through the API above (delete_file=true), kept in the trash.
        !/^\.trash\/\d{8}T\d{6}Z-c\d+-[0-9a-f]{4}\/characters\/face\.txt$/.test(f) &&
        !f.endsWith('.asset.json') &&
        !fs.lstatSync(asset(f)).isSymbolicLink() &&
        !/(^|\/)(\.hidden|\.DS_Store|Thumbs\.db|desktop\.ini|config|cached\.png|old\.png\.json)$/.test(f) &&
        !(f in EXPECTED) &&
        ![
          'sfx/loop-final.wav',
          'archive/settings.json',
          'copies/logo.png',
          'backgrounds/sky.webp',
          'docs/blocked.txt',
          'broken/new.txt',
          'broken/edited.txt',
          'broken/moved.txt',
          'broken/deep.txt',
          'props/chair.txt',
          'props/lamp.txt',
          'props/rug.txt',
        ].includes(f),
    );
    assert.deepEqual(stray, []);
    assert.ok(!files.some((f) => f.endsWith('.tmp')), 'no temp files');
  });
});

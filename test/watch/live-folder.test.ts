/**
 * Live folder (`serve --watch`): a real server process watches a temp workspace; files added,
 * edited, moved and deleted under the assets root reach the registry and the SSE stream, hidden
 * files and OS junk do not, and the registry's own writes never come back as extra rows.
 * Every wait polls against a deadline.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, postFile, startServer, type RunningServer } from '../helpers/server.js';
import { listFiles, makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { eventually } from '../helpers/eventually.js';
import { openStream, type SseFrame } from '../helpers/sse.js';
import { gltfCube, makeImage } from '../helpers/media.js';

describe('serve --watch (live folder)', () => {
  let ws: Workspace;
  let server: RunningServer;
  let stream: Awaited<ReturnType<typeof openStream>>;
  const asset = (rel: string): string => path.join(ws.assets, rel);
  const byPath = async (rel: string): Promise<any[]> => {
    const res = await api(server.url, 'GET', `/api/assets/search?q=${encodeURIComponent(rel)}&limit=500`);
    assert.equal(res.status, 200);
    return (res.body.items as any[]).filter((item) => item.path === rel);
  };
  /** The rows at `rel`, or undefined while there are none (for `eventually`). */
  const rowsAt = async (rel: string): Promise<any[] | undefined> => {
    const rows = await byPath(rel);
    return rows.length ? rows : undefined;
  };
  const total = async (): Promise<number> =>
    (await api(server.url, 'GET', '/api/assets/search?limit=1')).body.total as number;
  const eventsFor = (event: string, pathOrUid: string): SseFrame[] =>
    stream.frames.filter(
      (f) => f.event === event && (f.data.data.path === pathOrUid || f.data.data.uid === pathOrUid),
    );
  /** A change the watcher must see; once it has, every earlier change has been handled too. */
  let markers = 0;
  const barrier = async (timeoutMs = 20_000): Promise<void> => {
    const rel = `markers/m${++markers}.dat`;
    fs.mkdirSync(path.dirname(asset(rel)), { recursive: true });
    fs.writeFileSync(asset(rel), randomBytes(64));
    // (Well under a second here alone; once, in a full run on this 2-core machine, over 8 s.)
    await eventually(`marker ${rel}`, async () => (await byPath(rel)).length === 1, timeoutMs);
  };

  before(async () => {
    ws = makeWorkspace('areg-watch-');
    server = await startServer(ws.dir, ['--watch']);
    stream = await openStream(server.url);
    // The server answers before its watcher is ready (a big tree takes a while to watch), and
    // says so in /health. The tests start once it is watching and has seen a first change (the
    // server's log is in the message if not). The first four tests once failed together: their
    // file, written at once into a new folder, was missed by chokidar (see watch.ts, addDir).
    const states: string[] = [];
    try {
      await eventually(
        'the live folder watching',
        async () => {
          const { body } = await api(server.url, 'GET', '/health');
          if (states.at(-1) !== body.live_folder) states.push(body.live_folder as string);
          return body.live_folder === 'watching';
        },
        60_000,
      );
      await barrier(60_000);
    } catch (err) {
      throw new Error(
        `the live folder never saw a change (states: ${states.join(' → ')}): ${String(err)}\n` +
          `server log:\n${server.stderr()}`,
      );
    }
    assert.ok(['starting', 'watching'].includes(states[0] ?? ''), states.join(' → '));
  });

  after(async () => {
    await stream?.close();
    await server?.stop();
    ws?.cleanup();
  });

  let id = '';
  let firstHash = '';

  test('a new file is registered and announced on the event stream', async () => {
    fs.mkdirSync(asset('notes'), { recursive: true });
    fs.writeFileSync(asset('notes/hero.dat'), randomBytes(2048));
    const [item] = await eventually('hero.dat in search', () => rowsAt('notes/hero.dat'));
    id = item.id as string;
    firstHash = item.hash as string;
    assert.equal(item.type, 'notes');
    await eventually('asset_registered', () => eventsFor('asset_registered', 'notes/hero.dat').length);
    await eventually('the sidecar', () => fs.existsSync(asset('notes/hero.dat.asset.json')));
    // The watch batch is reported too, as a rebuild_progress event marked as the watcher's (the
    // one after this file's registration: the first marker's batch came before).
    const registered = stream.frames.findIndex(
      (f) => f.event === 'asset_registered' && f.data.data.path === 'notes/hero.dat',
    );
    const batch = await eventually('a watch batch event', () =>
      stream.frames
        .slice(registered + 1)
        .find((f) => f.event === 'rebuild_progress' && f.data.data.trigger === 'watch'),
    );
    assert.equal(batch.data.data.status, 'done');
    assert.equal(batch.data.data.summary.created, 1);
  });

  test('an edited file keeps its id and gets the new hash, in one row', async () => {
    fs.writeFileSync(asset('notes/hero.dat'), randomBytes(4096));
    const item = await eventually('the new hash', async () => {
      const res = await api(server.url, 'GET', `/api/assets/${id}`);
      return res.body.asset?.hash !== firstHash && res.body.asset;
    });
    assert.equal(item.bytes, 4096);
    assert.equal(item.path, 'notes/hero.dat');
    assert.equal((await byPath('notes/hero.dat')).length, 1);
    await eventually('asset_meta_updated', () => eventsFor('asset_meta_updated', id).length);
  });

  test('a moved file keeps its id and gets its new path; nothing is left at the old one', async () => {
    fs.mkdirSync(asset('archive/2024'), { recursive: true });
    fs.renameSync(asset('notes/hero.dat'), asset('archive/2024/hero.dat'));
    const item = await eventually('the new path', async () => {
      const res = await api(server.url, 'GET', `/api/assets/${id}`);
      return res.body.asset?.path === 'archive/2024/hero.dat' && res.body.asset;
    });
    assert.equal(item.id, id);
    await barrier(); // past the removal grace of the old path too
    assert.equal((await api(server.url, 'GET', `/api/assets/${id}`)).status, 200);
    assert.deepEqual(await byPath('notes/hero.dat'), []);
    assert.equal((await byPath('archive/2024/hero.dat')).length, 1);
    await eventually('the old sidecar removed', () => !fs.existsSync(asset('notes/hero.dat.asset.json')));
    assert.ok(fs.existsSync(asset('archive/2024/hero.dat.asset.json')));
    assert.equal(eventsFor('asset_removed', id).length, 0, 'a move is not a removal');
  });

  test('a deleted file is unregistered, with its sidecar and mirror', async () => {
    fs.rmSync(asset('archive/2024/hero.dat'));
    await eventually('asset_removed', () => eventsFor('asset_removed', id).length);
    assert.equal((await api(server.url, 'GET', `/api/assets/${id}`)).status, 404);
    const left = listFiles(ws.assets).filter((f) => f.includes('hero'));
    assert.deepEqual(left, [], `left behind: ${left.join(', ')}`);
  });

  test('hidden files and OS junk are ignored', async () => {
    const before = await total();
    fs.writeFileSync(asset('notes/.secret.dat'), 'hidden');
    fs.writeFileSync(asset('.DS_Store'), 'junk');
    fs.writeFileSync(asset('notes/Thumbs.db'), 'junk');
    fs.mkdirSync(asset('.cache'), { recursive: true });
    fs.writeFileSync(asset('.cache/inside.dat'), 'hidden folder');
    await barrier();
    assert.equal(await total(), before + 1, 'only the marker was registered');
    for (const rel of ['notes/.secret.dat', '.DS_Store', 'notes/Thumbs.db', '.cache/inside.dat']) {
      assert.deepEqual(await byPath(rel), [], rel);
    }
  });

  test('a sidecar edited by hand is read back', async () => {
    fs.writeFileSync(asset('notes/tagged.dat'), randomBytes(512));
    const [item] = await eventually('tagged.dat', () => rowsAt('notes/tagged.dat'));
    const sidecarFile = asset('notes/tagged.dat.asset.json');
    await eventually('its sidecar', () => fs.existsSync(sidecarFile));
    await barrier(); // the registry's own sidecar write has been seen and found unchanged
    const doc = JSON.parse(fs.readFileSync(sidecarFile, 'utf8'));
    doc.meta = { ...doc.meta, tags: ['hand-edited'], license: 'CC0-1.0' };
    fs.writeFileSync(sidecarFile, JSON.stringify(doc, null, 2));
    const updated = await eventually('the hand-edited tags', async () => {
      const res = await api(server.url, 'GET', `/api/assets/${item.id}`);
      return (res.body.asset?.tags as string[] | undefined)?.includes('hand-edited') && res.body.asset;
    });
    assert.equal(updated.license, 'CC0-1.0');
    assert.equal((await byPath('notes/tagged.dat')).length, 1);
    await eventually('asset_meta_updated', () => eventsFor('asset_meta_updated', item.id).length);
    await barrier(); // the sidecar the registry rewrote has been seen, and changes nothing more
    assert.equal(eventsFor('asset_meta_updated', item.id).length, 1);
  });

  test('registering through the API while watching makes exactly one row', async () => {
    const registeredBefore = stream.frames.filter((f) => f.event === 'asset_registered').length;
    ws.file('incoming/poster.dat', randomBytes(3000));
    const res = await api(server.url, 'POST', '/api/assets/register', {
      path: 'incoming/poster.dat',
      asset_type: 'posters',
      metadata: { tags: ['api'], license: 'MIT' },
    });
    assert.equal(res.status, 200, res.text);
    const rel = res.body.asset.path as string;
    assert.equal(rel, 'posters/poster.dat');
    await barrier();
    const rows = await byPath(rel);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].id, res.body.asset.id);
    assert.deepEqual(rows[0].tags, ['api']);
    // One registration event (the API's), and the watcher did not rewrite the asset.
    const registered = stream.frames.filter((f) => f.event === 'asset_registered').slice(registeredBefore);
    assert.deepEqual(
      registered.map((f) => f.data.data.path).filter((p) => !String(p).startsWith('markers/')),
      [rel],
    );
    assert.deepEqual(eventsFor('asset_meta_updated', rows[0].id), []);
  });

  test('moving an asset through the API while watching leaves one row, at the new path, same id', async () => {
    ws.file('incoming/banner.dat', randomBytes(2000));
    const res = await api(server.url, 'POST', '/api/assets/register', {
      path: 'incoming/banner.dat',
      asset_type: 'posters',
      metadata: { tags: ['moving'] },
    });
    assert.equal(res.status, 200, res.text);
    const id = res.body.asset.id as string;
    await barrier();
    const moved = await api(server.url, 'POST', `/api/assets/${id}/move`, {
      path: 'posters/2024/banner.dat',
    });
    assert.equal(moved.status, 200, moved.text);
    await barrier();
    assert.deepEqual(await byPath('posters/banner.dat'), []);
    const rows = await byPath('posters/2024/banner.dat');
    assert.deepEqual(
      rows.map((r) => [r.id, r.tags]),
      [[id, ['moving']]],
    );
    assert.deepEqual(eventsFor('asset_registered', 'posters/2024/banner.dat'), []);
    assert.deepEqual(eventsFor('asset_removed', id), []);
  });

  test('a file still being written is registered once, when it is whole', async () => {
    // Longer than the watcher waits before a batch during a steady stream of events (3 s).
    const chunks = Array.from({ length: 36 }, () => randomBytes(4096));
    const file = asset('slow/copy.dat');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (const chunk of chunks) {
      fs.appendFileSync(file, chunk); // (a slow copy: a piece every 100 ms)
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const whole = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
    const [item] = await eventually('copy.dat registered', () => rowsAt('slow/copy.dat'));
    await barrier();
    assert.equal((await byPath('slow/copy.dat'))[0].hash, whole, 'the whole file, not a part');
    assert.equal(eventsFor('asset_registered', 'slow/copy.dat').length, 1);
    assert.deepEqual(
      eventsFor('asset_meta_updated', item.id as string),
      [],
      'not registered part-written first',
    );
  });

  test('a file the API put there and a hand deleted at once is unregistered', async () => {
    // Deleted within the moment the watcher waits for a new file to settle. With chokidar's own
    // wait (awaitWriteFinish), such a file was reported neither added nor removed: the row the
    // API had made outlived its file for good (found by the live-folder storm).
    const res = await postFile(
      server.url,
      '/api/assets/upload',
      { dest_path: 'drops/' },
      randomBytes(1500),
      'quick.dat',
    );
    assert.equal(res.status, 200, res.text);
    const uploaded = res.body as { asset: { id: string; path: string } };
    fs.rmSync(asset(uploaded.asset.path));
    await eventually(
      'the row removed',
      async () => (await api(server.url, 'GET', `/api/assets/${uploaded.asset.id}`)).status === 404,
      20_000,
    );
    // (The row goes first, its sidecar and mirror a moment later.)
    const left = (): string[] => listFiles(ws.assets).filter((f) => f.includes('quick'));
    await eventually('its sidecar and mirror removed', () => left().length === 0, 5000).catch(() =>
      assert.deepEqual(left(), [], 'its sidecar and mirror removed'),
    );
  });

  test('a model whose files land after it finds them: its missing files are read again', async () => {
    const ship = gltfCube({ bufferUri: 'ship.bin', images: ['maps/paint.png'] });
    fs.mkdirSync(asset('models/late/maps'), { recursive: true });
    fs.writeFileSync(asset('models/late/ship.gltf'), JSON.stringify(ship.json));
    const missing = async (): Promise<string[] | undefined> => {
      const [row] = await byPath('models/late/ship.gltf');
      if (!row) return undefined;
      const { asset: model } = (await api(server.url, 'GET', `/api/assets/${row.id}`)).body;
      return model.preview_status === 'done' ? (model.preview.missing as string[]) : undefined;
    };
    const facts = await eventually('the model read alone', async () => {
      const names = await missing();
      return names?.length === 2 ? names : undefined;
    });
    assert.deepEqual(facts, ['ship.bin', 'maps/paint.png']);
    // Its files come in later (a folder copied file by file), one batch each.
    fs.writeFileSync(asset('models/late/ship.bin'), ship.bin);
    await eventually('the buffer found', async () => (await missing())?.join() === 'maps/paint.png');
    fs.writeFileSync(asset('models/late/maps/paint.png'), await makeImage(4, 4, 'png'));
    await eventually('the texture found', async () => (await missing())?.length === 0);
  });

  test('the server stops cleanly while watching', async () => {
    fs.writeFileSync(asset('notes/last.dat'), randomBytes(100)); // a batch may be pending
    await stream.close();
    const exited = new Promise<number | null>((resolve) => server.proc.once('exit', resolve));
    await server.stop();
    assert.equal(await exited, 0);
    assert.doesNotMatch(server.stderr(), /"level":(50|60)/);
  });
});

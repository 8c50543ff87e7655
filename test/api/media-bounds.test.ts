/**
 * Pictures by size and sounds by length: `min_width`… `max_duration` and `sort=width|duration`
 * over the facts the preview queue measured in real files (API, `ids`, CLI), and facts that
 * follow a file replaced by another of another size; and `folder`, what a folder holds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeImage, makeWav, toneWithBurst } from '../helpers/media.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let url: string;
const ids: Record<string, string> = {};

/** Registers a generated file in place, typed by its folder, and waits for its preview. */
async function registerFile(rel: string, bytes: Buffer | string): Promise<string> {
  ws.file(`data/assets/${rel}`, bytes);
  const res = await api(url, 'POST', '/api/assets/register', {
    path: `data/assets/${rel}`,
    copy: false,
    asset_type: rel.split('/')[0],
    wait: true,
  });
  assert.equal(res.status, 200, res.text);
  return res.body.asset_id as string;
}

const uidsOf = async (query: string): Promise<string[]> => {
  const res = await api(url, 'GET', `/api/assets/search?${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body.items.map((i: { uid: string }) => i.uid);
};

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  url = server.url;
  // Registered in this order (newest first is the reverse).
  ids.wide = await registerFile('backgrounds/wide.png', await makeImage(1920, 1080, 'png'));
  ids.mid = await registerFile('backgrounds/mid.jpg', await makeImage(640, 360, 'jpeg'));
  ids.portrait = await registerFile('characters/tall.webp', await makeImage(300, 500, 'webp'));
  ids.blip = await registerFile('audio/blip.wav', makeWav(toneWithBurst(0.5, 8000, 1, 0.2), 8000, 16));
  ids.theme = await registerFile('audio/theme.wav', makeWav(toneWithBurst(3, 8000, 2, 0.5), 8000, 16));
  ids.notes = await registerFile('scripts/notes.txt', 'no size, no length');
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('media bounds and sorts', () => {
  test('the facts the previews measured are what the bounds compare', async () => {
    const wide = await api(url, 'GET', `/api/assets/${ids.wide}`);
    assert.equal(wide.body.asset.preview.width, 1920);
    const theme = await api(url, 'GET', `/api/assets/${ids.theme}`);
    assert.equal(theme.body.asset.preview.duration, 3);

    assert.deepEqual(await uidsOf('min_width=1000'), [ids.wide]);
    assert.deepEqual(await uidsOf('min_width=300&max_width=640'), [ids.portrait, ids.mid]);
    assert.deepEqual(await uidsOf('max_height=400'), [ids.mid]);
    assert.deepEqual(await uidsOf('min_height=400&max_width=1000'), [ids.portrait], 'portrait pictures');
    assert.deepEqual(await uidsOf('min_width=1920&max_width=1920&min_height=1080'), [ids.wide], 'inclusive');
    assert.deepEqual(await uidsOf('min_duration=1'), [ids.theme]);
    assert.deepEqual(await uidsOf('max_duration=0.5'), [ids.blip], 'inclusive, in seconds');
    assert.deepEqual(await uidsOf('min_duration=0'), [ids.theme, ids.blip], 'any length: the sounds');
    assert.deepEqual(await uidsOf('min_width=1&type=characters'), [ids.portrait], 'with other filters');
    assert.deepEqual(await uidsOf('max_duration=10&q=theme'), [ids.theme]);

    const res = await api(url, 'GET', '/api/assets/search?min_width=1000&max_duration=2');
    assert.equal(res.body.total, 0, 'a picture has no length');
    assert.equal(res.body.filters.min_width, 1000);
    assert.equal(res.body.filters.max_duration, 2);
    assert.equal(res.body.filters.max_width, null);

    const all = await api(url, 'GET', '/api/assets/ids?min_width=600');
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body.ids, [ids.mid, ids.wide]);
  });

  test('sorted by width or length, largest or smallest first: the assets without one last', async () => {
    assert.deepEqual(await uidsOf('sort=width&order=desc'), [
      ids.wide,
      ids.mid,
      ids.portrait,
      ids.notes,
      ids.theme,
      ids.blip,
    ]);
    assert.deepEqual((await uidsOf('sort=duration&order=desc')).slice(0, 2), [ids.theme, ids.blip]);
    assert.deepEqual(await uidsOf('sort=duration&order=asc&min_duration=0'), [ids.blip, ids.theme]);
    // Smallest first: still the assets without one last (in the order they came), not first.
    assert.deepEqual(await uidsOf('sort=width&order=asc'), [
      ids.portrait,
      ids.mid,
      ids.wide,
      ids.blip,
      ids.theme,
      ids.notes,
    ]);
    assert.deepEqual(await uidsOf('sort=duration&order=asc'), [
      ids.blip,
      ids.theme,
      ids.wide,
      ids.mid,
      ids.portrait,
      ids.notes,
    ]);
    // Pages across the turn from the measured to the rest, and Select all, agree.
    assert.deepEqual(await uidsOf('sort=width&order=asc&limit=2&offset=2'), [ids.wide, ids.blip]);
    const all = await api(url, 'GET', '/api/assets/ids?sort=width&order=asc');
    assert.deepEqual(all.body.ids, [ids.portrait, ids.mid, ids.wide, ids.blip, ids.theme, ids.notes]);
    assert.deepEqual(await uidsOf('sort=width&order=asc&min_width=1&limit=2&offset=1'), [ids.mid, ids.wide]);
  });

  test('bounds that cannot be met or are not numbers are refused with what to fix', async () => {
    const crossed = await api(url, 'GET', '/api/assets/search?min_width=2000&max_width=1000');
    assert.equal(crossed.status, 400, crossed.text);
    assert.equal(
      crossed.body.message,
      'min_width (2000) is more than max_width (1000): no asset can match. Swap them.',
    );
    const crossedIds = await api(url, 'GET', '/api/assets/ids?min_duration=5&max_duration=1');
    assert.equal(crossedIds.status, 400, crossedIds.text);
    for (const bad of [
      'min_width=-1',
      'min_width=wide',
      'max_height=1.5',
      'min_duration=-0.5',
      'max_duration=x',
    ]) {
      const res = await api(url, 'GET', `/api/assets/search?${bad}`);
      assert.equal(res.status, 422, `${bad}: ${res.text}`);
      assert.equal(res.body.ok, false);
      assert.match(res.body.message, new RegExp(`querystring/${bad.split('=')[0]}`), bad);
    }
  });

  test('the CLI takes the same bounds and sorts', async () => {
    const cli = await runCli(
      ['search', '--min-width', '600', '--sort', 'width', '--order', 'asc', '--json'],
      ws.dir,
    );
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      cli.json.items.map((i: { uid: string }) => i.uid),
      [ids.mid, ids.wide],
    );
    const short = await runCli(['search', '--max-duration', '1', '--json'], ws.dir);
    assert.deepEqual(
      short.json.items.map((i: { uid: string }) => i.uid),
      [ids.blip],
    );
    const bad = await runCli(['search', '--min-duration', 'long'], ws.dir);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--min-duration must be a number of seconds/);
    const crossed = await runCli(['search', '--min-height', '900', '--max-height', '100'], ws.dir);
    assert.notEqual(crossed.code, 0);
    assert.match(crossed.stderr, /min_height \(900\) is more than max_height \(100\)/);
  });

  test('orientation: landscape, portrait or square pictures', async () => {
    assert.deepEqual(await uidsOf('orientation=landscape'), [ids.mid, ids.wide]);
    assert.deepEqual(await uidsOf('orientation=portrait'), [ids.portrait]);
    assert.deepEqual(await uidsOf('orientation=square'), []);
    assert.deepEqual(await uidsOf('orientation=landscape&min_width=1000'), [ids.wide]);
    assert.equal((await uidsOf('orientation=')).length, 6, 'empty: no such filter');
    const res = await api(url, 'GET', '/api/assets/search?orientation=tall');
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /orientation must be one of "landscape", "portrait", "square"/);
    const cli = await runCli(['search', '--orientation', 'portrait', '--json'], ws.dir);
    assert.deepEqual(
      cli.json.items.map((i: { uid: string }) => i.uid),
      [ids.portrait],
    );
  });

  test('folder: what a folder and the folders below it hold, with the other filters', async () => {
    assert.deepEqual(await uidsOf('folder=backgrounds'), [ids.mid, ids.wide]);
    assert.deepEqual(
      await uidsOf('folder=backgrounds/'),
      [ids.mid, ids.wide],
      'a trailing slash is the same',
    );
    assert.deepEqual(await uidsOf('folder=back'), [], 'a folder, not the start of a name');
    assert.deepEqual(await uidsOf('folder=audio&max_duration=1'), [ids.blip]);
    assert.deepEqual(await uidsOf('folder=backgrounds&sort=path&order=asc'), [ids.mid, ids.wide]);
    assert.deepEqual(await uidsOf('folder=backgrounds&type=backgrounds&sort=width&order=desc'), [
      ids.wide,
      ids.mid,
    ]);
    assert.equal((await uidsOf('folder=')).length, 6, 'empty: no such filter');
    const res = await api(url, 'GET', '/api/assets/search?folder=audio');
    assert.equal(res.body.total, 2);
    assert.equal(res.body.filters.folder, 'audio');
    const outside = await api(url, 'GET', '/api/assets/search?folder=../secrets');
    assert.equal(outside.status, 400, outside.text);
    assert.match(outside.body.message, /folder must not contain '\.\.' segments/);
    // The folders to browse: those right below a folder (the top by default) that hold assets.
    const top = await api(url, 'GET', '/api/assets/folders');
    assert.deepEqual(top.body, {
      ok: true,
      parent: '',
      folders: ['audio', 'backgrounds', 'characters', 'scripts'],
      truncated: false,
    });
    // With counts: how many assets each holds, as its folder filter finds them.
    const counted = await api(url, 'GET', '/api/assets/folders?counts=true');
    const totals: Record<string, number> = {};
    for (const folder of top.body.folders)
      totals[folder] = (await api(url, 'GET', `/api/assets/search?folder=${folder}&limit=1`)).body.total;
    assert.deepEqual([counted.body.counts, counted.body.counts_capped], [totals, []]);
    assert.equal(totals.audio, 2);
    const two = await api(url, 'GET', '/api/assets/folders?limit=2');
    assert.equal(two.body.truncated, true);
    assert.equal(two.body.folders.length, 2);
    assert.deepEqual((await api(url, 'GET', '/api/assets/folders?parent=backgrounds/')).body.folders, []);
    const up = await api(url, 'GET', '/api/assets/folders?parent=../etc');
    assert.equal(up.status, 400, up.text);
    const cli = await runCli(['search', '--folder', 'characters', '--json'], ws.dir);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      cli.json.items.map((i: { uid: string }) => i.uid),
      [ids.portrait],
    );
  });

  test('a file replaced by a smaller picture is found by its new size once its preview is made', async () => {
    ws.file('data/assets/backgrounds/wide.png', await makeImage(800, 600, 'png'));
    const rebuild = await api(url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
    assert.equal(rebuild.status, 200, rebuild.text);
    assert.deepEqual(await uidsOf('min_width=1000'), []);
    assert.deepEqual(await uidsOf('min_width=700&max_height=600'), [ids.wide]);
    assert.deepEqual((await uidsOf('sort=width&order=desc')).slice(0, 3), [ids.wide, ids.mid, ids.portrait]);
  });
});

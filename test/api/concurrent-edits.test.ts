/**
 * Many clients editing the same few assets at once: single edits, bulk tags and licences, moves
 * between folders, tag renames and undos, eight at a time in a seeded random order (replayable).
 * None may answer 5xx, no file may be lost, and once the writes settle the disk agrees with the
 * registry: each asset's file, sidecar and `_meta` mirror where its row says, nothing else, no
 * temp file left, and enforce finds no sidecar missing, unreadable or disagreeing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seededRandom } from '../../bench/tools.js';
import { makeImage } from '../helpers/media.js';
import { api, startServer, type RunningServer } from '../helpers/server.js';
import { listFiles, makeWorkspace, type Workspace } from '../helpers/workspace.js';

const PICTURES = 12;
const REQUESTS = 320;
const CLIENTS = 8;

let ws: Workspace;
let server: RunningServer;

before(async () => {
  ws = makeWorkspace('areg-concurrent-');
  for (let i = 0; i < PICTURES; i++)
    ws.file(`data/assets/images/p${i}.png`, await makeImage(40 + i, 30, 'png'));
  server = await startServer(ws.dir);
  const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
  assert.equal(rebuilt.status, 200, rebuilt.text);
});
after(async () => {
  await server?.stop();
  ws?.cleanup();
});

test(
  'concurrent edits, moves, renames and undos: no 5xx, no file lost, disk and registry agree',
  {
    timeout: 180_000,
  },
  async () => {
    const found = await api(server.url, 'GET', `/api/assets/search?limit=${PICTURES}&fields=uid`);
    const ids = (found.body.items as Array<{ uid: string }>).map((a) => a.uid);
    assert.equal(ids.length, PICTURES);
    const random = seededRandom(20261128);
    const one = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const some = (): string[] => {
      const chosen = ids.filter(() => random() < 0.4);
      return chosen.length ? chosen : [one(ids)];
    };
    const tags = ['a', 'b', 'hero', 'Hero', 'two words'];
    const requests: Array<() => Promise<{ status: number; text: string }>> = [
      () =>
        api(server.url, 'PATCH', `/api/assets/${one(ids)}`, { metadata: { tags: [one(tags), one(tags)] } }),
      () =>
        api(server.url, 'PATCH', `/api/assets/${one(ids)}`, {
          metadata: { license: random() < 0.5 ? 'CC0-1.0' : null },
        }),
      () =>
        api(server.url, 'POST', '/api/assets/bulk', {
          ids: some(),
          add_tags: [one(tags)],
          wait: random() < 0.5,
        }),
      () =>
        api(server.url, 'POST', '/api/assets/bulk', {
          ids: some(),
          remove_tags: [one(tags)],
          license: 'MIT',
          wait: true,
        }),
      () =>
        api(server.url, 'POST', '/api/assets/move', {
          ids: some(),
          folder: one(['moved/a', 'moved/b', 'images']),
          wait: true,
        }),
      () => api(server.url, 'POST', `/api/assets/${one(ids)}/move`, { folder: one(['moved/c', 'images']) }),
      () => api(server.url, 'POST', '/api/tags/rename', { from: one(tags), to: one(tags), wait: true }),
      () => api(server.url, 'POST', '/api/changes/undo', { wait: true }),
      () => api(server.url, 'GET', `/api/assets/${one(ids)}`),
    ];
    // The order is drawn up front, so the run replays from its seed.
    const plan = Array.from({ length: REQUESTS }, () => one(requests));
    const failures: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < plan.length) {
          const res = await (plan[next++] as (typeof plan)[number])();
          if (res.status >= 500) failures.push(`${res.status}: ${res.text.slice(0, 300)}`);
        }
      }),
    );
    assert.deepEqual(failures, []);

    // Settled: the jobs answered with 202 have finished, every sidecar write has landed.
    const check = async () => {
      const rows = await api(server.url, 'GET', `/api/assets/search?limit=100&fields=uid,path`);
      const report = await api(server.url, 'POST', '/api/assets/enforce', {
        fix_missing: false,
        overwrite: false,
        fill_metadata: false,
        wait: true,
      });
      return { rows: rows.body.items as Array<{ uid: string; path: string }>, report: report.body.report };
    };
    let state = await check();
    for (let tries = 0; tries < 50 && state.report.mismatched_sidecars.length; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      state = await check();
    }
    assert.equal(state.rows.length, PICTURES, 'every asset is still registered');
    for (const field of ['missing_sidecars', 'invalid_sidecars', 'mismatched_sidecars'])
      assert.deepEqual(state.report[field], [], field);

    const onDisk = listFiles(ws.assets).filter((f) => !f.startsWith('.trash/'));
    const expected = state.rows.flatMap(({ path: rel }) => [rel, `${rel}.asset.json`, `_meta/${rel}.json`]);
    const stray = onDisk.filter((f) => !expected.includes(f));
    const missing = expected.filter((f) => !onDisk.includes(f));
    assert.deepEqual(
      { stray, missing },
      { stray: [], missing: [] },
      'each file, sidecar and mirror where its row says, nothing else',
    );
  },
);

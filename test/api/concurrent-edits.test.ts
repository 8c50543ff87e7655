/**
 * Many clients editing the same few assets at once: single edits, bulk tags and licences, moves
 * between folders, tag renames, removals (files kept or trashed) and undos, eight at a time in a
 * seeded random order (replayable). None may answer 5xx, no file may be lost, and once the writes
 * settle the disk agrees with the registry: each asset's sidecar and `_meta` mirror beside where
 * its row says its file is, no other sidecar or mirror, no temp file left, and enforce finds no
 * sidecar missing, unreadable or disagreeing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seededRandom } from '../../bench/tools.js';
import { makeImage } from '../helpers/media.js';
import { api, startServer, type ApiResponse, type RunningServer } from '../helpers/server.js';
import { listFiles, makeWorkspace, type Workspace } from '../helpers/workspace.js';

const PICTURES = 12;
const CLIENTS = 8;

let ws: Workspace;
let server: RunningServer;
let ids: string[];

before(async () => {
  ws = makeWorkspace('areg-concurrent-');
  for (let i = 0; i < PICTURES; i++)
    ws.file(`data/assets/images/p${i}.png`, await makeImage(40 + i, 30, 'png'));
  server = await startServer(ws.dir);
  const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
  assert.equal(rebuilt.status, 200, rebuilt.text);
  const found = await api(server.url, 'GET', `/api/assets/search?limit=${PICTURES}&fields=uid`);
  ids = (found.body.items as Array<{ uid: string }>).map((a) => a.uid);
  assert.equal(ids.length, PICTURES);
});
after(async () => {
  await server?.stop();
  ws?.cleanup();
});

type Request = (pick: Picker) => Promise<ApiResponse>;
interface Picker {
  one: <T>(list: readonly T[]) => T;
  some: () => string[];
  chance: (p: number) => boolean;
}

/** Sends `count` requests drawn from `requests` (seeded), `CLIENTS` at a time; returns the 5xx answers. */
async function storm(seed: number, count: number, requests: readonly Request[]): Promise<string[]> {
  const random = seededRandom(seed);
  const one = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const pick: Picker = {
    one,
    some: () => {
      const chosen = ids.filter(() => random() < 0.4);
      return chosen.length ? chosen : [one(ids)];
    },
    chance: (p) => random() < p,
  };
  // Drawn up front (each request's own values too), so the run replays from its seed.
  const plan = Array.from({ length: count }, () => {
    const send = one(requests);
    return () => send(pick);
  });
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < plan.length) {
        const res = await (plan[next++] as () => Promise<ApiResponse>)();
        if (res.status >= 500) failures.push(`${res.status}: ${res.text.slice(0, 300)}`);
      }
    }),
  );
  return failures;
}

/**
 * Once the writes have settled: enforce's report, and the sidecars and mirrors on disk against
 * the rows. Returns how many assets are registered.
 */
async function assertDiskAgrees(): Promise<number> {
  const check = async () => {
    const rows = await api(server.url, 'GET', '/api/assets/search?limit=100&fields=uid,path');
    const report = await api(server.url, 'POST', '/api/assets/enforce', {
      fix_missing: false,
      overwrite: false,
      fill_metadata: false,
      wait: true,
    });
    return { rows: rows.body.items as Array<{ path: string }>, report: report.body.report };
  };
  let state = await check();
  // (A bulk edit answered 202 may still be writing its last sidecars.)
  for (let tries = 0; tries < 50 && state.report.mismatched_sidecars.length; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    state = await check();
  }
  for (const field of ['missing_sidecars', 'invalid_sidecars', 'mismatched_sidecars'])
    assert.deepEqual(state.report[field], [], field);

  const files = listFiles(ws.assets).filter((f) => !f.startsWith('.trash/'));
  const written = files.filter((f) => f.endsWith('.asset.json') || f.startsWith('_meta/'));
  const expected = state.rows.flatMap(({ path: rel }) => [`${rel}.asset.json`, `_meta/${rel}.json`]);
  const stray = written.filter((f) => !expected.includes(f));
  const missing = expected.filter((f) => !written.includes(f));
  assert.deepEqual(
    { stray, missing },
    { stray: [], missing: [] },
    'a sidecar and a mirror per row, no other',
  );
  for (const { path: rel } of state.rows) assert.ok(files.includes(rel), `${rel} is where its row says`);
  assert.deepEqual(
    files.filter((f) => !f.endsWith('.png') && !written.includes(f)),
    [],
    'nothing else (no temp file)',
  );
  // Kept or trashed, every picture is still somewhere.
  assert.equal(listFiles(ws.assets).filter((f) => f.endsWith('.png')).length, PICTURES, 'no file lost');
  return state.rows.length;
}

const tags = ['a', 'b', 'hero', 'Hero', 'two words'];
const EDITS: Request[] = [
  ({ one }) =>
    api(server.url, 'PATCH', `/api/assets/${one(ids)}`, { metadata: { tags: [one(tags), one(tags)] } }),
  ({ one, chance }) =>
    api(server.url, 'PATCH', `/api/assets/${one(ids)}`, {
      metadata: { license: chance(0.5) ? 'CC0-1.0' : null },
    }),
  ({ one, some, chance }) =>
    api(server.url, 'POST', '/api/assets/bulk', { ids: some(), add_tags: [one(tags)], wait: chance(0.5) }),
  ({ one, some }) =>
    api(server.url, 'POST', '/api/assets/bulk', {
      ids: some(),
      remove_tags: [one(tags)],
      license: 'MIT',
      wait: true,
    }),
  ({ one, some }) =>
    api(server.url, 'POST', '/api/assets/move', {
      ids: some(),
      folder: one(['moved/a', 'moved/b', 'images']),
      wait: true,
    }),
  ({ one }) =>
    api(server.url, 'POST', `/api/assets/${one(ids)}/move`, { folder: one(['moved/c', 'images']) }),
  ({ one }) => api(server.url, 'POST', '/api/tags/rename', { from: one(tags), to: one(tags), wait: true }),
  () => api(server.url, 'POST', '/api/changes/undo', { wait: true }),
  ({ one }) => api(server.url, 'GET', `/api/assets/${one(ids)}`),
];

test(
  'concurrent edits, moves, renames and undos: no 5xx, no file lost, disk and registry agree',
  {
    timeout: 180_000,
  },
  async () => {
    assert.deepEqual(await storm(20261128, 320, EDITS), []);
    assert.equal(await assertDiskAgrees(), PICTURES, 'every asset is still registered');
  },
);

test('and with removals (files kept or trashed) undone among them', { timeout: 180_000 }, async () => {
  const removals: Request[] = [
    ({ one, chance }) =>
      api(server.url, 'DELETE', `/api/assets/${one(ids)}?delete_file=${String(chance(0.5))}`),
    ({ some, chance }) =>
      api(server.url, 'POST', '/api/assets/remove', { ids: some(), delete_files: chance(0.5), wait: true }),
    () => api(server.url, 'POST', '/api/changes/undo', { wait: true }),
  ];
  assert.deepEqual(await storm(20261129, 320, [...EDITS, ...removals]), []);
  const registered = await assertDiskAgrees();
  assert.ok(registered <= PICTURES);
});

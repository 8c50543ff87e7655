/**
 * The live folder (`serve --watch`) among API edits: while one hand adds, edits, moves and
 * deletes pictures and edits sidecars on disk, six clients edit, move, remove (into the trash),
 * undo and upload through the API (their draws seeded; how they interleave is the machine's).
 * None may answer 5xx, and once both have settled the registry and the disk agree: every picture
 * outside the trash has one row at its path, every row its file, one sidecar and one `_meta`
 * mirror per row and no other, no temp file, enforce finds nothing wrong. (That every picture
 * anyone put there is still somewhere is counted, not yet asserted: see the end.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { seededRandom } from '../../bench/tools.js';
import { assertDiskAgrees, hashOf, previewsDone } from '../helpers/disk-agrees.js';
import { eventually } from '../helpers/eventually.js';
import { makeImage } from '../helpers/media.js';
import { api, postFile, startServer, type ApiResponse, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

const PICTURES = 10;

let ws: Workspace;
let server: RunningServer;
/** How many copies of each picture (by hash) the user has put under the root and not deleted. */
const placed = new Map<string, number>();
/** Uploads under way: their bytes' hash, and whether a hand took a copy of those bytes meanwhile. */
const uploads = new Set<{ hash: string; raced: boolean }>();
const count = (bytes: Buffer, by: 1 | -1): void => {
  const hash = hashOf(bytes);
  placed.set(hash, (placed.get(hash) ?? 0) + by);
  if (by < 0) for (const upload of uploads) if (upload.hash === hash) upload.raced = true;
};
const abs = (rel: string): string => path.join(ws.assets, rel);

/**
 * Rewrites a file where it is, as an editor saving in place does, with `change` of its bytes;
 * returns its bytes before, or undefined when it is not there (moved or removed meanwhile: a
 * file is not created where the registry just took one away).
 */
function rewrite(file: string, change: (before: Buffer) => Buffer): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    return undefined;
  }
  try {
    const before = fs.readFileSync(fd);
    const after = change(before);
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, after, 0, after.length, 0);
    return before;
  } catch {
    return undefined; // (a sidecar half-written by hand a moment ago: not JSON yet)
  } finally {
    fs.closeSync(fd);
  }
}

/** Pictures under the root outside the trash, by path (read while the registry moves files). */
function picturesAt(dir = ''): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(abs(dir), { withFileTypes: true });
  } catch {
    return []; // (a folder removed meanwhile)
  }
  return entries.flatMap((entry) => {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name.startsWith('.') ? [] : picturesAt(rel);
    return entry.name.endsWith('.png') ? [rel] : [];
  });
}

let markers = 0;
/**
 * A file the watcher must register and then unregister: once it has, every change on disk before
 * it has been handled, removals too (they wait a grace period, in the order they came).
 */
async function barrier(): Promise<void> {
  const rel = `markers/m${++markers}.dat`;
  const registered = async (): Promise<boolean> => {
    const res = await api(server.url, 'GET', `/api/assets/search?q=${encodeURIComponent(rel)}&fields=path`);
    return (res.body?.items ?? []).some((item: { path: string }) => item.path === rel);
  };
  fs.mkdirSync(path.dirname(abs(rel)), { recursive: true });
  fs.writeFileSync(abs(rel), randomBytes(64));
  await eventually(`marker ${rel} registered`, registered, 30_000);
  fs.rmSync(abs(rel));
  await eventually(`marker ${rel} unregistered`, async () => !(await registered()), 30_000);
}

before(async () => {
  ws = makeWorkspace('areg-live-storm-');
  for (let i = 0; i < PICTURES; i++) {
    const bytes = await makeImage(40 + i, 30, 'png');
    count(bytes, 1);
    ws.file(`data/assets/images/p${i}.png`, bytes);
  }
  server = await startServer(ws.dir, ['--watch']);
  await eventually(
    'the live folder watching',
    async () => (await api(server.url, 'GET', '/health')).body.live_folder === 'watching',
    60_000,
  );
  await barrier();
});
after(async () => {
  await server?.stop();
  ws?.cleanup();
});

test(
  'the live folder among API edits, moves, removals and undos: no 5xx, disk and registry agree',
  {
    timeout: 240_000,
  },
  async () => {
    const random = seededRandom(20261128);
    const one = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const fresh: Buffer[] = [];
    for (let i = 0; i < 24; i++) fresh.push(await makeImage(60 + i, 20, 'png'));
    let made = 0;

    /** A change by hand on disk; false when there was nothing to change. */
    const byHand: Array<() => boolean> = [
      () => {
        // A new picture copied in.
        const bytes = fresh[made++ % fresh.length] as Buffer;
        const rel = `${one(['images', 'disk/a', 'disk/b'])}/n${made}.png`;
        fs.mkdirSync(path.dirname(abs(rel)), { recursive: true });
        fs.writeFileSync(abs(rel), bytes);
        count(bytes, 1);
        return true;
      },
      () => {
        // A picture moved to another folder, its sidecar along. (Here a user leaves no sidecar
        // beside no file: one left at a path the registry never saw its file at would be the
        // user's, an orphan a rebuild reports, not the registry's stray.)
        const rel = one(picturesAt());
        if (!rel) return false;
        const to = `${one(['images', 'disk/a', 'disk/c'])}/${path.basename(rel, '.png')}-m${made++}.png`;
        fs.mkdirSync(path.dirname(abs(to)), { recursive: true });
        try {
          fs.renameSync(abs(rel), abs(to));
        } catch {
          return false; // (moved or removed by the API meanwhile)
        }
        try {
          fs.renameSync(abs(rel) + '.asset.json', abs(to) + '.asset.json');
        } catch {
          // (none there, or the registry took it meanwhile)
        }
        return true;
      },
      () => {
        // A picture deleted by hand, its sidecar too (the bytes are the user's to lose).
        const rel = one(picturesAt());
        if (!rel) return false;
        // Taken out of the root first (one rename), so the bytes counted off are the file's that
        // went, even when the registry put another file at that path a moment before.
        const taken = path.join(ws.dir, `deleted-${made++}.png`);
        try {
          fs.renameSync(abs(rel), taken);
        } catch {
          return false;
        }
        count(fs.readFileSync(taken), -1);
        fs.rmSync(taken);
        fs.rmSync(abs(rel) + '.asset.json', { force: true });
        return true;
      },
      () => {
        // A picture edited in place: new bytes at the same path.
        const rel = one(picturesAt());
        const bytes = fresh[made++ % fresh.length] as Buffer;
        if (!rel) return false;
        const before = rewrite(abs(rel), () => bytes);
        if (!before) return false;
        count(before, -1);
        count(bytes, 1);
        return true;
      },
      () => {
        // A sidecar edited by hand: a tag added.
        const rel = one(picturesAt());
        if (!rel) return false;
        return !!rewrite(abs(rel) + '.asset.json', (before) => {
          const doc = JSON.parse(before.toString());
          return Buffer.from(JSON.stringify({ ...doc, tags: [...(doc.tags ?? []), 'by-hand'] }, null, 2));
        });
      },
    ];

    const ids = async (): Promise<string[]> =>
      ((await api(server.url, 'GET', '/api/assets/search?limit=500&fields=uid,path')).body?.items ?? [])
        .filter((a: { path: string }) => a.path.endsWith('.png'))
        .map((a: { uid: string }) => a.uid);
    const byApi: Array<(id: string) => Promise<ApiResponse>> = [
      (id) =>
        api(server.url, 'PATCH', `/api/assets/${id}`, { metadata: { tags: [one(['a', 'b', 'hero'])] } }),
      (id) =>
        api(server.url, 'POST', '/api/assets/bulk', {
          ids: [id],
          add_tags: ['bulk'],
          license: 'MIT',
          wait: true,
        }),
      (id) =>
        api(server.url, 'POST', '/api/assets/move', {
          ids: [id],
          folder: one(['moved/a', 'images']),
          wait: true,
        }),
      (id) => api(server.url, 'DELETE', `/api/assets/${id}?delete_file=true`),
      () => api(server.url, 'POST', '/api/changes/undo', { wait: true }),
      async () => {
        // An upload (a drop in the studio when in a session): a new file, or known bytes.
        const bytes = one(fresh);
        const fields: Record<string, string> = { on_conflict: 'rename', dest_path: one(['images/', 'up/']) };
        if (random() < 0.5) fields.session = 'drop';
        const upload = { hash: hashOf(bytes), raced: false };
        uploads.add(upload);
        const res = await postFile(server.url, '/api/assets/upload', fields, bytes, 'up.png');
        uploads.delete(upload);
        // At least one copy from then on (`created` does not always mean a new file: known bytes
        // are that asset's). Unless a hand took a copy of those bytes while the upload was under
        // way: the upload may have found that copy and been answered with its asset before.
        if (res.status < 300 && !upload.raced)
          placed.set(upload.hash, Math.max(placed.get(upload.hash) ?? 0, 1));
        return res;
      },
    ];

    const failures: string[] = [];
    const done = { hand: 0, api: 0 };
    const plan = Array.from({ length: 240 }, () => random());
    let next = 0;
    await Promise.all([
      (async () => {
        for (let i = 0; i < 80; i++) {
          if (one(byHand)()) done.hand++;
          await new Promise((resolve) => setTimeout(resolve, 10 + random() * 60));
        }
      })(),
      ...Array.from({ length: 6 }, async () => {
        while (next < plan.length) {
          const draw = plan[next++] as number;
          const list = await ids();
          const send = byApi[Math.floor(draw * byApi.length)] as (id: string) => Promise<ApiResponse>;
          const id = list[Math.floor(draw * 997) % Math.max(1, list.length)] ?? 'none';

          const res = await send(id);

          if (res.status < 300) done.api++;
          if (res.status >= 500) failures.push(`${res.status}: ${res.text.slice(0, 300)}`);
        }
      }),
    ]);
    const errors = (): string =>
      server
        .stderr()
        .split('\n')
        .filter((line) => line.includes('"level":50'))
        .join('\n');
    assert.deepEqual(failures, [], `5xx answers; the server's errors:\n${errors()}`);
    assert.ok(done.hand > 40 && done.api > 80, JSON.stringify(done));

    // Settled: the watcher has seen everything, the previews are made and recorded.
    await barrier();
    await previewsDone(server.url);
    await barrier();
    const rows = await assertDiskAgrees(server.url, ws.assets, placed);
    assert.deepEqual(
      picturesAt().sort(),
      rows
        .map((r) => r.path)
        .filter((rel) => rel.endsWith('.png'))
        .sort(),
      'a row for every picture on disk, a picture for every row',
    );
  },
);

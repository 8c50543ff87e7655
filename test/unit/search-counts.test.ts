/**
 * Search totals from the counter table and the caches (totals, deep-offset anchors) must equal a
 * brute-force answer after any mix of writes: inserts, updates, deletes, tag edits, moves across
 * projects, and writes by another connection. The brute force filters every row in JavaScript.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { seededRandom } from '../../bench/tools.js';
import { filterKeys, type AssetRecord } from '../../src/domain/asset.js';
import {
  COLOR_NAMES,
  colorMask,
  MEDIA_BOUND_KEYS,
  MEDIA_FACTS,
  type MediaBounds,
  type MediaFact,
  type PictureColors,
} from '../../src/domain/facets.js';
import type { JsonObject } from '../../src/domain/json.js';
import { migrate } from '../../src/store/migrations.js';
import { hashDistance, isPictureHash } from '../../src/store/picture-index.js';
import { SqliteStore, type SearchQuery, type SortField } from '../../src/store/sqlite-store.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let store: SqliteStore;
let dbPath: string;
// A tiny anchor step, so deep-offset anchors are made and used on a few hundred rows.
const STEP = 7;

beforeEach(() => {
  ws = makeWorkspace();
  dbPath = path.join(ws.dir, 'config', 'registry.sqlite');
  store = new SqliteStore(dbPath, { anchorStep: STEP });
});
afterEach(() => {
  store.close();
  ws.cleanup();
});

const PROJECTS = ['default', 'other', 'zeta'];
const TYPES = ['images', 'audio', 'docs'];
const TAGS = ['night', 'forest', 'ui', 'hero', 'loop', 'Night'];
const LICENSES = ['CC0', 'cc-by-4.0', 'MIT', undefined];
const WORDS = ['kestrel', 'backlog', 'reviewed', 'alpha', 'beta', 'ab'];

/**
 * A preview's facts as the preview worker records them (a picture's size, a sound's length), or
 * none, or what a hand-edited sidecar may hold instead of numbers.
 */
function randomPreview(rand: () => number): JsonObject | undefined {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const roll = rand();
  if (roll < 0.35)
    return {
      kind: 'thumbnail',
      width: pick([64, 640, 1920, 1920, 3840, 360]),
      height: pick([64, 360, 1080, 640]),
    };
  if (roll < 0.6) return { kind: 'waveform', duration: pick([0.05, 0.5, 2.5, 2.5, 61]), channels: 1 };
  if (roll < 0.7)
    return { kind: 'thumbnail', width: pick(['640', -5, 0, 2.5, 1e12, null]), height: 1.4, duration: true };
  return undefined;
}

function randomAsset(rand: () => number, i: number): AssetRecord {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const hash = createHash('sha256').update(`a${i}`).digest('hex');
  const tags = Array.from({ length: Math.floor(rand() * 4) }, () => pick(TAGS));
  const license = pick(LICENSES);
  return {
    projectId: pick(PROJECTS),
    uid: hash.slice(0, 16),
    type: pick(TYPES),
    // Folders and sub-folders, and names that start like a folder ("images0", "images-x").
    path: `${pick(TYPES)}${pick(['', '', '/night', '/night/deep', '0', '-x'])}/f${i}-${pick(WORDS)}.bin`,
    // One big set of the same bytes, some small ones, and unique files.
    hash: rand() < 0.1 ? 'f'.repeat(64) : rand() < 0.15 ? 'e'.repeat(63) + String(i % 9) : hash,
    bytes: Math.floor(rand() * 5) * 100,
    meta: {
      tags,
      ...(license ? { license } : {}),
      notes: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(WORDS)).join(' '),
      ...withPreview(randomPreview(rand)),
    },
    createdAt: '2024-01-01 00:00:00',
    updatedAt: '2024-01-01 00:00:00',
    thumb: null,
  };
}

const withPreview = (preview: JsonObject | undefined): JsonObject => (preview ? { preview } : {});

interface Row {
  rowid: number;
  project_id: string;
  uid: string;
  type: string;
  path: string;
  hash: string;
  bytes: number;
  tags_norm: string;
  license_norm: string | null;
  search_text: string;
  meta: string;
  dhash: string | null;
  palette: string | null;
}

/** Whether the row's colours (its palette as stored) hold the colour (15 % or more) / transparent parts. */
function hasColor(r: Row, name: string): boolean {
  const colors = r.palette ? (JSON.parse(r.palette) as PictureColors) : undefined;
  return !!colors?.palette.some((c) => c.name === name && c.share >= 0.15);
}
const isTransparent = (r: Row): boolean | undefined =>
  r.palette ? (JSON.parse(r.palette) as PictureColors).transparent : undefined;

/** A picture's shape from its facts, undefined without both sides. */
function shapeOf(r: Row): string | undefined {
  const [w, h] = [factOf(r, 'width'), factOf(r, 'height')];
  if (!w || !h) return undefined;
  return w > h ? 'landscape' : h > w ? 'portrait' : 'square';
}

/** A fact of the row's preview as a number, 0 for none (written apart from the store's code). */
function factOf(r: Row, fact: MediaFact): number {
  const preview = (JSON.parse(r.meta) as { preview?: Record<string, unknown> }).preview;
  const value = preview?.[fact];
  if (typeof value !== 'number' || !(value > 0) || value > 1e9) return 0;
  return fact === 'duration' ? value : Math.floor(value + 0.5);
}

/** Fingerprints near a few pictures (0-4 bits flipped), so that similar filters match a few rows each. */
const PICTURES = ['00ff00ff00ff00ff', 'a5a5a5a55a5a5a5a', '0123456789abcdef'];
function randomFingerprint(rand: () => number): string {
  let value = BigInt(`0x${PICTURES[Math.floor(rand() * PICTURES.length)]}`);
  for (let flips = Math.floor(rand() * 4); flips > 0; flips--) value ^= 1n << BigInt(Math.floor(rand() * 64));
  return value.toString(16).padStart(16, '0');
}

/** Colours of a picture: one to three of a few, shares around the 15 % the filter takes. */
function randomColors(rand: () => number): PictureColors {
  const names = ['red', 'blue', 'white', 'black'] as const;
  const palette = names
    .filter(() => rand() < 0.5)
    .map((name) => ({
      name,
      hex: '#808080',
      share: [0.05, 0.14, 0.15, 0.4][Math.floor(rand() * 4)] as number,
    }));
  return { palette, transparent: rand() < 0.3 };
}

/**
 * Gives about half the records a fingerprint and colours (some the empty ones: none could be
 * taken), some colours alone.
 */
function fingerprint(db: SqliteStore, rand: () => number, records: AssetRecord[]): void {
  for (const rec of records) {
    const roll = rand();
    if (roll < 0.5)
      db.setPictureFacts(rec.projectId, rec.uid, rec.hash, {
        dhash: randomFingerprint(rand),
        colors: rand() < 0.8 ? randomColors(rand) : null,
      });
    else if (roll < 0.55) db.setPictureFacts(rec.projectId, rec.uid, rec.hash, { dhash: '', colors: 'none' });
    else if (roll < 0.6)
      db.setPictureFacts(rec.projectId, rec.uid, rec.hash, { dhash: null, colors: randomColors(rand) });
  }
}

/** The brute-force answer: every row read, filtered and sorted in JavaScript. */
function bruteForce(db: SqliteStore, q: SearchQuery): { total: number; uids: string[] } {
  const rows = db.db.prepare('SELECT * FROM assets').all() as Row[];
  // Each hash's rows in the project, first registered first.
  const copies = new Map<string, number[]>();
  for (const r of rows.filter((row) => row.project_id === q.projectId).sort((a, b) => a.rowid - b.rowid))
    copies.set(r.hash, [...(copies.get(r.hash) ?? []), r.rowid]);
  const pictures = rows.filter((row) => row.project_id === q.projectId && isPictureHash(row.dhash));
  const duplicate = (r: Row): boolean => {
    if (q.duplicates === 'similar')
      return (
        isPictureHash(r.dhash) &&
        pictures.some((o) => o.rowid !== r.rowid && hashDistance(o.dhash as string, r.dhash as string) <= 4)
      );
    const set = copies.get(r.hash) ?? [];
    if (q.duplicates === 'all') return set.length > 1;
    if (q.duplicates === 'extra') return set.length > 1 && set[0] !== r.rowid;
    return true;
  };
  const hits = rows.filter(
    (r) =>
      r.project_id === q.projectId &&
      (q.type === undefined || r.type === q.type) &&
      (q.license === undefined || r.license_norm === q.license) &&
      (!q.unlicensed || r.license_norm === null) &&
      (q.hash === undefined || r.hash === q.hash) &&
      (q.tags ?? []).every((t) => (JSON.parse(r.tags_norm) as string[]).includes(t)) &&
      (q.texts ?? []).every((t) => r.search_text.includes(t)) &&
      MEDIA_FACTS.every((fact) => {
        const min = q.bounds?.[`min_${fact}`];
        const max = q.bounds?.[`max_${fact}`];
        const value = factOf(r, fact);
        if (min === undefined && max === undefined) return true;
        return value > 0 && (min === undefined || value >= min) && (max === undefined || value <= max);
      }) &&
      (q.folder === undefined || r.path.startsWith(`${q.folder}/`)) &&
      (q.orientation === undefined || shapeOf(r) === q.orientation) &&
      (q.colors ?? []).every((name) => hasColor(r, name)) &&
      (q.transparent === undefined || isTransparent(r) === q.transparent) &&
      (q.similar === undefined ||
        (isPictureHash(r.dhash) && hashDistance(r.dhash, q.similar.dhash) <= q.similar.maxDistance)) &&
      duplicate(r),
  );
  const sort = q.sort ?? 'created';
  const sign = q.order === 'asc' ? 1 : -1;
  // Without the fact (0), an asset comes last either way: after the largest, after the smallest.
  const key = (r: Row): string | number =>
    sort === 'width' || sort === 'duration'
      ? factOf(r, sort) || (q.order === 'asc' ? Infinity : 0)
      : r[({ created: 'rowid', type: 'type', path: 'path', bytes: 'bytes' } as const)[sort]];
  hits.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x !== y) return (x < y ? -1 : 1) * sign;
    return (a.rowid - b.rowid) * sign;
  });
  const offset = q.offset ?? 0;
  return { total: hits.length, uids: hits.slice(offset, offset + q.limit).map((r) => r.uid) };
}

function randomQuery(rand: () => number, total: number): SearchQuery {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const q: SearchQuery = {
    projectId: pick(PROJECTS),
    limit: pick([0, 1, 5, 20]),
    offset: pick([0, 3, STEP, 2 * STEP - 1, 3 * STEP + 2, Math.floor(rand() * total), total + 5]),
    sort: pick<SortField>(['created', 'type', 'path', 'bytes', 'width', 'duration']),
    order: pick(['asc', 'desc'] as const),
  };
  if (rand() < 0.35) q.type = pick(TYPES);
  const licence = rand();
  if (licence < 0.3) q.license = pick(['cc0', 'cc-by-4.0', 'mit', 'none']);
  else if (licence < 0.45) q.unlicensed = true;
  if (rand() < 0.35)
    q.tags = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 2) }, () => pick(TAGS).toLowerCase()))];
  if (rand() < 0.1) q.hash = 'f'.repeat(64);
  // One needle, or two (each of any length: both must match).
  const needles = ['kestrel', 'backlog', 'view', 'ab', 'a', 'f1', 'zz9'];
  if (rand() < 0.3) q.texts = rand() < 0.7 ? [pick(needles)] : [pick(needles), pick(needles)];
  if (rand() < 0.25) q.duplicates = pick(['all', 'extra', 'similar'] as const);
  if (rand() < 0.2) q.orientation = pick(['landscape', 'portrait', 'square'] as const);
  if (rand() < 0.2)
    q.colors = [...new Set([pick(['red', 'blue', 'white'] as const), pick(['red', 'white'] as const)])];
  if (rand() < 0.15) q.transparent = rand() < 0.5;
  if (rand() < 0.25) q.folder = pick(['images', 'audio/night', 'docs/night/deep', 'images0', 'nowhere']);
  if (rand() < 0.15) {
    q.similar = { dhash: randomFingerprint(rand), maxDistance: pick([0, 4, 10, 20]) };
    // Few match: pages near the start, so that they hold some.
    q.offset = pick([0, 1, STEP]);
  }
  if (rand() < 0.3) {
    // One or two bounds, on the values the rows hold (ties, an exact match) and between them.
    const bounds: MediaBounds = {};
    for (let n = 1 + Math.floor(rand() * 2); n > 0; n--) {
      const key = pick(MEDIA_BOUND_KEYS);
      bounds[key] = key.endsWith('duration') ? pick([0, 0.5, 1, 2.5, 61]) : pick([0, 1, 64, 360, 641, 1920]);
    }
    q.bounds = bounds;
  }
  return q;
}

/** `searcher`'s answer (another connection to the same file, or `db` itself) against the brute force over `db`. */
function assertSame(db: SqliteStore, q: SearchQuery, label: string, searcher = db): void {
  const want = bruteForce(db, q);
  const got = searcher.search(q);
  assert.equal(got.total, want.total, `${label}: total of ${JSON.stringify(q)}`);
  assert.deepEqual(
    got.records.map((r) => r.uid),
    want.uids,
    `${label}: page of ${JSON.stringify(q)}`,
  );
}

/** Each project's sub-folders of a few parents against a listing made from every row. */
function assertFolders(db: SqliteStore, label: string): void {
  const rows = db.db.prepare('SELECT project_id, path FROM assets').all() as Row[];
  for (const projectId of PROJECTS) {
    for (const parent of ['', 'images', 'audio/night', 'images0', 'nowhere']) {
      const prefix = parent ? `${parent}/` : '';
      const want = [
        ...new Set(
          rows
            .filter((r) => r.project_id === projectId && r.path.startsWith(prefix))
            .map((r) => r.path.slice(prefix.length).split('/'))
            .filter((parts) => parts.length > 1)
            .map((parts) => prefix + parts[0]),
        ),
      ].sort();
      assert.deepEqual(db.subfolders(projectId, parent, 1000), { folders: want, truncated: false }, label);
      if (want.length > 1) {
        const first = db.subfolders(projectId, parent, 1);
        assert.equal(first.truncated, true);
        assert.ok(first.folders.length === 1 && want.includes(first.folders[0] as string), label);
      }
    }
  }
}

/** The counter table (rows above zero) against a recount from the rows themselves. */
function assertCountsExact(db: SqliteStore): void {
  const kept = db.db
    .prepare(`SELECT project_id, dim, value, n FROM asset_counts WHERE n > 0 ORDER BY 1, 2, 3`)
    .all();
  const recount = db.db
    .prepare(
      `SELECT * FROM (
         SELECT project_id, '' AS dim, '' AS value, count(*) AS n FROM assets GROUP BY project_id
         UNION ALL SELECT project_id, 'type', type, count(*) FROM assets GROUP BY project_id, type
         UNION ALL SELECT project_id, 'license', license_norm, count(*) FROM assets
           WHERE license_norm IS NOT NULL GROUP BY project_id, license_norm
         UNION ALL SELECT a.project_id, 'tag', t.tag, count(*) FROM asset_tags t JOIN assets a ON a.rowid = t.asset_rowid
           GROUP BY a.project_id, t.tag)
       ORDER BY 1, 2, 3`,
    )
    .all() as Array<{ project_id: string; dim: string; value: string; n: number }>;
  // Pictures per colour, from each row's palette as stored (not from the table the triggers keep).
  const colors = new Map<string, number>();
  for (const r of db.db
    .prepare('SELECT project_id, palette FROM assets WHERE palette IS NOT NULL')
    .all() as Row[]) {
    const { palette, transparent } = JSON.parse(r.palette as string) as PictureColors;
    const names = palette.filter((c) => c.share >= 0.15).map((c) => c.name as string);
    for (const name of transparent ? [...names, 'transparent'] : names) {
      const key = `${r.project_id}\u0000${name}`;
      colors.set(key, (colors.get(key) ?? 0) + 1);
    }
  }
  for (const [key, n] of colors) {
    const [project_id, value] = key.split('\u0000') as [string, string];
    recount.push({ project_id, dim: 'color', value, n });
  }
  const order = (a: { project_id: string; dim: string; value: string }, b: typeof a): number =>
    a.project_id < b.project_id
      ? -1
      : a.project_id > b.project_id
        ? 1
        : a.dim < b.dim
          ? -1
          : a.dim > b.dim
            ? 1
            : a.value < b.value
              ? -1
              : a.value > b.value
                ? 1
                : 0;
  assert.deepEqual(kept, recount.sort(order));
  assert.equal(
    (db.db.prepare('SELECT count(*) AS n FROM asset_counts WHERE n < 0').get() as { n: number }).n,
    0,
  );
}

describe('exact totals and deep pages under writes', () => {
  test('random queries equal a brute-force filter after inserts, edits, deletes and project moves', () => {
    const rand = seededRandom(6);
    const records: AssetRecord[] = [];
    store.transaction(() => {
      for (let i = 0; i < 300; i++) {
        const rec = randomAsset(rand, i);
        store.insert(rec);
        records.push(rec);
      }
    });
    fingerprint(store, rand, records);
    assertCountsExact(store);
    for (let i = 0; i < 150; i++) assertSame(store, randomQuery(rand, 120), 'after inserts');

    // Edits (tags, licence, type, path), deletes, moves across projects and re-inserts, with
    // queries in between so cached totals and anchors from before each write are exercised.
    for (let round = 0; round < 12; round++) {
      for (let w = 0; w < 10; w++) {
        const rec = records[Math.floor(rand() * records.length)] as AssetRecord;
        const roll = rand();
        if (roll < 0.15) {
          // A metadata edit that sets a preview's facts (or takes them away).
          rec.meta = { ...rec.meta, ...withPreview(randomPreview(rand) ?? { kind: 'thumbnail' }) };
          store.updateMeta({ ...rec });
        } else if (roll < 0.4) {
          const fresh = randomAsset(rand, 1000 + round * 10 + w);
          store.update({ ...rec, type: fresh.type, meta: fresh.meta, path: `${rec.path}.v${round}` });
          rec.path = `${rec.path}.v${round}`;
        } else if (roll < 0.6) {
          store.delete(rec.projectId, rec.uid);
        } else if (roll < 0.8) {
          const to = PROJECTS[Math.floor(rand() * PROJECTS.length)] as string;
          store.db
            .prepare('UPDATE OR IGNORE assets SET project_id = ? WHERE project_id = ? AND uid = ?')
            .run(to, rec.projectId, rec.uid);
          if (store.getByUid(to, rec.uid)) rec.projectId = to;
        } else {
          const fresh = randomAsset(rand, 2000 + round * 10 + w);
          store.insert(fresh);
          records.push(fresh);
        }
      }
      // Some pictures fingerprinted again (a file replaced by another picture).
      fingerprint(store, rand, records.slice(round * 20, round * 20 + 10));
      assertCountsExact(store);
      for (let i = 0; i < 40; i++) assertSame(store, randomQuery(rand, 120), `round ${round}`);
      assertFolders(store, `round ${round}`);
    }
  });

  test('a write by another connection invalidates cached totals and anchors', () => {
    const rand = seededRandom(7);
    for (let i = 0; i < 60; i++) store.insert({ ...randomAsset(rand, i), projectId: 'default' });
    const other = new SqliteStore(dbPath, { anchorStep: STEP });
    try {
      // A two-filter total and a deep page (anchors) are cached by the first connection...
      const queries: SearchQuery[] = [
        { projectId: 'default', limit: 5, tags: ['night', 'forest'] },
        { projectId: 'default', limit: 5, texts: ['backlog'] },
        { projectId: 'default', limit: 5, offset: 3 * STEP + 1, sort: 'path', order: 'asc' },
        { projectId: 'default', limit: 5, offset: 2 * STEP, type: 'images' },
        { projectId: 'default', limit: 5, duplicates: 'extra' },
      ];
      for (const q of queries) assertSame(store, q, 'before');
      // ...then the other connection inserts rows that match, at the front of every order.
      for (let i = 0; i < 2 * STEP; i++) {
        const rec = randomAsset(rand, 100 + i);
        other.insert({
          ...rec,
          projectId: 'default',
          type: 'images',
          path: `!a${String(i).padStart(3, '0')}`,
          meta: { tags: ['night', 'forest'], notes: 'backlog' },
          hash: i % 2 ? 'd'.repeat(64) : rec.hash, // copies of one another: new duplicates
        });
      }
      for (const q of queries) assertSame(store, q, 'after the other connection wrote');
      // And a delete through the other connection.
      other.db.prepare(`DELETE FROM assets WHERE path LIKE '!a00%'`).run();
      for (const q of queries) assertSame(store, q, 'after the other connection deleted');
    } finally {
      other.close();
    }
  });

  test("a read-only connection (the search thread's) answers short needles like the writer and sees each commit", () => {
    const rand = seededRandom(11);
    for (let i = 0; i < 80; i++) store.insert(randomAsset(rand, i));
    const reader = new SqliteStore(dbPath, { anchorStep: STEP, readOnly: true });
    try {
      const queries: SearchQuery[] = ['ab', 'a', 'f1', 'zz', 'é'].flatMap((text) =>
        PROJECTS.map((projectId) => ({ projectId, texts: [text], limit: 5, offset: STEP })),
      );
      queries.push({
        projectId: 'default',
        texts: ['ab'],
        tags: ['night'],
        limit: 20,
        sort: 'path',
        order: 'asc',
      });
      // 1 character tests rows (the search thread's work); 2 go through the trigram index.
      for (const q of queries)
        assert.equal(reader.scansRows(q), [...(q.texts?.[0] ?? '')].length === 1, q.texts?.[0]);
      const compare = (label: string): void => {
        for (const q of queries) {
          assertSame(store, q, label, reader);
          assert.deepEqual(
            reader.searchIds(q, 1000),
            bruteForce(store, { ...q, offset: 0, limit: 1000 }).uids,
          );
        }
      };
      compare('first');
      // The writer commits more matches, an edit and a delete: the reader's cached totals go.
      for (let i = 0; i < 2 * STEP; i++) {
        store.insert({ ...randomAsset(rand, 200 + i), projectId: 'default', meta: { notes: 'abécédaire' } });
      }
      store.db.prepare(`DELETE FROM assets WHERE rowid IN (SELECT rowid FROM assets LIMIT 3)`).run();
      compare('after the writer committed');
      assert.ok(reader.search({ projectId: 'default', texts: ['é'], limit: 1 }).total >= 2 * STEP - 3);
      // It refuses to write, and to open a database that was never migrated.
      assert.throws(() => reader.db.prepare('DELETE FROM assets').run(), /readonly/i);
      const bare = path.join(ws.dir, 'config', 'bare.sqlite');
      new Database(bare).close();
      assert.throws(
        () => new SqliteStore(bare, { readOnly: true }),
        /schema 0, not \d+: open it for writing first/,
      );
    } finally {
      reader.close();
    }
  });

  test('a search inside a transaction that is rolled back leaves no cached total behind', () => {
    const rand = seededRandom(10);
    for (let i = 0; i < 30; i++) store.insert({ ...randomAsset(rand, i), projectId: 'default' });
    const q: SearchQuery = { projectId: 'default', limit: 5, tags: ['night', 'forest'], offset: STEP };
    assertSame(store, q, 'before');
    assert.throws(() =>
      store.transaction(() => {
        for (let i = 0; i < 2 * STEP; i++) {
          store.insert({
            ...randomAsset(rand, 100 + i),
            projectId: 'default',
            meta: { tags: ['night', 'forest'] },
          });
        }
        assertSame(store, q, 'inside the transaction');
        throw new Error('roll back');
      }),
    );
    assertSame(store, q, 'after the rollback');
  });

  test('facets come from the counters: deleted values disappear, totals follow updates', () => {
    const base = randomAsset(seededRandom(8), 1);
    store.insert({
      ...base,
      projectId: 'default',
      type: 'audio',
      meta: { tags: ['Loop', 'ui'], license: 'MIT' },
    });
    let facets = store.facets('default', 10);
    assert.equal(facets.total, 1);
    assert.deepEqual(facets.types, [{ value: 'audio', count: 1 }]);
    assert.deepEqual(facets.licenses, [{ value: 'mit', count: 1, label: 'MIT' }]);
    assert.equal(facets.unlicensed, 0);
    assert.deepEqual(
      facets.tags.map((t) => [t.value, t.count]),
      [
        ['loop', 1],
        ['ui', 1],
      ],
    );
    store.update({ ...base, projectId: 'default', type: 'images', meta: { tags: ['ui'] } });
    facets = store.facets('default', 10);
    assert.deepEqual(facets.types, [{ value: 'images', count: 1 }]);
    assert.deepEqual(facets.licenses, []);
    assert.equal(facets.unlicensed, 1, 'its licence removed');
    assert.deepEqual(
      facets.tags.map((t) => [t.value, t.count]),
      [['ui', 1]],
    );
    store.delete('default', base.uid);
    facets = store.facets('default', 10);
    assert.deepEqual(facets, {
      total: 0,
      types: [],
      tags: [],
      licenses: [],
      unlicensed: 0,
      colors: COLOR_NAMES.map((value) => ({ value, count: 0 })),
      transparent: 0,
    });
  });

  test('pictures with colours before colours were searched like tags are counted and found after it', () => {
    // A database at schema 14 (colours stored, not yet in asset_colors or the counts).
    const legacyPath = path.join(ws.dir, 'legacy-colors.sqlite');
    const legacy = new Database(legacyPath);
    migrate(legacy, 14);
    const rand = seededRandom(11);
    const insert = legacy.prepare(
      `INSERT INTO assets (project_id, uid, type, path, hash, bytes, meta, created_at, updated_at, tags_norm,
         license_norm, search_text, colors, palette) VALUES (?, ?, ?, ?, ?, 0, '{}', '', '', '[]', NULL, '', ?, ?)`,
    );
    for (let i = 0; i < 60; i++) {
      const rec = randomAsset(rand, i);
      const colors = rand() < 0.7 ? randomColors(rand) : undefined;
      const mask = colors ? colorMask(colors) : rand() < 0.5 ? -1 : null;
      insert.run(
        rec.projectId,
        rec.uid,
        rec.type,
        rec.path,
        rec.hash,
        mask,
        colors ? JSON.stringify(colors) : null,
      );
    }
    legacy.close();
    const migrated = new SqliteStore(legacyPath);
    try {
      assertCountsExact(migrated);
      for (const q of [
        { colors: ['red' as const] },
        { colors: ['blue' as const, 'white' as const] },
        { transparent: true },
        { transparent: false },
      ]) {
        const query = { projectId: 'default', limit: 100, ...q };
        assert.equal(migrated.search(query).total, bruteForce(migrated, query).total, JSON.stringify(q));
      }
    } finally {
      migrated.close();
    }
  });

  test('the migration counts rows that existed before it', () => {
    // A database at the previous schema version with rows in it, then opened by the current code.
    const legacyPath = path.join(ws.dir, 'legacy.sqlite');
    const legacy = new Database(legacyPath);
    migrate(legacy, 4);
    const insert = legacy.prepare(
      `INSERT INTO assets (project_id, uid, type, path, hash, bytes, meta, created_at, updated_at, tags_norm,
         license_norm, search_text) VALUES (?, ?, ?, ?, ?, 0, '{}', '', '', ?, ?, '')`,
    );
    const rand = seededRandom(9);
    for (let i = 0; i < 80; i++) {
      const rec = randomAsset(rand, i);
      const keys = filterKeys(rec.meta);
      insert.run(
        rec.projectId,
        rec.uid,
        rec.type,
        rec.path,
        rec.hash,
        JSON.stringify(keys.tags),
        keys.license,
      );
    }
    legacy.close();
    const migrated = new SqliteStore(legacyPath);
    try {
      assertCountsExact(migrated);
      assert.equal(
        migrated.search({ projectId: 'default', limit: 1 }).total,
        bruteForce(migrated, { projectId: 'default', limit: 1 }).total,
      );
    } finally {
      migrated.close();
    }
  });
});

/**
 * Search at scale: registries of 10,000 / 100,000 (/ 1,000,000) assets with seeded, realistic
 * metadata (types, Zipf-distributed tags, licences, notes, authors), then the real server on
 * loopback answering `GET /api/assets/search`, measured over HTTP (p50/p95/p99) for each kind of
 * query the gallery makes. Every answer's `total` is checked against the count the generator
 * computed itself. Reference in the same run: `grep -F -c` over a JSON-lines dump of the same
 * metadata (the brute-force scan). Then similar pictures (`GET /api/assets/{id}/similar`) over the
 * pictures' fingerprints, against a python3 script comparing a dump of them.
 *
 * Rows are written through the store layer (`SqliteStore.insert`, the statement `register()`
 * ends in, with its counter triggers; the tag and trigram indexes its insert trigger would fill
 * row by row are built in bulk at the end, then the trigger is put back) in transactions of 10,000, with
 * the preview entries the registry plans (`withPlannedPreview`) and `done` preview jobs: going
 * through `register()` file by file (hash, copy, sidecar) would take hours at 1,000,000.
 *
 * Each query is timed twice over: "first" requests, each right after a write by another
 * connection (so the server's caches of totals and anchors, and SQLite's page cache, start
 * empty: what a new filter costs), and "repeated" requests of the same query (what scrolling
 * a filter's pages costs). With `keep`, a generated registry is kept under the temp folder,
 * keyed by generator and schema version, and reused by the next run (its load time is the
 * original one).
 */
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filterKeys, searchText, type AssetRecord } from '../src/domain/asset.js';
import type { JsonObject } from '../src/domain/json.js';
import { RegistryService } from '../src/registry/service.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { noteSearchChars } from '../src/store/search-chars.js';
import { DEFAULT_MAX_DISTANCE } from '../src/registry/similar.js';
import {
  ensureTool,
  latencySummary,
  processMemory,
  seededRandom,
  startBenchServer,
  timeShell,
} from './tools.js';

type Latency = ReturnType<typeof latencySummary>;

export interface SearchQueryResult {
  name: string;
  query: string;
  /** The class of target: filtered (50 ms) or substring (100 ms). */
  kind: 'filtered' | 'substring';
  total: number;
  expected: number;
  exact: boolean;
  /** Requests each right after another connection's write: nothing cached. */
  first: Latency;
  /** The same request repeated with the data unchanged. */
  latency: Latency;
  grepNeedle: string;
  grepSeconds: number;
  grepCount: number;
}

/** `GET /api/assets/{id}/similar` at the default distance, against a script comparing a dump. */
export interface SimilarResult {
  pictures: number;
  total: number;
  first: Latency;
  latency: Latency;
  /** python3 reading the fingerprints (one per line) and counting those within the distance. */
  referenceSeconds: number;
  /** The reference's count, the probe itself left out (as the route leaves it out). */
  referenceTotal: number;
}

export interface SearchScaleResult {
  assets: number;
  insertSeconds: number;
  /** The registry was reused from an earlier run (`keep`); `insertSeconds` is that run's. */
  reused: boolean;
  dbMb: number;
  dumpMb: number;
  rssAfterLoadMb: number;
  rssAfterQueriesMb: number;
  peakRssMb: number;
  queries: SearchQueryResult[];
  similar: SimilarResult;
}

// ---------------------------------------------------------------- corpus

/** Bump when the generated corpus changes: kept registries of another version are not reused. */
const GENERATOR_VERSION = 4;

const TYPES: Array<[string, number, string[]]> = [
  ['images', 0.4, ['png', 'jpg', 'webp']],
  ['audio', 0.2, ['wav', 'ogg', 'flac']],
  ['models', 0.15, ['glb', 'fbx', 'blend']],
  ['data', 0.15, ['csv', 'parquet', 'yaml']],
  ['docs', 0.1, ['md', 'pdf', 'txt']],
];
const LICENSES: Array<[string, number]> = [
  ['CC0', 0.35],
  ['CC-BY-4.0', 0.3],
  ['proprietary', 0.2],
  ['CC-BY-SA-4.0', 0.1],
  ['unknown', 0.05],
];
const TAG_WORDS = [
  'character',
  'night',
  'forest',
  'castle',
  'portrait',
  'ui',
  'icon',
  'background',
  'sprite',
  'tileset',
  'ambient',
  'music',
  'sfx',
  'voice',
  'dialogue',
  'weapon',
  'armor',
  'vehicle',
  'city',
  'desert',
  'snow',
  'rain',
  'sunset',
  'interior',
  'exterior',
  'hero',
  'villain',
  'npc',
  'creature',
  'dragon',
  'magic',
  'fire',
  'water',
  'stone',
  'wood',
  'metal',
  'glass',
  'cloth',
  'hair',
  'face',
  'hand',
  'idle',
  'walk',
  'run',
  'attack',
  'loop',
  'intro',
  'outro',
  'menu',
  'hud',
  'logo',
  'concept',
  'sketch',
  'lineart',
  'color',
  'shaded',
  'lowpoly',
  'highpoly',
  'rigged',
  'animated',
  'texture',
  'normalmap',
  'roughness',
  'albedo',
  'skybox',
  'terrain',
  'foliage',
  'prop',
  'furniture',
  'door',
  'window',
  'ship',
  'space',
  'planet',
  'robot',
  'cyberpunk',
  'medieval',
  'fantasy',
  'scifi',
  'horror',
  'cute',
  'pixel',
  'vector',
  'painted',
  'photo',
  'scan',
  'hdr',
  'mono',
  'stereo',
  'ambisonic',
];
const NOTE_WORDS = [
  'first',
  'pass',
  'of',
  'the',
  'scene',
  'with',
  'softer',
  'light',
  'colour',
  'graded',
  'for',
  'chapter',
  'two',
  'three',
  'update',
  'fixed',
  'seams',
  'on',
  'left',
  'side',
  'needs',
  'cleanup',
  'exported',
  'from',
  'studio',
  'master',
  'file',
  'cropped',
  'tighter',
  'louder',
  'mix',
  'quieter',
  'tail',
  'trimmed',
  'at',
  'start',
  'variant',
  'alternate',
  'take',
  'used',
  'in',
  'trailer',
  'demo',
  'build',
  'old',
  'new',
  'style',
];
const AUTHORS = ['ana', 'bo', 'chen', 'dara', 'eli', 'farah', 'gus', 'hana', 'ivo', 'jun', 'kim', 'lea'];
const COLLECTIONS = ['act1', 'act2', 'act3', 'shared', 'dlc', 'prototype', 'marketing', 'archive'];

/** Marker words in the notes, never in the vocabularies above: q needles of known selectivity. */
const MARKERS: Array<[string, number]> = [
  ['kestrel', 0.001],
  ['backlog', 0.1],
  ['reviewed', 0.9],
];

function pickWeighted<T>(
  rand: () => number,
  items: Array<[T, number, ...unknown[]]>,
): [T, number, ...unknown[]] {
  let r = rand();
  for (const item of items) {
    r -= item[1];
    if (r < 0) return item;
  }
  return items[items.length - 1] as [T, number, ...unknown[]];
}

/** Zipf-ish pick: low indexes far more common (a few tags are everywhere, most are rare). */
const zipf = (rand: () => number, n: number): number => Math.min(n - 1, Math.floor(Math.pow(n, rand()) - 1));

interface Generated {
  record: AssetRecord;
  dumpLine: string;
  notes: string;
}

function generate(i: number, rand: () => number): Generated {
  const [type, , exts] = pickWeighted(rand, TYPES) as [string, number, string[]];
  const ext = exts[Math.floor(rand() * exts.length)] as string;
  const collection = COLLECTIONS[Math.floor(rand() * COLLECTIONS.length)] as string;
  const tagCount = 2 + Math.floor(rand() * 4);
  const tags = new Set<string>();
  while (tags.size < tagCount) tags.add(TAG_WORDS[zipf(rand, TAG_WORDS.length)] as string);
  const [license] = pickWeighted(rand, LICENSES) as [string, number];
  const words: string[] = [];
  const wordCount = 4 + Math.floor(rand() * 8);
  for (let w = 0; w < wordCount; w++)
    words.push(NOTE_WORDS[Math.floor(rand() * NOTE_WORDS.length)] as string);
  for (const [marker, share] of MARKERS)
    if (rand() < share) words.splice(Math.floor(rand() * words.length), 0, marker);
  const notes = words.join(' ');
  const name = `${[...tags][0]}-${String(i).padStart(7, '0')}.${ext}`;
  const relPath = `${type}/${collection}/${name}`;
  const hash = crypto.createHash('sha256').update(`bench-asset-${i}`).digest('hex');
  const author = AUTHORS[Math.floor(rand() * AUTHORS.length)] as string;
  const meta: JsonObject = {
    origin: 'bench.search',
    tags: [...tags],
    license,
    notes,
    author,
    version: 1 + Math.floor(rand() * 3),
  };
  const day = 1 + (i % 28);
  const created = `2026-${String(1 + (Math.floor(i / 28) % 11)).padStart(2, '0')}-${String(day).padStart(2, '0')} 12:00:00`;
  const record: AssetRecord = {
    projectId: 'default',
    uid: hash.slice(0, 16),
    type,
    path: relPath,
    hash,
    bytes: 1024 + Math.floor(rand() * 8_000_000),
    meta,
    createdAt: created,
    updatedAt: created,
    thumb: null,
  };
  const dumpLine = JSON.stringify({
    id: record.uid,
    type,
    path: relPath,
    hash,
    tags: meta.tags,
    license,
    notes,
    author,
  });
  return { record, dumpLine, notes };
}

// ---------------------------------------------------------------- queries

interface QuerySpec {
  name: string;
  kind: 'filtered' | 'substring';
  /** Query string; `{deep}` is replaced by an offset near the end of the matches. */
  query: string;
  grepNeedle: string;
  /** Does this asset match? (computed on the generated record, to check `total`). */
  matches: (r: AssetRecord, text: string, keys: { tags: string[]; license: string | null }) => boolean;
}

export const SPECS: QuerySpec[] = [
  { name: 'no filter', kind: 'filtered', query: 'limit=50', grepNeedle: '"id"', matches: () => true },
  {
    name: 'type',
    kind: 'filtered',
    query: 'type=audio&limit=50',
    grepNeedle: '"type":"audio"',
    matches: (r) => r.type === 'audio',
  },
  {
    name: 'two tags',
    kind: 'filtered',
    query: 'tags=night,forest&limit=50',
    grepNeedle: '"forest"',
    matches: (_r, _t, k) => k.tags.includes('night') && k.tags.includes('forest'),
  },
  {
    name: 'licence',
    kind: 'filtered',
    query: 'license=CC-BY-SA-4.0&limit=50',
    grepNeedle: '"license":"CC-BY-SA-4.0"',
    matches: (_r, _t, k) => k.license === 'cc-by-sa-4.0',
  },
  {
    name: 'q 0.1%',
    kind: 'substring',
    query: 'q=kestrel&limit=50',
    grepNeedle: 'kestrel',
    matches: (_r, t) => t.includes('kestrel'),
  },
  {
    name: 'q 10%',
    kind: 'substring',
    query: 'q=backlog&limit=50',
    grepNeedle: 'backlog',
    matches: (_r, t) => t.includes('backlog'),
  },
  {
    name: 'q 90%',
    kind: 'substring',
    query: 'q=reviewed&limit=50',
    grepNeedle: 'reviewed',
    matches: (_r, t) => t.includes('reviewed'),
  },
  {
    name: 'q of 2 characters',
    kind: 'substring',
    query: 'q=ni&limit=50',
    grepNeedle: 'ni',
    matches: (_r, t) => t.includes('ni'),
  },
  {
    name: 'combined (type+tag+licence+q 10%)',
    kind: 'substring',
    query: 'type=images&tags=character&license=cc0&q=backlog&limit=50',
    grepNeedle: 'backlog',
    matches: (r, t, k) =>
      r.type === 'images' && k.tags.includes('character') && k.license === 'cc0' && t.includes('backlog'),
  },
  {
    name: 'colour 12% (pictures)',
    kind: 'filtered',
    query: 'color=blue&limit=50',
    grepNeedle: '"type":"images"',
    matches: (r) => r.type === 'images' && '01'.includes(r.hash[0] ?? ''),
  },
  {
    name: 'colour 0.4% (pictures), by width',
    kind: 'filtered',
    query: 'color=purple&sort=width&order=desc&limit=50',
    grepNeedle: '"type":"images"',
    matches: (r) => r.type === 'images' && r.hash.startsWith('ff'),
  },
  {
    name: 'deep page, no filter',
    kind: 'filtered',
    query: 'limit=50&offset={deep}',
    grepNeedle: '"id"',
    matches: () => true,
  },
  {
    name: 'deep page, type, by path',
    kind: 'filtered',
    query: 'type=images&sort=path&order=asc&limit=50&offset={deep}',
    grepNeedle: '"type":"images"',
    matches: (r) => r.type === 'images',
  },
];

async function timeQueries(
  url: string,
  spec: QuerySpec,
  query: string,
  options: { samples: number; firstSamples: number; budgetMs: number; invalidate: () => void },
): Promise<{ first: Latency; latency: Latency; total: number }> {
  const get = async (): Promise<{ ms: number; total: number }> => {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/assets/search?${query}`);
    const body = (await res.json()) as { total: number; items: unknown[] };
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${spec.name}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return { ms, total: body.total };
  };
  const firsts: number[] = [];
  let total = 0;
  const started = performance.now();
  while (
    firsts.length < options.firstSamples &&
    (firsts.length < 5 || performance.now() - started < options.budgetMs / 2)
  ) {
    options.invalidate();
    const r = await get();
    firsts.push(r.ms);
    total = r.total;
  }
  await get(); // warm-up of the repeated requests (caches filled)
  const latencies: number[] = [];
  const repeated = performance.now();
  while (
    latencies.length < options.samples &&
    (latencies.length < 5 || performance.now() - repeated < options.budgetMs)
  ) {
    latencies.push((await get()).ms);
  }
  return { first: latencySummary(firsts), latency: latencySummary(latencies), total };
}

/** The reference: every fingerprint compared by a plain script, as a user would without an index. */
const PYTHON_HAMMING = `import sys
probe = int(sys.argv[1], 16)
print(sum(1 for line in open(sys.argv[2]) if bin(int(line, 16) ^ probe).count("1") <= int(sys.argv[3])))`;

async function timeSimilar(
  url: string,
  db: Database.Database,
  ws: string,
  invalidate: () => void,
  options: { samples: number; firstSamples: number },
): Promise<SimilarResult> {
  ensureTool('python3', 'python3-minimal');
  const maxDistance = DEFAULT_MAX_DISTANCE;
  const probe = db
    .prepare<[], { uid: string; dhash: string }>(
      `SELECT uid, dhash FROM assets WHERE project_id = 'default' AND dhash IS NOT NULL AND rowid % 50 = 0 LIMIT 1`,
    )
    .get();
  if (!probe) throw new Error('the registry has no fingerprinted pictures');
  const dump = path.join(ws, 'fingerprints.txt');
  const hashes = db
    .prepare<[], string>(`SELECT dhash FROM assets WHERE project_id = 'default' AND dhash IS NOT NULL`)
    .pluck()
    .all();
  fs.writeFileSync(dump, `${hashes.join('\n')}\n`);
  const get = async (): Promise<{ ms: number; total: number }> => {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/assets/${probe.uid}/similar?max_distance=${maxDistance}`);
    const body = (await res.json()) as { total: number };
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`similar: HTTP ${res.status} ${JSON.stringify(body)}`);
    return { ms, total: body.total };
  };
  const firsts: number[] = [];
  let total = 0;
  for (let i = 0; i < options.firstSamples; i++) {
    invalidate();
    const r = await get();
    firsts.push(r.ms);
    total = r.total;
  }
  await get();
  const latencies: number[] = [];
  for (let i = 0; i < options.samples; i++) latencies.push((await get()).ms);
  const runs = [0, 1, 2].map(() =>
    timeShell('python3 -c "$1" "$2" "$3" "$4"', {
      args: [PYTHON_HAMMING, probe.dhash, dump, String(maxDistance)],
    }),
  );
  return {
    pictures: hashes.length,
    total,
    first: latencySummary(firsts),
    latency: latencySummary(latencies),
    referenceSeconds: Math.min(...runs.map((r) => r.seconds)),
    referenceTotal: Number(runs[0]?.stdout.trim()) - 1,
  };
}

export interface BuiltRegistry {
  /** The count each query in SPECS must report as `total`. */
  expected: number[];
  dbPath: string;
  dumpPath: string;
  insertSeconds: number;
}

/**
 * Writes a registry of `count` seeded assets into the workspace `ws` (the server's default
 * database path) and a JSON-lines dump of the same metadata next to it.
 */
export async function buildSearchRegistry(
  ws: string,
  count: number,
  log: (line: string) => void = () => undefined,
): Promise<BuiltRegistry> {
  const service = RegistryService.open({ workspace: ws, workerThreads: 1 });
  const store = service.store;
  // A bulk load: a bigger page cache for this connection only (the server opens its own).
  store.db.pragma('cache_size = -262144');
  const registry = service.project();
  const rand = seededRandom(20261126 + count);
  const expected = SPECS.map(() => 0);
  const dumpPath = path.join(ws, 'metadata.jsonl');
  const dump = fs.openSync(dumpPath, 'w');
  const markDone = store.db.prepare<[string, string]>(
    `UPDATE preview_jobs SET status = 'done' WHERE project_id = 'default' AND uid = ? AND hash = ?`,
  );
  const t0 = performance.now();
  // The trigram and tag indexes are built once at the end (FTS5 'rebuild', one INSERT … SELECT)
  // instead of row by row through the insert trigger: the same index, in a fraction of the time.
  const insertTrigger = store.db
    .prepare<[], { sql: string }>(
      `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'assets_after_insert'`,
    )
    .get();
  if (!insertTrigger) throw new Error('the schema has no assets_after_insert trigger: update the bulk load');
  store.db.exec('DROP TRIGGER assets_after_insert');
  const batch = 10_000;
  for (let start = 0; start < count; start += batch) {
    const lines: string[] = [];
    store.transaction(() => {
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const g = generate(i, rand);
        const record = registry.withPlannedPreview(g.record);
        store.insert(record, 1_764_000_000_000 + i);
        if (record.thumb) {
          store.queuePreview('default', record.uid, record.hash);
          markDone.run(record.uid, record.hash);
        }
        const text = searchText(record.uid, record.path, record.meta);
        const keys = filterKeys(record.meta);
        SPECS.forEach((spec, s) => {
          if (spec.matches(record, text, keys)) expected[s] = (expected[s] ?? 0) + 1;
        });
        lines.push(g.dumpLine);
      }
    });
    fs.writeSync(dump, `${lines.join('\n')}\n`);
    if ((start / batch) % 10 === 9) log(`  ${count}: ${start + batch} rows...`);
  }
  fs.closeSync(dump);
  log(`  ${count}: building the trigram and tag indexes...`);
  store.transaction(() => {
    store.db.exec(`INSERT INTO assets_fts (assets_fts) VALUES ('rebuild');
      INSERT OR IGNORE INTO asset_tags (tag, asset_rowid)
        SELECT j.value, a.rowid FROM assets a, json_each(a.tags_norm) j;`);
    // The characters the texts hold, as the store's index flush notes them: without them a
    // 2-character needle tests every row (registries of generator 1 lacked them).
    noteSearchChars(
      store.db,
      store.db.prepare<[], string>('SELECT search_text FROM assets').pluck().iterate(),
      new Set(),
    );
    store.db.exec(insertTrigger.sql);
    // Pictures' fingerprints, as their previews take them: random, every 50th picture's the same
    // as the picture's before it (a resized copy, say).
    store.db.exec(`UPDATE assets SET dhash = printf('%016x', random()) WHERE type = 'images';
      UPDATE assets SET dhash = (SELECT b.dhash FROM assets b WHERE b.rowid < assets.rowid
        AND b.type = 'images' ORDER BY b.rowid DESC LIMIT 1) WHERE type = 'images' AND rowid % 50 = 0;`);
    // Their colours (the mask of migration 14), by their hashes so the specs can count them: blue
    // for one in eight, purple for one in 256, red otherwise.
    store.db.exec(`UPDATE assets SET colors =
        (CASE WHEN substr(hash, 1, 1) IN ('0', '1') THEN 32 ELSE 1 END)
        | (CASE WHEN substr(hash, 1, 2) = 'ff' THEN 64 ELSE 0 END)
      WHERE type = 'images';`);
  });
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.db.exec('ANALYZE');
  const insertSeconds = (performance.now() - t0) / 1000;
  await service.close();
  return { expected, dbPath: service.paths.dbPath, dumpPath, insertSeconds };
}

/** Builds a registry of `count` assets in a temp workspace, serves it, and measures every query. */
/**
 * A registry of `count` assets: built in a temp workspace (removed by `done`), or with `keep`
 * reused from / kept in `<tmp>/areg-bench-search/<count>-g<generator>-s<schema>`.
 */
async function searchRegistry(
  count: number,
  keep: boolean,
  log: (line: string) => void,
): Promise<BuiltRegistry & { ws: string; reused: boolean; done: () => void }> {
  if (!keep) {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'areg-search-'));
    const built = await buildSearchRegistry(ws, count, log);
    return { ...built, ws, reused: false, done: () => fs.rmSync(ws, { recursive: true, force: true }) };
  }
  const ws = path.join(
    os.tmpdir(),
    'areg-bench-search',
    `${count}-g${GENERATOR_VERSION}-s${MIGRATIONS.length}`,
  );
  const manifest = path.join(ws, 'bench-registry.json');
  const relative = (b: BuiltRegistry): BuiltRegistry => ({
    ...b,
    dbPath: path.relative(ws, b.dbPath),
    dumpPath: path.relative(ws, b.dumpPath),
  });
  /** The kept registry (paths relative to `ws`) as the caller uses it. */
  const opened = (kept: BuiltRegistry, reused: boolean) => ({
    ...kept,
    dbPath: path.join(ws, kept.dbPath),
    dumpPath: path.join(ws, kept.dumpPath),
    ws,
    reused,
    done: () => undefined,
  });
  if (fs.existsSync(manifest)) {
    log(`  ${count}: reusing the registry kept in ${ws}`);
    return opened(JSON.parse(fs.readFileSync(manifest, 'utf8')) as BuiltRegistry, true);
  }
  // Built beside its final place and renamed when complete: an interrupted build is never reused.
  const partial = `${ws}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  const built = await buildSearchRegistry(partial, count, log);
  const kept = relative({
    ...built,
    dbPath: path.join(ws, path.relative(partial, built.dbPath)),
    dumpPath: path.join(ws, path.relative(partial, built.dumpPath)),
  });
  fs.writeFileSync(path.join(partial, 'bench-registry.json'), JSON.stringify(kept));
  fs.rmSync(ws, { recursive: true, force: true });
  fs.renameSync(partial, ws);
  return opened(kept, false);
}

/** Builds (or reuses) a registry of `count` assets, serves it, and measures every query. */
export async function searchScale(
  count: number,
  options: {
    samples?: number;
    firstSamples?: number;
    budgetMs?: number;
    keep?: boolean;
    log?: (line: string) => void;
  } = {},
): Promise<SearchScaleResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const registry = await searchRegistry(count, options.keep ?? false, log);
  const { ws, expected, dbPath, dumpPath, insertSeconds, reused } = registry;
  // Another connection's write (the same user_version, rewritten) moves the server's
  // data_version: its cached totals and anchors and its SQLite page cache are dropped.
  const writer = new Database(dbPath);
  const invalidate = (): void => {
    writer.pragma(`user_version = ${Number(writer.pragma('user_version', { simple: true }))}`);
  };
  try {
    const dbMb = fs.statSync(dbPath).size / 1024 / 1024;
    const dumpMb = fs.statSync(dumpPath).size / 1024 / 1024;
    log(`  ${count}: inserted in ${insertSeconds.toFixed(1)} s (database ${dbMb.toFixed(0)} MB); serving...`);

    const server = await startBenchServer(ws);
    try {
      // Let the server settle (preview recovery, event follower) before reading its memory.
      await fetch(`${server.url}/api/assets/search?limit=1`).then((r) => r.arrayBuffer());
      await new Promise((r) => setTimeout(r, 500));
      const rssAfterLoadMb = processMemory(server.pid).rssMb;
      const queries: SearchQueryResult[] = [];
      for (const [s, spec] of SPECS.entries()) {
        const want = expected[s] ?? 0;
        const query = spec.query.replace('{deep}', String(Math.max(0, Math.floor(want * 0.9))));
        const { first, latency, total } = await timeQueries(server.url, spec, query, {
          samples: options.samples ?? 100,
          firstSamples: options.firstSamples ?? 20,
          budgetMs: options.budgetMs ?? 15_000,
          invalidate,
        });
        const grepRuns = [0, 1, 2].map(() =>
          timeShell(`grep -F -c -- '${spec.grepNeedle}' '${dumpPath}' || true`),
        );
        const grepSeconds = Math.min(...grepRuns.map((g) => g.seconds));
        const grepCount = Number(grepRuns[0]?.stdout.trim() ?? 0);
        queries.push({
          name: spec.name,
          query,
          kind: spec.kind,
          total,
          expected: want,
          exact: total === want,
          first,
          latency,
          grepNeedle: spec.grepNeedle,
          grepSeconds,
          grepCount,
        });
        log(
          `  ${count}: ${spec.name.padEnd(34)} total ${String(total).padStart(8)}${total === want ? '' : ` (expected ${want}!)`}` +
            `  first p50 ${first.p50.toFixed(1)} p95 ${first.p95.toFixed(1)}` +
            `  repeated p50 ${latency.p50.toFixed(1)} p95 ${latency.p95.toFixed(1)} p99 ${latency.p99.toFixed(1)} ms` +
            `  (${latency.count} samples)  grep ${(grepSeconds * 1000).toFixed(1)} ms`,
        );
      }
      const similar = await timeSimilar(server.url, writer, ws, invalidate, {
        samples: options.samples ?? 100,
        firstSamples: options.firstSamples ?? 20,
      });
      log(
        `  ${count}: similar pictures (${similar.pictures} fingerprints)  total ${similar.total}` +
          `  first p50 ${similar.first.p50.toFixed(1)} p95 ${similar.first.p95.toFixed(1)}` +
          `  repeated p50 ${similar.latency.p50.toFixed(1)} p95 ${similar.latency.p95.toFixed(1)} ms` +
          `  python3 ${(similar.referenceSeconds * 1000).toFixed(1)} ms (${similar.referenceTotal})`,
      );
      const mem = processMemory(server.pid);
      return {
        similar,
        assets: count,
        insertSeconds,
        reused,
        dbMb,
        dumpMb,
        rssAfterLoadMb,
        rssAfterQueriesMb: mem.rssMb,
        peakRssMb: mem.peakMb,
        queries,
      };
    } finally {
      server.stop();
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    writer.close();
    registry.done();
  }
}

// ---------------------------------------------------------------- chart

/** A hand-made SVG line chart: p95 of each query against registry size (log x), targets dashed. */
export function searchLatencySvg(results: SearchScaleResult[], title: string): string {
  const W = 860;
  const H = 480;
  const left = 70;
  const right = 290;
  const top = 50;
  const bottom = 60;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const sizes = results.map((r) => r.assets);
  const allP95 = results.flatMap((r) => r.queries.flatMap((q) => [q.first.p95, q.latency.p95]));
  const yMax = Math.max(120, ...allP95) * 1.1;
  const logMin = Math.log10(Math.min(...sizes));
  const logMax = Math.log10(Math.max(...sizes));
  const x = (n: number): number =>
    left + (logMax === logMin ? plotW / 2 : ((Math.log10(n) - logMin) / (logMax - logMin)) * plotW);
  // Log y axis: latencies span 1 ms to seconds.
  const yMinLog = Math.log10(Math.max(0.5, Math.min(...allP95) * 0.8));
  const yMaxLog = Math.log10(yMax);
  const y = (ms: number): number =>
    top + plotH - ((Math.log10(Math.max(ms, 0.5)) - yMinLog) / (yMaxLog - yMinLog)) * plotH;
  const colours = [
    '#1f77b4',
    '#ff7f0e',
    '#2ca02c',
    '#d62728',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
    '#bcbd22',
    '#17becf',
  ];
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="black"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="black"/>`,
  ];
  for (const n of sizes) {
    out.push(
      `<line x1="${x(n)}" y1="${top}" x2="${x(n)}" y2="${top + plotH}" stroke="#eee"/>`,
      `<text x="${x(n)}" y="${top + plotH + 18}" text-anchor="middle">${n.toLocaleString('en-US')}</text>`,
    );
  }
  out.push(
    `<text x="${left + plotW / 2}" y="${H - 18}" text-anchor="middle">assets in the registry (log scale)</text>`,
  );
  for (let e = Math.floor(yMinLog); e <= Math.floor(yMaxLog); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (Math.log10(v) < yMinLog || Math.log10(v) > yMaxLog) continue;
      out.push(
        `<line x1="${left}" y1="${y(v)}" x2="${left + plotW}" y2="${y(v)}" stroke="#eee"/>`,
        `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 1 ? v : v.toFixed(1)}</text>`,
      );
    }
  }
  out.push(
    `<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">p95 latency, ms (log scale)</text>`,
  );
  for (const [target, label] of [
    [50, 'target, filtered: 50 ms'],
    [100, 'target, substring: 100 ms'],
  ] as const) {
    if (target > yMax) continue;
    out.push(
      `<line x1="${left}" y1="${y(target)}" x2="${left + plotW}" y2="${y(target)}" stroke="#c00" stroke-dasharray="6 4"/>`,
      `<text x="${left + plotW - 4}" y="${y(target) - 4}" text-anchor="end" fill="#c00">${label}</text>`,
    );
  }
  const names = results[0]?.queries.map((q) => q.name) ?? [];
  names.forEach((name, i) => {
    const colour = colours[i % colours.length] as string;
    // Solid: first requests (nothing cached); dashed: the same request repeated.
    for (const [which, dash] of [
      ['first', ''],
      ['latency', ' stroke-dasharray="5 4"'],
    ] as const) {
      const points = results
        .map((r) => [r.assets, r.queries.find((q) => q.name === name)?.[which].p95] as const)
        .filter((p): p is readonly [number, number] => p[1] !== undefined);
      out.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2"${dash} points="${points.map(([n, v]) => `${x(n).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`,
      );
      for (const [n, v] of points)
        out.push(`<circle cx="${x(n).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${colour}"/>`);
    }
    const ly = top + 10 + i * 20;
    out.push(
      `<line x1="${left + plotW + 20}" y1="${ly}" x2="${left + plotW + 40}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${left + plotW + 46}" y="${ly + 4}">${esc(name)}</text>`,
    );
  });
  const ly = top + 10 + names.length * 20 + 10;
  out.push(
    `<line x1="${left + plotW + 20}" y1="${ly}" x2="${left + plotW + 40}" y2="${ly}" stroke="black" stroke-width="2"/>`,
    `<text x="${left + plotW + 46}" y="${ly + 4}">first request (nothing cached)</text>`,
    `<line x1="${left + plotW + 20}" y1="${ly + 20}" x2="${left + plotW + 40}" y2="${ly + 20}" stroke="black" stroke-width="2" stroke-dasharray="5 4"/>`,
    `<text x="${left + plotW + 46}" y="${ly + 24}">repeated request</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * The registry database: one SQLite file (WAL, busy timeout) shared safely by the server and CLI
 * commands running at the same time. Every method is synchronous: better-sqlite3 statements take
 * microseconds, and a synchronous critical section is what makes check-then-insert atomic.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  filterKeys,
  mediaFacts,
  searchText,
  type AssetRecord,
  type ProvenanceRecord,
} from '../domain/asset.js';
import {
  MEDIA_BOUND_KEYS,
  MEDIA_FACTS,
  type DuplicateFilter,
  type FacetCount,
  type Facets,
  type MediaBounds,
  type MediaFact,
  type Orientation,
} from '../domain/facets.js';
import { badRequest } from '../domain/errors.js';
import { MODEL_EXTENSIONS } from '../domain/media-facts.js';
import { storedObject, stringsIn } from '../domain/json.js';
import { ensureFolder } from '../files/ensure-folder.js';
import { statIfThere } from '../files/if-there.js';
import { refuseTooLong } from '../files/safe-path.js';
import type { HookEnvelope } from '../hooks/bus.js';
import { migrate, MIGRATIONS } from './migrations.js';
import { MAX_PAIR_CHARS, noteSearchChars, pairQuery, searchChars } from './search-chars.js';
import { ChangeLog } from './change-log.js';
import { PictureIndex } from './picture-index.js';
import { ANCHOR_STEP, SearchCache, type SortKey } from './search-cache.js';

export interface StoreOptions {
  /** Positions between deep-offset anchors (see search-cache.ts); tests make it small. */
  anchorStep?: number;
  /**
   * Opens an existing, migrated database for reading only: a search thread's own connection,
   * which reads the committed data (WAL) while the server's connection writes.
   */
  readOnly?: boolean;
}

import type { SortField, SortOrder } from '../domain/facets.js';
import {
  COLOR_NAMES,
  colorMask,
  TRANSPARENT_BIT,
  type ColorName,
  type PictureColors,
} from '../domain/facets.js';
export type { DuplicateFilter, FacetCount, Facets, SortField, SortOrder } from '../domain/facets.js';

export interface SearchQuery {
  projectId: string;
  type?: string;
  /** Lowercase tags; an asset must carry all of them. */
  tags?: string[];
  /** Lowercase licence. */
  license?: string;
  /** Only assets without a licence. */
  unlicensed?: boolean;
  hash?: string;
  /** Folded substrings (see `searchKey`); an asset's text must hold all of them. */
  texts?: readonly string[];
  duplicates?: DuplicateFilter;
  /** Inclusive bounds of a picture's size or a sound's length; any bound leaves out assets without one. */
  bounds?: MediaBounds;
  /** Only assets in this folder or below it (a cleaned relative path, no trailing slash). */
  folder?: string;
  /** Only pictures of this shape. */
  orientation?: Orientation;
  /** Only pictures with each of these colours (see previews/picture-colors.ts). */
  colors?: readonly ColorName[];
  /** Only pictures with (true) or without (false) transparent parts. */
  transparent?: boolean;
  /** Only pictures whose fingerprint is within `maxDistance` bits of `dhash` (see picture-index.ts). */
  similar?: { dhash: string; maxDistance: number };
  /** Only assets without this fact (0): the end of an ascending sort by it (see `searchRowids`). */
  unmeasured?: MediaFact;
  sort?: SortField;
  order?: SortOrder;
  limit: number;
  offset?: number;
}

interface AssetRow {
  rowid: number;
  project_id: string;
  uid: string;
  type: string;
  path: string;
  hash: string;
  bytes: number;
  meta: string;
  created_at: string;
  updated_at: string;
  path_thumb: string | null;
  file_mtime_ms: number | null;
  preview_status: PreviewStatus | null;
  preview_error: string | null;
  palette: string | null;
}

interface ProvenanceRow {
  id: number;
  asset_uid: string;
  source: string;
  workflow_hash: string | null;
  commit_hash: string | null;
  inputs_json: string;
  c2pa_like: string;
  user_id: string | null;
  created_at: string;
}

/** What rebuild compares with the disk to skip unchanged files without hashing them. */
export interface FileState {
  uid: string;
  path: string;
  hash: string;
  bytes: number;
  file_mtime_ms: number | null;
  /** Inode and device of the file when last read; null for rows from before they were recorded. */
  file_ino: number | null;
  file_dev: number | null;
  sidecar_mtime_ms: number | null;
  /** 1 when the row changed and no sidecar write of it has been seen landing since (migration 8). */
  sidecar_due: number;
}

/**
 * A file state as `raw` rows give it, after its row id: a warm rebuild reads every row's, and
 * arrays turned into one object literal (one shape) cost ~40 % less than the keyed objects
 * better-sqlite3 builds (100,000 rows: ~0.23 s against ~0.36 s of main thread).
 */
type FileStateRow = [
  rowid: number,
  uid: string,
  path: string,
  hash: string,
  bytes: number,
  file_mtime_ms: number | null,
  file_ino: number | null,
  file_dev: number | null,
  sidecar_mtime_ms: number | null,
  sidecar_due: number,
];

const fileStateOfRow = (row: FileStateRow): FileState => ({
  uid: row[1],
  path: row[2],
  hash: row[3],
  bytes: row[4],
  file_mtime_ms: row[5],
  file_ino: row[6],
  file_dev: row[7],
  sidecar_mtime_ms: row[8],
  sidecar_due: row[9],
});

/**
 * Whether the file `stat` describes is the one the row recorded (size, mtime, and inode when
 * known): then its bytes are taken to be the row's, unread.
 */
export const isRecordedFile = (
  state: FileState,
  file: { size: number; mtimeMs: number; ino: number },
): boolean =>
  state.bytes === file.size &&
  state.file_mtime_ms === file.mtimeMs &&
  (state.file_ino === null || state.file_ino === file.ino);

/**
 * What `stat` said about an asset's file when the registry read it (its size is the row's
 * `bytes`): a rebuild does not read a file whose size and stamp still match, and finds a renamed
 * file by its inode. `ino`/`dev` are null when unknown.
 */
export interface FileStamp {
  mtimeMs: number;
  ino: number | null;
  dev: number | null;
}

/** A stamp as stored; a bare number is an mtime without inode (callers that know no more). */
function stampParams(stamp: FileStamp | number | null) {
  if (stamp === null) return { fileMtimeMs: null, fileIno: null, fileDev: null };
  if (typeof stamp === 'number') return { fileMtimeMs: stamp, fileIno: null, fileDev: null };
  return { fileMtimeMs: stamp.mtimeMs, fileIno: stamp.ino, fileDev: stamp.dev };
}

export interface StoredEvent {
  seq: number;
  ts: number;
  event: string;
  project_id: string;
  origin: string;
  data: string;
}

/** UTC `YYYY-MM-DD HH:MM:SS`, the format the reference's SQLite default produced. */
export const utcNow = (): string => new Date().toISOString().slice(0, 19).replace('T', ' ');

function toRecord(row: AssetRow): AssetRecord {
  return {
    projectId: row.project_id,
    uid: row.uid,
    type: row.type,
    path: row.path,
    hash: row.hash,
    bytes: row.bytes,
    meta: storedObject(row.meta),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    thumb: row.path_thumb,
    previewStatus: row.preview_status,
    previewError: row.preview_error,
    colors: row.palette ? (storedObject(row.palette) as unknown as PictureColors) : null,
  };
}

const SORT_COLUMNS: Record<SortField, string> = {
  created: 'rowid',
  type: 'type',
  path: 'path',
  bytes: 'bytes',
  width: 'width',
  duration: 'duration',
};

/**
 * The index that returns a page's rows already in order, by "column filters|sort". The (project_id,
 * path) unique constraint's index is SQLite's second automatic index of the table (the UNIQUE
 * constraints of migration 1, in order).
 */
const ORDER_INDEXES: Record<string, string> = {
  '|created': 'assets_project',
  '|type': 'assets_type',
  '|path': 'sqlite_autoindex_assets_2',
  '|bytes': 'assets_bytes',
  '|width': 'assets_width',
  '|duration': 'assets_duration',
  'type|created': 'assets_type',
  'type|type': 'assets_type',
  'type|path': 'assets_type_path',
  'license_norm|created': 'assets_license',
  // Assets without a width (or length): the end of an ascending sort by it, in row-id order.
  'width|width': 'assets_width',
  'duration|duration': 'assets_duration',
};

const EVENTS_KEPT = 10_000;
/** Whether `a.path` names a 3D model (by its extension: the index on paths serves it). */
const MODEL_PATH_SQL = [...MODEL_EXTENSIONS].map((ext) => `lower(a.path) LIKE '%.${ext}'`).join(' OR ');

/** WAL pages between checkpoints during bulk writes (~40 MB; 5,000 to 100,000 measured alike). */
const BULK_CHECKPOINT_PAGES = 10_000;

type Param = string | number;

/** A column filter as an SQL term: `= ?`, or `IS NULL` for "no value" (no licence). */
const columnTerm = (column: string, value: Param | null): { sql: string; params: Param[] } =>
  value === null ? { sql: `${column} IS NULL`, params: [] } : { sql: `${column} = ?`, params: [value] };

/** One filter as a stream of row ids in row-id order: `sql` selects `id`, `idColumn` bounds it. */
interface Stream {
  sql: string;
  idColumn: string;
  params: Param[];
}

interface RowTest {
  sql: string;
  params: Param[];
}

/** A filter answered by a `(key, asset_rowid)` table: a tag (`asset_tags`), a colour (`asset_colors`). */
interface Seek {
  table: 'asset_tags' | 'asset_colors';
  column: 'tag' | 'color';
  value: Param;
}

/** The media facts with an index of their own, (project_id, fact, rowid). */
const INDEXED_FACTS = ['width', 'duration'] as const;

const bounded = (bounds: MediaBounds | undefined, fact: MediaFact): boolean =>
  bounds?.[`min_${fact}`] !== undefined || bounds?.[`max_${fact}`] !== undefined;

/**
 * The index ranges a query's row tests define (a bounded fact, a folder), each with the order it
 * reads in: candidates for reading a few matches then sorting them (see `pageIds`).
 */
interface IndexRange {
  /** The order the index reads in. */
  order: SortField;
  index: string;
  /** The row tests that bound the range. */
  tests: RowTest[];
}

function rangesOf(query: SearchQuery): IndexRange[] {
  return [
    ...INDEXED_FACTS.filter((fact) => bounded(query.bounds, fact)).map((fact) => ({
      order: fact,
      index: `assets_${fact}`,
      tests: factTests(query.bounds, fact),
    })),
    // (A type in a folder: the (project_id, type, path) index holds both.)
    ...(query.folder
      ? [
          {
            order: 'path' as const,
            index: ORDER_INDEXES[query.type === undefined ? '|path' : 'type|path'] as string,
            tests: [folderTest(query.folder)],
          },
        ]
      : []),
  ];
}

/** A picture's shape as a row test (a picture has both sides above 0). */
const ORIENTATION_TESTS: Record<Orientation, string> = {
  landscape: 'a.width > a.height AND a.height > 0',
  portrait: 'a.height > a.width AND a.width > 0',
  square: 'a.width = a.height AND a.width > 0',
};

/**
 * The tags, each colour and transparent parts as seeks in their tables (migration 15: a row per
 * colour bit of the mask, as `asset_tags` has one per tag).
 */
const seeksOf = (query: SearchQuery): Seek[] => [
  ...(query.tags ?? []).map((tag): Seek => ({ table: 'asset_tags', column: 'tag', value: tag })),
  ...(query.colors ?? []).map((name): Seek => ({
    table: 'asset_colors',
    column: 'color',
    value: COLOR_NAMES.indexOf(name),
  })),
  ...(query.transparent
    ? [{ table: 'asset_colors', column: 'color', value: COLOR_NAMES.length } as Seek]
    : []),
];

/** Pictures without transparent parts: a row test (what is not in a table is no seek). */
const colorTests = (query: SearchQuery): RowTest[] =>
  query.transparent === false
    ? [{ sql: 'a.colors >= 0 AND (a.colors & ?) = 0', params: [TRANSPARENT_BIT] }]
    : [];

/**
 * The fact an ascending sort is by, when some assets may lack it (0): those go last, not first.
 * Not when the filters leave them out already (a bound on the fact; a shape, for the width).
 */
function unmeasuredLast(query: SearchQuery): MediaFact | undefined {
  const sort = query.sort;
  if (query.order !== 'asc' || query.unmeasured || (sort !== 'width' && sort !== 'duration'))
    return undefined;
  if (bounded(query.bounds, sort) || (sort === 'width' && query.orientation)) return undefined;
  return sort;
}

/** Entries of a range counted to tell a small one (read it through its index) from a big one. */
const RANGE_PROBE = 50_000;

/** A folder and everything under it, by path: the range [`folder/`, `folder0`) ('0' follows '/'). */
const folderTest = (folder: string): RowTest => ({
  sql: 'a.path >= ? AND a.path < ?',
  params: [`${folder}/`, `${folder}0`],
});

/** The media bounds as row tests: a fact bounded must be known (above 0) and within its bounds. */
function factTests(bounds: MediaBounds | undefined, fact: MediaFact): RowTest[] {
  if (!bounded(bounds, fact)) return [];
  const min = bounds?.[`min_${fact}`];
  const max = bounds?.[`max_${fact}`];
  // One lower bound, so that it is the start of the index range (SQLite takes one of two).
  const tests: RowTest[] = [
    min !== undefined && min > 0
      ? { sql: `a.${fact} >= ?`, params: [min] }
      : { sql: `a.${fact} > 0`, params: [] },
  ];
  if (max !== undefined) tests.push({ sql: `a.${fact} <= ?`, params: [max] });
  return tests;
}

interface SearchPlan {
  /** Column filters ([column, value], null: no value); each is also the first of `streams`. */
  columns: Array<[string, Param | null]>;
  streams: Stream[];
  /** How many streams come from the tag and trigram indexes (not from assets' own columns). */
  indexStreams: number;
  /** The tag and colour filters (each also a stream), each a seek in its table's key. */
  seeks: Seek[];
  /** Needles for the trigram index (each one of the streams). */
  text: boolean;
  /** A filter given as a list of row ids (duplicates, similar pictures): one of the streams. */
  rowidList: boolean;
  /**
   * Terms tested on each candidate row (alias `a`): needles too short for the trigram index
   * (`instr`), the media bounds, the folder (these two also ranges of indexes, `rangesOf`) and
   * the orientation.
   */
  rowTests: RowTest[];
  /** The index ranges among the row tests (a bounded width or length, a folder): see `rangesOf`. */
  ranges: IndexRange[];
  /** Rows must be tested for the project (no column filter carries it, other projects exist). */
  projectTest: boolean;
}

interface PageRow {
  id: number;
  k?: string | number;
}

/** The streams merged like posting lists, each optionally bounded (`id < ?` or `id > ?`). */
function mergeStreams(
  streams: Stream[],
  bound?: { op: '<' | '>'; id: number },
): { sql: string; params: Param[] } {
  const params: Param[] = [];
  const parts = streams.map((s) => {
    params.push(...s.params);
    if (!bound) return s.sql;
    params.push(bound.id);
    return `${s.sql} AND ${s.idColumn} ${bound.op} ?`;
  });
  return { sql: parts.join(' INTERSECT '), params };
}

/**
 * The row ids of a project's duplicates, ascending: its hashes held by more than one row (one
 * pass over the (project_id, hash) index, which also gives each set's first row id), then those
 * rows by the same index. ~0.35 s at 1,000,000 assets, so a search keeps the ids until the data
 * changes (the gallery asks for one page after another).
 */
function duplicateRowidsSql(filter: Exclude<DuplicateFilter, 'similar'>): string {
  return `SELECT a.rowid FROM (SELECT hash, min(rowid) AS first FROM assets WHERE project_id = ?
            GROUP BY hash HAVING count(*) > 1) d
          JOIN assets a ON a.project_id = ? AND a.hash = d.hash
          WHERE ${filter === 'extra' ? 'a.rowid > d.first' : '1'} ORDER BY a.rowid`;
}

/** A query's filters, normalised (not its order or page): the key of its cached total. */
function filterKey(query: SearchQuery): string {
  return JSON.stringify([
    query.projectId,
    query.type ?? null,
    query.license ?? null,
    query.unlicensed ?? false,
    [...(query.tags ?? [])].sort(),
    query.hash ?? null,
    [...(query.texts ?? [])].sort(),
    query.duplicates ?? null,
    MEDIA_BOUND_KEYS.map((key) => query.bounds?.[key] ?? null),
    query.folder ?? null,
    query.orientation ?? null,
    [...(query.colors ?? [])].sort(),
    query.transparent ?? null,
    query.similar ?? null,
    query.unmeasured ?? null,
  ]);
}

/** Every asset column plus its preview job's state. */
const ASSET_COLUMNS = `*,
  (SELECT status FROM preview_jobs j WHERE j.project_id = assets.project_id AND j.uid = assets.uid) AS preview_status,
  (SELECT error FROM preview_jobs j WHERE j.project_id = assets.project_id AND j.uid = assets.uid) AS preview_error`;

/** (In {@link FileStateRow}'s order.) */
const FILE_STATE_COLUMNS =
  'uid, path, hash, bytes, file_mtime_ms, file_ino, file_dev, sidecar_mtime_ms, sidecar_due';

export type PreviewStatus = 'queued' | 'running' | 'done' | 'failed';

export interface PreviewJob {
  project_id: string;
  uid: string;
  hash: string;
  status: PreviewStatus;
  error: string | null;
  attempts: number;
  owner: string | null;
  updated_at: string;
}

/**
 * Opens the database (made and migrated unless read-only). A path that cannot hold it, a folder
 * or a file that is not SQLite, is a 400 that says what to give instead, not an internal error.
 */
function openDatabase(dbPath: string, readOnly: boolean): Database.Database {
  if (dbPath !== ':memory:') {
    refuseTooLong(path.resolve(dbPath), 'The registry database path');
    if (statIfThere(dbPath)?.isDirectory())
      throw badRequest(
        `The registry database ${dbPath} is a folder: give a file's path (for example ${path.join(dbPath, 'comfyvn.sqlite')}).`,
      );
    ensureFolder(path.dirname(path.resolve(dbPath)), "The registry database's folder");
  }
  const db = new Database(dbPath, { readonly: readOnly, fileMustExist: readOnly });
  try {
    db.pragma('busy_timeout = 10000');
    // Statement journals in memory: each statement and savepoint inside a transaction journals
    // the pages it touches (~100 KB for an asset row with its indexes), which otherwise spills to
    // a temp file: ~55 page writes per new asset when a rebuild gave each file a savepoint.
    db.pragma('temp_store = MEMORY');
    if (readOnly) {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version !== MIGRATIONS.length) {
        throw new Error(
          `${dbPath} is at schema ${version}, not ${MIGRATIONS.length}: open it for writing first.`,
        );
      }
    } else {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    }
  } catch (err) {
    db.close();
    if ((err as { code?: unknown }).code === 'SQLITE_NOTADB')
      throw badRequest(
        `${dbPath} is not a SQLite database: give the registry database's path, or the path of a file to create.`,
      );
    throw err;
  }
  return db;
}

/** A failed preview job with its asset's path (null: the asset is gone). */
export type FailedPreview = PreviewJob & { path: string | null };

export class SqliteStore {
  readonly db: Database.Database;
  readonly readOnly: boolean;
  private facetCache: { version: string; facets: Facets } | undefined;
  private pictureCache: { version: string; index: PictureIndex } | undefined;
  private readonly searchCache = new SearchCache();
  private readonly anchorStep: number;
  private nestedSearches = 0;
  private readonly stmts;
  private changeLog: ChangeLog | undefined;

  /** The change log (undo), prepared on first use. */
  get changes(): ChangeLog {
    return (this.changeLog ??= new ChangeLog(this.db));
  }
  private sidecarWrites = 0;
  private bulkRuns = 0;
  private walAutocheckpoint = 1000;

  constructor(
    readonly dbPath: string,
    options: StoreOptions = {},
  ) {
    this.anchorStep = Math.max(2, options.anchorStep ?? ANCHOR_STEP);
    this.readOnly = options.readOnly ?? false;
    this.db = openDatabase(dbPath, this.readOnly);
    const db = this.db;
    this.stmts = {
      byUid: db.prepare<[string, string], AssetRow>(
        `SELECT ${ASSET_COLUMNS} FROM assets WHERE project_id = ? AND uid = ?`,
      ),
      byPath: db.prepare<[string, string], AssetRow>(
        'SELECT * FROM assets WHERE project_id = ? AND path = ?',
      ),
      byHash: db.prepare<[string, string], AssetRow>(
        `SELECT ${ASSET_COLUMNS} FROM assets WHERE project_id = ? AND hash = ? ORDER BY rowid`,
      ),
      copiesByHash: db.prepare<[string, string], { hash: string; copies: number }>(
        `SELECT hash, count(*) AS copies FROM assets
         WHERE project_id = ? AND hash IN (SELECT value FROM json_each(?)) GROUP BY hash`,
      ),
      // The first path from a key up to an end (the (project_id, path) index's order) that goes
      // on into a sub-folder after its first N characters; files on the way are passed in C.
      // Up to `limit` rows of a folder, counted on the path index (never the whole of a big one).
      folderCount: db
        .prepare<[string, string, string, number], number>(
          `SELECT count(*) FROM (SELECT 1 FROM assets INDEXED BY sqlite_autoindex_assets_2
           WHERE project_id = ? AND path >= ? AND path < ? LIMIT ?)`,
        )
        .pluck(),
      nextFolderPath: db
        .prepare<[string, string, string, number], string>(
          `SELECT path FROM assets INDEXED BY sqlite_autoindex_assets_2
           WHERE project_id = ? AND path >= ? AND path < ? AND instr(substr(path, ?), '/') > 0
           ORDER BY path LIMIT 1`,
        )
        .pluck(),
      pathUsers: db.prepare<[string], { project_id: string; uid: string }>(
        'SELECT project_id, uid FROM assets WHERE path = ?',
      ),
      insert: db.prepare(
        `INSERT INTO assets (project_id, uid, type, path, hash, bytes, meta, created_at, updated_at, path_thumb,
           tags_norm, license_norm, search_text, file_mtime_ms, file_ino, file_dev, width, height, duration)
         VALUES (@projectId, @uid, @type, @path, @hash, @bytes, @meta, @createdAt, @updatedAt, @thumb,
           @tagsNorm, @licenseNorm, @searchText, @fileMtimeMs, @fileIno, @fileDev, @width, @height, @duration)`,
      ),
      update: db.prepare(
        `UPDATE assets SET type = @type, path = @path, hash = @hash, bytes = @bytes, meta = @meta,
           updated_at = @updatedAt, path_thumb = @thumb, tags_norm = @tagsNorm, license_norm = @licenseNorm,
           search_text = @searchText, sidecar_due = 1, width = @width, height = @height, duration = @duration,
           dhash = CASE WHEN hash = @hash THEN dhash END,
           colors = CASE WHEN hash = @hash THEN colors END,
           palette = CASE WHEN hash = @hash THEN palette END,
           file_mtime_ms = coalesce(@fileMtimeMs, file_mtime_ms),
           file_ino = CASE WHEN @fileMtimeMs IS NULL THEN file_ino ELSE @fileIno END,
           file_dev = CASE WHEN @fileMtimeMs IS NULL THEN file_dev ELSE @fileDev END
         WHERE project_id = @projectId AND uid = @uid`,
      ),
      // Only what metadata decides: an UPDATE naming a column rewrites every index on it and fires
      // every trigger on it, changed or not (a bulk edit's rows cost 2-4x as much with all of them).
      updateMeta: db.prepare(
        `UPDATE assets SET meta = @meta, updated_at = @updatedAt, tags_norm = @tagsNorm,
           license_norm = @licenseNorm, search_text = @searchText, sidecar_due = 1
         WHERE project_id = @projectId AND uid = @uid`,
      ),
      // The preview's facts after a metadata edit, written only when they changed (a PATCH that
      // sets `preview`): naming them in updateMeta would rewrite their indexes for every tag edit.
      updateMedia: db.prepare(
        `UPDATE assets SET width = @width, height = @height, duration = @duration
         WHERE project_id = @projectId AND uid = @uid
           AND (width IS NOT @width OR height IS NOT @height OR duration IS NOT @duration)`,
      ),
      setPictureFacts: db.prepare<[string | null, number | null, string | null, string, string, string]>(
        'UPDATE assets SET dhash = ?, colors = ?, palette = ? WHERE project_id = ? AND uid = ? AND hash = ?',
      ),
      pictureEpoch: db.prepare<[string], number>('SELECT n FROM picture_epochs WHERE project_id = ?').pluck(),
      pictureHash: db.prepare<[string, string], { dhash: string | null }>(
        'SELECT dhash FROM assets WHERE project_id = ? AND uid = ?',
      ),
      // One string for all (see PictureIndex.fromPacked); '' fingerprints (none taken) left out.
      pictureHashes: db
        .prepare<[string], string | null>(
          `SELECT group_concat(printf('%012x', rowid) || dhash, '') FROM assets INDEXED BY assets_dhash
           WHERE project_id = ? AND dhash IS NOT NULL AND length(dhash) = 16`,
        )
        .pluck(),
      // Only pictures whose preview of their current content is done: a queued one's thumbnail
      // may still be the old content's.
      unfingerprintedCount: db
        .prepare<[], number>(
          `SELECT count(*) FROM assets a INDEXED BY assets_unfingerprinted
           JOIN preview_jobs j ON j.project_id = a.project_id AND j.uid = a.uid
           WHERE a.width > 0 AND (a.dhash IS NULL OR a.colors IS NULL) AND j.status = 'done' AND j.hash = a.hash`,
        )
        .pluck(),
      unfingerprinted: db.prepare<
        [string, string, number],
        { project_id: string; uid: string; hash: string; path: string; dhash: string | null }
      >(
        `SELECT a.project_id, a.uid, a.hash, a.path, a.dhash FROM assets a INDEXED BY assets_unfingerprinted
         JOIN preview_jobs j ON j.project_id = a.project_id AND j.uid = a.uid
         WHERE a.width > 0 AND (a.dhash IS NULL OR a.colors IS NULL) AND (a.project_id, a.uid) > (?, ?)
           AND j.status = 'done' AND j.hash = a.hash
         ORDER BY a.project_id, a.uid LIMIT ?`,
      ),
      delete: db.prepare<[string, string]>('DELETE FROM assets WHERE project_id = ? AND uid = ?'),
      ftsPending: db.prepare('SELECT 1 FROM fts_pending LIMIT 1'),
      ftsDeleteOld: db.prepare(
        `INSERT INTO assets_fts (assets_fts, rowid, search_text)
         SELECT 'delete', id, old_text FROM fts_pending WHERE old_text IS NOT NULL`,
      ),
      ftsAddNew: db.prepare(
        `INSERT INTO assets_fts (rowid, search_text)
         SELECT a.rowid, a.search_text FROM fts_pending p JOIN assets a ON a.rowid = p.id`,
      ),
      ftsClearPending: db.prepare('DELETE FROM fts_pending'),
      pendingTexts: db
        .prepare<[], string>('SELECT a.search_text FROM fts_pending p JOIN assets a ON a.rowid = p.id')
        .pluck(),
      searchCharCount: db.prepare<[], { n: number; nul: number }>(
        `SELECT count(*) AS n, EXISTS (SELECT 1 FROM search_chars WHERE ch = char(0)) AS nul FROM search_chars`,
      ),
      addProvenance: db.prepare(
        `INSERT INTO provenance (project_id, asset_uid, source, workflow_hash, commit_hash, inputs_json, c2pa_like,
           user_id, created_at)
         VALUES (@projectId, @assetUid, @source, @workflowHash, @commitHash, @inputs, @c2pa, @userId, @createdAt)`,
      ),
      listProvenance: db.prepare<[string, string], ProvenanceRow>(
        'SELECT * FROM provenance WHERE project_id = ? AND asset_uid = ? ORDER BY id DESC',
      ),
      deleteProvenance: db.prepare<[string, string]>(
        'DELETE FROM provenance WHERE project_id = ? AND asset_uid = ?',
      ),
      addEvent: db.prepare<[number, string, string, string, string]>(
        'INSERT INTO events (ts, event, project_id, origin, data) VALUES (?, ?, ?, ?, ?)',
      ),
      eventsAfter: db.prepare<[number, number], StoredEvent>(
        'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
      ),
      lastEvents: db.prepare<[number], StoredEvent>(
        'SELECT * FROM (SELECT * FROM events ORDER BY seq DESC LIMIT ?) ORDER BY seq',
      ),
      maxSeq: db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM events'),
      pruneEvents: db.prepare<[number]>('DELETE FROM events WHERE seq <= ?'),
      upsertJob: db.prepare<[string, string, string, string]>(
        `INSERT INTO preview_jobs (project_id, uid, hash, status, updated_at) VALUES (?, ?, ?, 'queued', ?)
         ON CONFLICT (project_id, uid) DO UPDATE SET hash = excluded.hash, status = 'queued', error = NULL,
           attempts = 0, owner = NULL, updated_at = excluded.updated_at`,
      ),
      claimJobs: db.prepare<[string, string, number], PreviewJob>(
        `UPDATE preview_jobs SET status = 'running', owner = ?, attempts = attempts + 1, updated_at = ?
         WHERE rowid IN (SELECT rowid FROM preview_jobs WHERE status = 'queued' ORDER BY updated_at LIMIT ?)
         RETURNING *`,
      ),
      finishJob: db.prepare<[string, string | null, string, string, string, string]>(
        `UPDATE preview_jobs SET status = ?, error = ?, owner = NULL, updated_at = ?
         WHERE project_id = ? AND uid = ? AND hash = ? AND status = 'running'`,
      ),
      job: db.prepare<[string, string], PreviewJob>(
        'SELECT * FROM preview_jobs WHERE project_id = ? AND uid = ?',
      ),
      deleteJob: db.prepare<[string, string]>('DELETE FROM preview_jobs WHERE project_id = ? AND uid = ?'),
      runningJobs: db.prepare<[], PreviewJob>(`SELECT * FROM preview_jobs WHERE status = 'running'`),
      requeueJob: db.prepare<[string, string, string, string]>(
        `UPDATE preview_jobs SET status = 'queued', owner = NULL, updated_at = ?
         WHERE project_id = ? AND uid = ? AND owner = ? AND status = 'running'`,
      ),
      jobCounts: db.prepare<[], { status: PreviewStatus; n: number }>(
        'SELECT status, n FROM preview_job_counts',
      ),
      // (project: one, or null for all of them.)
      failedJobs: db.prepare<[{ project: string | null; limit: number }], FailedPreview>(
        `SELECT j.*, a.path FROM preview_jobs j
         LEFT JOIN assets a ON a.project_id = j.project_id AND a.uid = j.uid
         WHERE j.status = 'failed' AND (@project IS NULL OR j.project_id = @project)
         ORDER BY j.updated_at DESC LIMIT @limit`,
      ),
      failedJobCount: db
        .prepare<[string], number>(
          `SELECT count(*) FROM preview_jobs WHERE status = 'failed' AND project_id = ?`,
        )
        .pluck(),
      // The table in its own order (NOT INDEXED: through the project's index, each row is a seek,
      // 0.92 s against 0.64 s for 100,000 rows), unless other projects' rows would be read too.
      fileStatesAfter: db
        .prepare<[string, number, number], FileStateRow>(
          `SELECT rowid, ${FILE_STATE_COLUMNS} FROM assets NOT INDEXED
           WHERE project_id = ? AND rowid > ? ORDER BY rowid LIMIT ?`,
        )
        .raw(true),
      fileStatesAfterByProject: db
        .prepare<[string, number, number], FileStateRow>(
          `SELECT rowid, ${FILE_STATE_COLUMNS} FROM assets WHERE project_id = ? AND rowid > ? ORDER BY rowid LIMIT ?`,
        )
        .raw(true),
      fileStateAt: db.prepare<[string, string], FileState>(
        `SELECT ${FILE_STATE_COLUMNS} FROM assets WHERE project_id = ? AND path = ?`,
      ),
      fileStatesWithHash: db.prepare<[string, string], FileState>(
        `SELECT ${FILE_STATE_COLUMNS} FROM assets
         WHERE project_id = ? AND hash = ? ORDER BY rowid`,
      ),
      fileStatesWithInode: db.prepare<[string, number], FileState>(
        `SELECT ${FILE_STATE_COLUMNS} FROM assets WHERE project_id = ? AND file_ino = ? ORDER BY rowid`,
      ),
      sidecarLanded: db.prepare<[number, number, string, string]>(
        `UPDATE assets SET sidecar_mtime_ms = ?, sidecar_due = CASE WHEN ? THEN 0 ELSE sidecar_due END
         WHERE project_id = ? AND uid = ?`,
      ),
      setFileStamp: db.prepare<[number, number | null, number | null, string, string]>(
        'UPDATE assets SET file_mtime_ms = ?, file_ino = ?, file_dev = ? WHERE project_id = ? AND uid = ?',
      ),
      // Only while the row still describes the file that was stat'ed (and has no inode yet).
      recordInode: db.prepare<[number, number | null, string, string, number, number]>(
        `UPDATE assets SET file_ino = ?, file_dev = ?
         WHERE project_id = ? AND uid = ? AND file_ino IS NULL AND bytes = ? AND file_mtime_ms = ?`,
      ),
      donePreviews: db.prepare<[string], { uid: string; path: string; hash: string }>(
        `SELECT a.uid, a.path, a.hash FROM preview_jobs j
         JOIN assets a ON a.project_id = j.project_id AND a.uid = j.uid
         WHERE j.project_id = ? AND j.status = 'done'`,
      ),
      // By the extensions of models first, on the (project, type, path) index: the live folder
      // asks after each batch, and every other asset's metadata parsed as JSON each time took
      // ~180 ms at 100,000 pictures (~80 ms joined from the done previews with the extensions
      // first; ~37 ms so).
      modelsMissingFiles: db.prepare<[string], { uid: string; hash: string; path: string; missing: string }>(
        `SELECT a.uid, a.hash, a.path, json_extract(a.meta, '$.preview.missing') AS missing
         FROM assets a INDEXED BY assets_type_path
         WHERE a.project_id = ?
           AND (${MODEL_PATH_SQL})
           AND CASE WHEN json_valid(a.meta) AND json_extract(a.meta, '$.preview.kind') = 'model'
             THEN json_array_length(a.meta, '$.preview.missing') END > 0
           AND EXISTS (SELECT 1 FROM preview_jobs j
                       WHERE j.project_id = a.project_id AND j.uid = a.uid AND j.status = 'done')`,
      ),
      // Every model whose facts name files (as they name them), with those it found missing.
      modelsNamingFiles: db.prepare<
        [string],
        { uid: string; path: string; resources: string; missing: string }
      >(
        `SELECT a.uid, a.path, json_extract(a.meta, '$.preview.resources') AS resources,
                coalesce(json_extract(a.meta, '$.preview.missing'), '[]') AS missing
         FROM assets a INDEXED BY assets_type_path
         WHERE a.project_id = ?
           AND (${MODEL_PATH_SQL})
           AND CASE WHEN json_valid(a.meta) AND json_extract(a.meta, '$.preview.kind') = 'model'
             THEN json_array_length(a.meta, '$.preview.resources') END > 0`,
      ),
      uidsBefore: db.prepare<[string, number, number], { uid: string }>(
        'SELECT uid FROM assets WHERE project_id = ? AND rowid < ? ORDER BY rowid DESC LIMIT ?',
      ),
      recordsBefore: db.prepare<[string, number, number], AssetRow & { row_id: number }>(
        `SELECT rowid AS row_id, ${ASSET_COLUMNS} FROM assets WHERE project_id = ? AND rowid < ?
         ORDER BY rowid DESC LIMIT ?`,
      ),
      otherProject: db.prepare<[string, string], { other: number }>(
        `SELECT EXISTS (SELECT 1 FROM assets WHERE project_id < ?)
           OR EXISTS (SELECT 1 FROM assets WHERE project_id > ?) AS other`,
      ),
      byRowids: db.prepare<[string], AssetRow>(
        `SELECT ${ASSET_COLUMNS} FROM assets WHERE rowid IN (SELECT value FROM json_each(?))`,
      ),
      // Every project that holds assets, and how many (the triggers' totals).
      projectCounts: db.prepare<[], { id: string; assets: number }>(
        `SELECT project_id AS id, n AS assets FROM asset_counts WHERE dim = '' AND value = '' AND n > 0
          ORDER BY project_id`,
      ),
      distinctTypes: db.prepare<[string], { type: string; n: number }>(
        `SELECT value AS type, n FROM asset_counts WHERE project_id = ? AND dim = 'type' AND n > 0 ORDER BY value`,
      ),
      counted: db.prepare<[string, string, string], { n: number }>(
        'SELECT n FROM asset_counts WHERE project_id = ? AND dim = ? AND value = ?',
      ),
      dataVersion: db.prepare<[], { v: number }>('SELECT data_version AS v FROM pragma_data_version'),
      // Starts the read snapshot; moves when any connection commits (or this one writes).
      version: db.prepare<[], { v: string }>(
        `SELECT (SELECT data_version FROM pragma_data_version) || ':' || total_changes() AS v`,
      ),
    };
  }

  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE: a concurrent process waits, never
   * interleaves), which also brings the trigram index up to date before it commits. Inside
   * another transaction, `fn` runs in a savepoint and the outermost one brings the index up.
   */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.db.transaction(fn)();
    return this.db
      .transaction(() => {
        const result = fn();
        this.flushSearchIndex();
        return result;
      })
      .immediate();
  }

  /** Runs a write in a transaction of its own unless one is open (see {@link transaction}). */
  private write<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.transaction(fn);
  }

  /**
   * Hands the rows the triggers noted (in `fts_pending`) to the trigram index: the texts it held
   * are deleted, the current ones added, all in two statements (see migration 6).
   */
  private flushSearchIndex(): void {
    if (!this.stmts.ftsPending.get()) return;
    this.stmts.ftsDeleteOld.run();
    this.stmts.ftsAddNew.run();
    // Read each time (a few hundred rows): what this connection noted may have been rolled back.
    noteSearchChars(this.db, this.stmts.pendingTexts.iterate(), new Set(searchChars(this.db)));
    this.stmts.ftsClearPending.run();
  }

  /**
   * Before a text search: rows noted but not yet in the trigram index (written by another program
   * through the triggers, or earlier in the caller's open transaction) are added first.
   */
  private searchIndexReady(): void {
    // A read-only connection leaves pending entries to the writer (a needle short enough to scan
    // rows does not use the index).
    if (!this.readOnly && this.stmts.ftsPending.get()) this.write(() => this.flushSearchIndex());
  }

  /**
   * Whether a search must test the text of every row it considers (~1-2.5 s at 1,000,000
   * assets): see {@link textMatch}; or pass over every entry of the project's hash index (a
   * duplicates filter, the first time after a change: ~0.35 s at 1,000,000), or every
   * fingerprint (similar pictures, likewise); or may test the media bounds, the folder or the
   * orientation on every row (when no index range serves them).
   */
  scansRows(query: SearchQuery): boolean {
    return (
      !!query.duplicates ||
      !!query.similar ||
      !!query.folder ||
      !!query.orientation ||
      query.transparent === false ||
      MEDIA_FACTS.some((fact) => bounded(query.bounds, fact)) ||
      (query.texts ?? []).some((text) => this.textMatch(text) === 'scan')
    );
  }

  /**
   * How a needle is matched: `phrase` (3+ characters, one quoted phrase of the trigram index),
   * `pairs` (2 characters, the trigrams that start or end with it, see search-chars.ts) or `scan`
   * (`instr()` on every row): 1 character; 2 when the texts hold too many different characters
   * or a NUL; any needle holding a NUL (FTS5's query syntax cannot).
   */
  private textMatch(text: string): 'phrase' | 'pairs' | 'scan' {
    if (text.includes('\0')) return 'scan';
    const length = [...text].length;
    if (length >= 3) return 'phrase';
    if (length < 2) return 'scan';
    const { n, nul } = this.stmts.searchCharCount.get() ?? { n: 0, nul: 0 };
    return n > 0 && n <= MAX_PAIR_CHARS && !nul ? 'pairs' : 'scan';
  }

  /**
   * Runs `fn`, a long series of write transactions (a rebuild), with the WAL checkpointed every
   * BULK_CHECKPOINT_PAGES instead of SQLite's 1,000, then checkpoints what is left (passively:
   * readers are not waited for). A rebuild's batch writes ~1,600 WAL pages, so at 1,000 every
   * commit also copied the WAL into the database and synced it, often the same index pages
   * again: a cold rebuild of 10,000 files took 0.3-0.9 s longer (wall, 3 alternated rounds).
   */
  async bulkWrites<T>(fn: () => Promise<T>): Promise<T> {
    if (this.bulkRuns++ === 0) {
      this.walAutocheckpoint = this.db.pragma('wal_autocheckpoint', { simple: true }) as number;
      this.db.pragma(`wal_autocheckpoint = ${BULK_CHECKPOINT_PAGES}`);
    }
    try {
      return await fn();
    } finally {
      if (--this.bulkRuns === 0 && this.db.open) {
        this.db.pragma(`wal_autocheckpoint = ${this.walAutocheckpoint}`);
        this.db.pragma('wal_checkpoint(PASSIVE)');
      }
    }
  }

  /** Runs `fn` in one read transaction: one snapshot, and one WAL read lock instead of one per statement. */
  read<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }

  /**
   * Moves when this connection writes what a sidecar shows (asset rows, provenance) or another
   * connection (a CLI command, a script) commits anything: a caller holding rows it committed
   * knows they are still current while this is unchanged.
   */
  get sidecarStateVersion(): string {
    return `${this.othersCommitted}:${this.sidecarWrites}`;
  }

  /** Moves when another connection (a CLI command, a script, another server) commits (`data_version`). */
  get othersCommitted(): number {
    return this.stmts.dataVersion.get()?.v ?? 0;
  }

  getByUid(projectId: string, uid: string): AssetRecord | undefined {
    const row = this.stmts.byUid.get(projectId, uid);
    return row && toRecord(row);
  }

  getByPath(projectId: string, relPath: string): AssetRecord | undefined {
    const row = this.stmts.byPath.get(projectId, relPath);
    return row && toRecord(row);
  }

  findByHash(projectId: string, hash: string): AssetRecord[] {
    return this.stmts.byHash.all(projectId, hash).map(toRecord);
  }

  /**
   * How many assets of the project hold each of these hashes (one seek each on the project's hash
   * index); a hash no asset holds is left out.
   */
  copiesByHash(projectId: string, hashes: readonly string[]): Map<string, number> {
    const rows = this.stmts.copiesByHash.all(projectId, JSON.stringify([...new Set(hashes)]));
    return new Map(rows.map((r) => [r.hash, r.copies]));
  }

  /** Every asset, in any project, stored at this path (a shared file must not be deleted). */
  pathUsers(relPath: string): Array<{ project_id: string; uid: string }> {
    return this.stmts.pathUsers.all(relPath);
  }

  private rowParams(record: AssetRecord, stamp: FileStamp | number | null) {
    const keys = filterKeys(record.meta);
    return {
      projectId: record.projectId,
      uid: record.uid,
      type: record.type,
      path: record.path,
      hash: record.hash,
      bytes: record.bytes,
      meta: JSON.stringify(record.meta),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      thumb: record.thumb,
      tagsNorm: JSON.stringify(keys.tags),
      licenseNorm: keys.license,
      searchText: searchText(record.uid, record.path, record.meta),
      ...mediaFacts(record.meta),
      ...stampParams(stamp),
    };
  }

  /** Inserts a row; `stamp` is the file's stat as read (see {@link FileStamp}). */
  insert(record: AssetRecord, stamp: FileStamp | number | null = null): void {
    this.sidecarWrites++;
    this.write(() => this.stmts.insert.run(this.rowParams(record, stamp)));
  }

  /** Updates a row; without `stamp` the recorded file stamp is kept, with one it is replaced. */
  update(record: AssetRecord, stamp: FileStamp | number | null = null): void {
    this.sidecarWrites++;
    this.write(() => this.stmts.update.run(this.rowParams(record, stamp)));
  }

  /** Updates a row's metadata (and what is derived from it) only: its file and path are as stored. */
  updateMeta(record: AssetRecord): void {
    this.sidecarWrites++;
    const { projectId, uid, meta, updatedAt, tagsNorm, licenseNorm, searchText, width, height, duration } =
      this.rowParams(record, null);
    this.write(() => {
      this.stmts.updateMeta.run({ projectId, uid, meta, updatedAt, tagsNorm, licenseNorm, searchText });
      this.stmts.updateMedia.run({ projectId, uid, width, height, duration });
    });
  }

  delete(projectId: string, uid: string): boolean {
    this.sidecarWrites++;
    return this.write(() => {
      const removed = this.stmts.delete.run(projectId, uid).changes > 0;
      if (removed) {
        this.stmts.deleteProvenance.run(projectId, uid);
        this.stmts.deleteJob.run(projectId, uid);
      }
      return removed;
    });
  }

  // ------------------------------------------------------------ preview jobs

  /** Queues (or re-queues, for new content) the preview of an asset. */
  queuePreview(projectId: string, uid: string, hash: string): void {
    this.stmts.upsertJob.run(projectId, uid, hash, utcNow());
  }

  /** Atomically takes up to `limit` queued jobs for `owner` (safe across processes). */
  claimPreviews(owner: string, limit: number): PreviewJob[] {
    return this.transaction(() => this.stmts.claimJobs.all(owner, utcNow(), limit));
  }

  /** Records the outcome; false when the job was re-queued for newer content meanwhile. */
  finishPreview(job: PreviewJob, status: 'done' | 'failed', error: string | null): boolean {
    return this.stmts.finishJob.run(status, error, utcNow(), job.project_id, job.uid, job.hash).changes > 0;
  }

  previewJob(projectId: string, uid: string): PreviewJob | undefined {
    return this.stmts.job.get(projectId, uid);
  }

  runningPreviews(): PreviewJob[] {
    return this.stmts.runningJobs.all();
  }

  requeuePreview(job: PreviewJob): void {
    this.stmts.requeueJob.run(utcNow(), job.project_id, job.uid, job.owner ?? '');
  }

  previewCounts(): Record<PreviewStatus, number> {
    const counts: Record<PreviewStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const row of this.stmts.jobCounts.all()) counts[row.status] = row.n;
    return counts;
  }

  /**
   * Pictures previewed before fingerprints or colours existed, still to get them from their
   * thumbnails (the preview queue does, in the background: see `unfingerprintedPictures`).
   */
  picturesToRead(): number {
    return this.stmts.unfingerprintedCount.get() ?? 0;
  }

  /** The latest failed previews, newest first: of one project, or of all. */
  failedPreviews(limit: number, projectId: string | null = null): FailedPreview[] {
    return this.stmts.failedJobs.all({ project: projectId, limit });
  }

  failedPreviewCount(projectId: string): number {
    return this.stmts.failedJobCount.get(projectId) ?? 0;
  }

  /**
   * Assets with no preview job for their current content whose path ends in one of
   * `extensions` (each a dot and one word; compared ignoring ASCII case), in row-id order, `limit` at a
   * time after row id `afterRowid`: a caller pages through instead of holding every asset.
   */
  assetsWithoutPreviewJob(
    extensions: readonly string[],
    afterRowid = 0,
    limit = 1000,
  ): Array<{ rowid: number; project_id: string; uid: string; hash: string; path: string }> {
    if (!extensions.length) return [];
    // The path's text after its last dot (rtrim strips every character but dots from the end),
    // looked up in the list: one expression a row instead of one LIKE per extension (40 of
    // them: 100,000 assets of other kinds took ~0.2 s, now ~0.07 s; every rebuild asks).
    const names = extensions.map((ext) => ext.slice(1));
    return this.db
      .prepare<
        Array<string | number>,
        { rowid: number; project_id: string; uid: string; hash: string; path: string }
      >(
        `SELECT a.rowid, a.project_id, a.uid, a.hash, a.path FROM assets a
         LEFT JOIN preview_jobs j ON j.project_id = a.project_id AND j.uid = a.uid
         WHERE a.rowid > ?
           AND lower(replace(a.path, rtrim(a.path, replace(a.path, '.', '')), '')) IN (${names.map(() => '?').join(', ')})
           AND (j.uid IS NULL OR j.hash != a.hash)
         ORDER BY a.rowid LIMIT ?`,
      )
      .all(afterRowid, ...names, limit);
  }

  /**
   * Filters combine with AND; `total` is the exact count. Reads one snapshot (a read
   * transaction), so the count and the page agree. Plan (see bench/search-scale.ts):
   * - The tag and trigram filters are answered on their own structures (`asset_tags`,
   *   `assets_fts`) and intersected there; the asset rows are only visited for the column
   *   filters (type, licence, hash, short text) and for the page itself.
   * - When every row belongs to the queried project (two index seeks tell), the project test is
   *   dropped: it would otherwise cost one row visit per candidate.
   * - The page is chosen by row id first (by the trigram or tag index in row-id order, so the
   *   newest matches come without reading the others), then only those rows are read.
   */
  search(query: SearchQuery): { total: number; records: AssetRecord[] } {
    if (query.texts?.length) this.searchIndexReady();
    const nested = this.db.inTransaction;
    return this.db.transaction(() => {
      const { total, ids } = this.searchRowids(query, true, nested);
      if (!ids.length) return { total, records: [] };
      const rows = new Map(this.stmts.byRowids.all(JSON.stringify(ids)).map((row) => [row.rowid, row]));
      const records = ids.flatMap((id) => {
        const row = rows.get(id);
        return row ? [toRecord(row)] : [];
      });
      return { total, records };
    })();
  }

  /** Every uid matching a search, in its order, up to `max` (the offset is ignored). */
  searchIds(query: SearchQuery, max: number): string[] {
    if (query.texts?.length) this.searchIndexReady();
    const nested = this.db.inTransaction;
    return this.db.transaction(() => {
      const { ids } = this.searchRowids({ ...query, limit: max, offset: 0 }, false, nested);
      const uids = new Map(
        this.db
          .prepare<[string], { rowid: number; uid: string }>(
            'SELECT rowid, uid FROM assets WHERE rowid IN (SELECT value FROM json_each(?))',
          )
          .all(JSON.stringify(ids))
          .map((r) => [r.rowid, r.uid]),
      );
      return ids.flatMap((id) => uids.get(id) ?? []);
    })();
  }

  /** The exact count (unless `withTotal` is false) and the row ids of one page, in order. */
  private searchRowids(
    query: SearchQuery,
    withTotal: boolean,
    nested: boolean,
  ): { total: number; ids: number[] } {
    // The first read of the transaction fixes the snapshot; its version keys the caches. Inside
    // a caller's transaction the version cannot be trusted (its writes may yet be rolled back,
    // leaving total_changes() moved on), so the caches start empty and are never reused.
    const version = this.stmts.version.get()?.v ?? '';
    this.searchCache.sync(nested ? `nested:${++this.nestedSearches}` : version);
    const fact = unmeasuredLast(query);
    if (!fact) return this.rowidsOf(query, withTotal);
    // Smallest first means the assets that have the fact, smallest first, then those without
    // it (not the sounds and scripts first, their width being 0): two ranges of the fact's
    // index, one after the other. The first's count is the query's less the second's, which
    // are cheap (a counter; index streams, no row read) where counting the first is not.
    const offset = query.offset ?? 0;
    const total = this.searchTotal(query, this.searchPlan(query));
    const rest: SearchQuery = { ...query, unmeasured: fact };
    const restPlan = this.searchPlan(rest);
    const before = total - this.searchTotal(rest, restPlan);
    const ids: number[] = [];
    if (offset < before) {
      const measured: SearchQuery = { ...query, bounds: { ...query.bounds, [`min_${fact}`]: 0 } };
      ids.push(...this.pageIds(measured, this.searchPlan(measured), () => before));
    }
    if (ids.length < query.limit) {
      const page = { ...rest, offset: Math.max(0, offset - before), limit: query.limit - ids.length };
      ids.push(...this.pageIds(page, restPlan, () => total - before));
    }
    return { total: withTotal ? total : 0, ids };
  }

  /** One query's count and page, as its plan finds them. */
  private rowidsOf(query: SearchQuery, withTotal: boolean): { total: number; ids: number[] } {
    const plan = this.searchPlan(query);
    let total: number | undefined;
    const totalOf = (): number => (total ??= this.searchTotal(query, plan));
    const ids = this.pageIds(query, plan, totalOf);
    return { total: withTotal ? totalOf() : 0, ids };
  }

  /**
   * Every filter an index answers in row-id order is a stream of row ids: a column filter (the
   * (project_id, column) indexes end in the row id), each tag (asset_tags' key) and the text
   * (the trigram index). The streams are merged like posting lists (INTERSECT); the asset rows
   * are only visited for row tests (short text; the project when no stream carries it) and for
   * the page itself.
   */
  private searchPlan(query: SearchQuery): SearchPlan {
    const columns: Array<[string, Param | null]> = [];
    if (query.type !== undefined) columns.push(['type', query.type]);
    if (query.license !== undefined) columns.push(['license_norm', query.license]);
    if (query.unlicensed) columns.push(['license_norm', null]);
    if (query.hash !== undefined) columns.push(['hash', query.hash]);
    if (query.unmeasured) columns.push([query.unmeasured, 0]);
    const streams: Stream[] = columns.map(([column, value]) => {
      const term = columnTerm(column, value);
      return {
        sql: `SELECT rowid AS id FROM assets WHERE project_id = ? AND ${term.sql}`,
        idColumn: 'rowid',
        params: [query.projectId, ...term.params],
      };
    });
    const seeks = seeksOf(query);
    const indexStreams: Stream[] = seeks.map(({ table, column, value }) => ({
      sql: `SELECT asset_rowid AS id FROM ${table} WHERE ${column} = ?`,
      idColumn: 'asset_rowid',
      params: [value],
    }));
    const rowTests: RowTest[] = [];
    let text = false;
    for (const needle of query.texts ?? []) {
      const match = this.textMatch(needle);
      if (match === 'scan') {
        rowTests.push({ sql: 'instr(a.search_text, ?) > 0', params: [needle] });
        continue;
      }
      text = true;
      indexStreams.push({
        sql: 'SELECT rowid AS id FROM assets_fts WHERE assets_fts MATCH ?',
        idColumn: 'rowid',
        params: [
          match === 'phrase' ? `"${needle.replace(/"/g, '""')}"` : pairQuery(needle, searchChars(this.db)),
        ],
      });
    }
    if (query.duplicates) indexStreams.push(this.duplicateStream(query.projectId, query.duplicates));
    if (query.similar) indexStreams.push(this.similarStream(query.projectId, query.similar));
    // Skip the project test when every row belongs to the project (two index seeks tell): it
    // would cost one row visit per candidate.
    const projectTest =
      !columns.length &&
      !query.duplicates &&
      !query.similar &&
      !!this.stmts.otherProject.get(query.projectId, query.projectId)?.other;
    return {
      columns,
      seeks,
      text,
      rowidList: !!query.duplicates || !!query.similar,
      streams: [...streams, ...indexStreams],
      indexStreams: indexStreams.length,
      rowTests: [
        ...rowTests,
        ...MEDIA_FACTS.flatMap((fact) => factTests(query.bounds, fact)),
        ...(query.folder ? [folderTest(query.folder)] : []),
        ...(query.orientation ? [{ sql: ORIENTATION_TESTS[query.orientation], params: [] }] : []),
        ...colorTests(query),
      ],
      ranges: rangesOf(query),
      projectTest,
    };
  }

  /** The duplicates filter as a stream: its row ids, found once per data version. It carries the project. */
  private duplicateStream(projectId: string, filter: DuplicateFilter): Stream {
    return this.rowidListStream([projectId, filter], () =>
      filter === 'similar'
        ? this.pictureIndex(projectId).lookalikes()
        : this.db
            .prepare<[string, string], number>(duplicateRowidsSql(filter))
            .pluck()
            .all(projectId, projectId),
    );
  }

  /** The similar-pictures filter as a stream of the matching row ids. It carries the project. */
  private similarStream(projectId: string, similar: { dhash: string; maxDistance: number }): Stream {
    return this.rowidListStream([projectId, similar], () =>
      this.pictureIndex(projectId)
        .near(similar.dhash, similar.maxDistance)
        .map((m) => m.id)
        .sort((a, b) => a - b),
    );
  }

  /** Row ids (ascending) computed once per data version, as a stream read by `json_each`. */
  private rowidListStream(key: unknown[], compute: () => number[]): Stream {
    const ids = this.searchCache.rowidList(JSON.stringify(key), compute);
    return { sql: 'SELECT value AS id FROM json_each(?) WHERE 1', idColumn: 'value', params: [ids] };
  }

  /**
   * The exact number of matches. One filter (or none) is a row of the counter table. Several
   * filters or a text need a merge of their streams, whose result is cached until the data
   * changes: the gallery asks the same filter's total for every page it scrolls.
   */
  private searchTotal(query: SearchQuery, plan: SearchPlan): number {
    const dims: Array<[string, string]> = [
      ...(query.type !== undefined ? [['type', query.type] as [string, string]] : []),
      ...(query.license !== undefined ? [['license', query.license] as [string, string]] : []),
      ...(query.tags ?? []).map((tag): [string, string] => ['tag', tag]),
      ...(query.colors ?? []).map((name): [string, string] => ['color', name]),
      ...(query.transparent ? [['color', 'transparent'] as [string, string]] : []),
    ];
    // No licence is no row of the counter table: counted below (by the licence index).
    if (
      query.hash === undefined &&
      !query.texts?.length &&
      !query.duplicates &&
      !query.similar &&
      !query.unmeasured &&
      !query.unlicensed &&
      !plan.rowTests.length &&
      dims.length <= 1
    ) {
      const [dim, value] = dims[0] ?? ['', ''];
      return this.stmts.counted.get(query.projectId, dim, value)?.n ?? 0;
    }
    const key = filterKey(query);
    const cached = this.searchCache.total(key);
    if (cached !== undefined) return cached;

    const tests = [...plan.rowTests];
    // Bounds or a folder with at most one column filter: plain terms, so that SQLite counts a
    // range of the index that has them all ((project_id, type, path) for a type in a folder:
    // 18,877 entries, where the type's stream joined to the rows read 400,000 rows, 1.7 s).
    const ranged = !plan.indexStreams && plan.columns.length <= 1 && plan.ranges.length > 0;
    if (ranged) {
      tests.unshift(
        { sql: 'a.project_id = ?', params: [query.projectId] },
        ...plan.columns.map(([column, value]) => columnTerm(`a.${column}`, value)),
      );
      // With a column filter too, SQLite takes the column's index (an equality) over the range's
      // whatever their sizes: a small range is read through its own index instead (sounds of a
      // second or less without a licence: 2,500 entries instead of 400,000 rows).
      const range = plan.columns.length ? plan.ranges[0] : undefined;
      const from =
        range && this.smallRange(query.projectId, range) ? `assets a INDEXED BY ${range.index}` : 'assets a';
      const total = this.countOf(
        `SELECT count(*) AS n FROM ${from} WHERE ${tests.map((t) => t.sql).join(' AND ')}`,
        tests.flatMap((t) => t.params),
      );
      this.searchCache.setTotal(key, total);
      return total;
    }
    if (plan.projectTest) tests.unshift({ sql: 'a.project_id = ?', params: [query.projectId] });
    const rowTests = tests.map((t) => t.sql);
    const rowParams = tests.flatMap((t) => t.params);
    const rowWhere = rowTests.length ? ` WHERE ${rowTests.join(' AND ')}` : '';
    const merged = mergeStreams(plan.streams);
    let total: number;
    if (!plan.streams.length) {
      // Without a WHERE, SQLite counts cells page by page instead of decoding every entry.
      total = this.countOf(`SELECT count(*) AS n FROM assets a${rowWhere}`, rowParams);
    } else if (!rowTests.length) {
      total = this.countOf(`SELECT count(*) AS n FROM (${merged.sql})`, merged.params);
    } else {
      total = this.countOf(
        `SELECT count(*) AS n FROM (${merged.sql}) s CROSS JOIN assets a ON a.rowid = s.id${rowWhere}`,
        [...merged.params, ...rowParams],
      );
    }
    this.searchCache.setTotal(key, total);
    return total;
  }

  /**
   * The row ids of the page. An offset of ANCHOR_STEP or more seeks from the nearest cached
   * anchor (the sort key just before a multiple of ANCHOR_STEP) and walks only the rest; the
   * anchors up to it are found on the way, one step at a time, and kept until the data changes.
   */
  private pageIds(query: SearchQuery, plan: SearchPlan, totalOf: () => number): number[] {
    const sort = query.sort ?? 'created';
    const desc = (query.order ?? 'desc') !== 'asc';
    const offset = query.offset ?? 0;
    // Filtered and sorted by a column no filter index gives: either every match is read and
    // sorted, or the sort column's index is walked in order, each entry tested, until the page
    // is full. Walking costs ~(offset + limit) / selectivity tests, sorting ~matches row reads.
    const columnsKey = `${plan.columns.map(([column]) => column).join('+')}|${sort}`;
    // A bound on the sort's own column is no obstacle: it is where the walk starts (or ends).
    const sortBounds = new Set(
      plan.ranges.filter((r) => r.order === sort).flatMap((r) => r.tests.map((t) => t.sql)),
    );
    const walkable =
      sort !== 'created' &&
      !plan.text &&
      !plan.rowidList &&
      plan.rowTests.every((test) => sortBounds.has(test.sql)) &&
      (plan.columns.length > 0 || plan.seeks.length > 0) &&
      // Column filters alone may have an index that gives the order already (type by path).
      !(plan.seeks.length === 0 && ORDER_INDEXES[columnsKey]);
    const all = (): number => this.stmts.counted.get(query.projectId, '', '')?.n ?? 0;
    let walk = false;
    if (walkable) {
      const matches = totalOf();
      walk = (offset + query.limit) * all() < matches * matches;
    }
    // A bound on an indexed fact (width, duration) or a folder, in another order: the same
    // choice between walking the order's index, testing each row, and reading the range of the
    // bound's (or the path's) index then sorting it (few matches: 1,000 pictures of 3,840 px, or
    // one pack's folder, among 1,000,000 assets).
    const candidate = plan.ranges.find((r) => r.order !== sort);
    let range: string | undefined;
    if (candidate && !plan.indexStreams) {
      const matches = totalOf();
      if ((offset + query.limit) * all() >= matches * matches) range = candidate.index;
    }
    const pageOf = this.pageQuery(query, plan, sort, desc, walk, range);
    const step = this.anchorStep;
    if (offset < step) {
      const { sql, params } = pageOf(undefined);
      return this.idsOf(`${sql} LIMIT ? OFFSET ?`, [...params, query.limit, offset]);
    }
    const anchors = this.searchCache.anchors(JSON.stringify([filterKey(query), sort, desc]));
    const target = offset - (offset % step);
    // The nearest anchor at or before the target (the walk starts there; from 0 with none).
    let pos = 0;
    for (const anchored of anchors.keys()) if (anchored <= target && anchored > pos) pos = anchored;
    const hops = new Map<boolean, Database.Statement<Param[], PageRow>>();
    while (pos < target) {
      const from = anchors.get(pos);
      let hop = hops.get(!!from);
      if (!hop) {
        hop = this.db.prepare<Param[], PageRow>(`${pageOf(from).sql} LIMIT 1 OFFSET ?`);
        hops.set(!!from, hop);
      }
      const row = hop.get(...pageOf(from).params, step - 1);
      // Fewer matches than the offset: the page is empty.
      if (!row) return [];
      pos += step;
      anchors.set(pos, { k: row.k ?? row.id, id: row.id });
    }
    const { sql, params } = pageOf(anchors.get(pos));
    return this.idsOf(`${sql} LIMIT ? OFFSET ?`, [...params, query.limit, offset - pos]);
  }

  /**
   * The page query in its order, without LIMIT/OFFSET, starting after `from` when given. Newest
   * first over index streams runs the merge itself backwards (it stops after the page);
   * otherwise rows are chosen by their columns, which the indexes serve in order for the common
   * cases: (project_id) for no filter, (project_id, column, rowid) for a sort column, and
   * (project_id, type, path) for a type sorted by path.
   */
  private pageQuery(
    query: SearchQuery,
    plan: SearchPlan,
    sort: SortField,
    desc: boolean,
    walk: boolean,
    /** The index whose range of a bound gives the rows (then sorted), instead of the order's. */
    range?: string,
  ): (from: SortKey | undefined) => { sql: string; params: Param[] } {
    const dir = desc ? 'DESC' : 'ASC';
    const op = desc ? '<' : '>';
    if (sort === 'created' && plan.streams.length && !plan.rowTests.length && !plan.projectTest) {
      return (from) => {
        const merged = mergeStreams(plan.streams, from && { op, id: from.id });
        return { sql: `${merged.sql} ORDER BY id ${dir}`, params: merged.params };
      };
    }
    const where: string[] = [];
    const params: Param[] = [];
    let from = 'assets a';
    if (walk) {
      // The sort column's index in order; column filters tested on the row, each tag or colour
      // by one seek in its table (keyed (tag, asset_rowid), (color, asset_rowid)).
      from = `assets a INDEXED BY ${ORDER_INDEXES[`|${sort}`]}`;
      where.push('a.project_id = ?');
      params.push(query.projectId);
      for (const [column, value] of plan.columns) {
        const term = columnTerm(`a.${column}`, value);
        where.push(term.sql);
        params.push(...term.params);
      }
      for (const { table, column, value } of plan.seeks) {
        where.push(`EXISTS (SELECT 1 FROM ${table} t WHERE t.${column} = ? AND t.asset_rowid = a.rowid)`);
        params.push(value);
      }
    } else if (plan.indexStreams) {
      const merged = mergeStreams(plan.streams);
      where.push(`a.rowid IN (${merged.sql})`);
      params.push(...merged.params);
      if (plan.projectTest) {
        where.push('a.project_id = ?');
        params.push(query.projectId);
      }
    } else {
      // Column filters (or none) as plain terms, on the index that gives the order when one does
      // (named: the planner otherwise prefers a covering index plus a sort of every row).
      where.push('a.project_id = ?');
      params.push(query.projectId);
      for (const [column, value] of plan.columns) {
        const term = columnTerm(`a.${column}`, value);
        where.push(term.sql);
        params.push(...term.params);
      }
      const index = range ?? ORDER_INDEXES[`${plan.columns.map(([column]) => column).join('+')}|${sort}`];
      if (index) from = `assets a INDEXED BY ${index}`;
    }
    for (const test of plan.rowTests) {
      where.push(test.sql);
      params.push(...test.params);
    }
    // A sort column a filter holds to one value (the width 0 of an ascending sort's rest, a type
    // sorted by type) orders by row id alone: a keyset on (column, rowid) after an equality on the
    // column is no range SQLite seeks, so each deep hop read the range again from its start.
    const fixed = plan.columns.some(([filtered]) => filtered === SORT_COLUMNS[sort]);
    const column = fixed ? 'rowid' : SORT_COLUMNS[sort];
    const key = column === 'rowid' ? 'a.rowid' : `a.${column}`;
    const order = column === 'rowid' ? `a.rowid ${dir}` : `a.${column} ${dir}, a.rowid ${dir}`;
    const base = `SELECT a.rowid AS id, ${key} AS k FROM ${from} WHERE ${where.join(' AND ')}`;
    return (after) => {
      if (!after) return { sql: `${base} ORDER BY ${order}`, params };
      if (column === 'rowid')
        return { sql: `${base} AND a.rowid ${op} ? ORDER BY ${order}`, params: [...params, after.id] };
      return {
        sql: `${base} AND (a.${column}, a.rowid) ${op} (?, ?) ORDER BY ${order}`,
        params: [...params, after.k, after.id],
      };
    };
  }

  /** Whether a range of an index holds fewer than RANGE_PROBE entries of the project (counted up to that). */
  private smallRange(projectId: string, range: IndexRange): boolean {
    const tests = [{ sql: 'a.project_id = ?', params: [projectId] }, ...range.tests];
    const n = this.countOf(
      `SELECT count(*) AS n FROM (SELECT 1 FROM assets a INDEXED BY ${range.index}
         WHERE ${tests.map((t) => t.sql).join(' AND ')} LIMIT ${RANGE_PROBE})`,
      tests.flatMap((t) => t.params),
    );
    return n < RANGE_PROBE;
  }

  private countOf(sql: string, params: Param[]): number {
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  private idsOf(sql: string, params: Param[]): number[] {
    return (this.db.prepare(sql).all(...params) as PageRow[]).map((r) => r.id);
  }

  // ---------------------------------------------------------------- picture fingerprints

  /** Sets (or clears, with null) a fingerprint, if the asset still holds the content it was taken from. */
  /**
   * A picture's fingerprint and colours, while its bytes are `hash`: null for not known yet (a
   * failed preview); '' and 'none' for none to find (see migration 14).
   */
  setPictureFacts(
    projectId: string,
    uid: string,
    hash: string,
    facts: { dhash: string | null; colors: PictureColors | 'none' | null },
  ): void {
    const { dhash, colors } = facts;
    const mask = colors === null ? null : colors === 'none' ? -1 : colorMask(colors);
    const palette = colors === null || colors === 'none' ? null : JSON.stringify(colors);
    this.write(() => this.stmts.setPictureFacts.run(dhash, mask, palette, projectId, uid, hash));
  }

  /**
   * An asset's fingerprint: null before one is taken (or when it is no picture), '' when its
   * thumbnail could not give one (see the preview queue).
   */
  pictureHash(projectId: string, uid: string): string | null {
    return this.stmts.pictureHash.get(projectId, uid)?.dhash ?? null;
  }

  /**
   * The project's fingerprinted pictures, read through the fingerprints' own index (~100 ms for
   * 400,000 pictures, 10 ms for 40,000) once per state of the fingerprints: kept until one of the
   * project's changes (its epoch, migration 13), whatever else is written meanwhile.
   */
  pictureIndex(projectId: string): PictureIndex {
    const version = `${projectId}:${this.stmts.pictureEpoch.get(projectId) ?? 0}`;
    if (this.pictureCache?.version === version) return this.pictureCache.index;
    const index = PictureIndex.fromPacked(this.stmts.pictureHashes.get(projectId) ?? '');
    // Inside a caller's transaction its writes may yet be rolled back: use, do not keep.
    if (!this.db.inTransaction) this.pictureCache = { version, index };
    return index;
  }

  /** Pictures previewed before fingerprints existed, `limit` at a time after (project, uid) `after`. */
  unfingerprintedPictures(
    after: { projectId: string; uid: string } | undefined,
    limit: number,
  ): Array<{ project_id: string; uid: string; hash: string; path: string; dhash: string | null }> {
    return this.stmts.unfingerprinted.all(after?.projectId ?? '', after?.uid ?? '', limit);
  }

  /** The uids of these row ids (rows gone meanwhile are left out). */
  uidsOfRows(ids: readonly number[]): Map<number, string> {
    const uids = new Map<number, string>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = this.db
        .prepare<number[], { id: number; uid: string }>(
          `SELECT rowid AS id, uid FROM assets WHERE rowid IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(...chunk);
      for (const row of rows) uids.set(row.id, row.uid);
    }
    return uids;
  }

  /** The records of these uids, in the order given; unknown ones are left out. */
  getMany(projectId: string, uids: readonly string[]): AssetRecord[] {
    const found = new Map<string, AssetRecord>();
    // In chunks, under SQLite's limit on bound parameters.
    for (let i = 0; i < uids.length; i += 500) {
      const chunk = uids.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT ${ASSET_COLUMNS} FROM assets WHERE project_id = ? AND uid IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(projectId, ...chunk) as AssetRow[];
      for (const row of rows) found.set(row.uid, toRecord(row));
    }
    return uids.flatMap((uid) => found.get(uid) ?? []);
  }

  /**
   * The folders right below `parent` ('' for the top) that hold assets, in path order, up to
   * `max`: a skip scan of the path index, one seek per folder, each jumping over the folder's
   * whole subtree (the files lying in `parent` itself are passed over inside SQLite). No counts:
   * those would read every entry below. At 1,000,000 assets: ~2 ms, 5 ms for a folder of 18,877
   * files.
   */
  subfolders(projectId: string, parent: string, max: number): { folders: string[]; truncated: boolean } {
    const prefix = parent ? `${parent}/` : '';
    // The end of `parent`'s range ('0' follows '/'); the top's is past any path.
    const end = parent ? `${parent}0` : '\u{10FFFF}';
    const folders: string[] = [];
    for (let from = prefix; ;) {
      const next = this.stmts.nextFolderPath.get(projectId, from, end, prefix.length + 1);
      // By name ("audio" before "audio-x", which the index puts first: '-' sorts before '/').
      if (next === undefined) return { folders: folders.sort(), truncated: false };
      if (folders.length === max) return { folders: folders.sort(), truncated: true };
      const folder = next.slice(0, next.indexOf('/', prefix.length));
      folders.push(folder);
      from = `${folder}0`; // past everything under `folder/`
    }
  }

  /**
   * How many assets each folder holds (itself and below), counted up to `cap + 1` (which says
   * "more than `cap`"): each count reads at most that many entries of the path index, so a list
   * of folders of a 1,000,000-asset registry costs milliseconds, not a pass over it.
   */
  folderCounts(projectId: string, folders: readonly string[], cap: number): Map<string, number> {
    // The folder's range: `folder/` up to `folder0` ('0' follows '/').
    return new Map(
      folders.map((f) => [f, this.stmts.folderCount.get(projectId, `${f}/`, `${f}0`, cap + 1) ?? 0]),
    );
  }

  /** Counts of types, tags (the `tagLimit` most used, sorted by name) and licences. */
  /**
   * Cached until the database changes (`data_version` moves when another connection commits,
   * `total_changes()` when this one does): the studio asks after every registry event, and at
   * 100k+ assets the counts take a noticeable time.
   */
  facets(projectId: string, tagLimit: number): Facets {
    // Inside a caller's transaction its writes may yet be rolled back: count, do not cache.
    if (this.db.inTransaction) return this.countFacets(projectId, tagLimit);
    const version = `${String(this.db.pragma('data_version', { simple: true }))}:${String(
      this.db.prepare('SELECT total_changes()').pluck().get(),
    )}:${projectId}:${tagLimit}`;
    if (this.facetCache?.version !== version) {
      // One read transaction: the counts of one snapshot.
      const facets = this.db.transaction(() => this.countFacets(projectId, tagLimit))();
      this.facetCache = { version, facets };
    }
    return structuredClone(this.facetCache.facets);
  }

  private countFacets(projectId: string, tagLimit: number): Facets {
    // Every count is a row of the counter table the triggers keep (no scan at any size).
    const counts = this.db.prepare<[string, string], FacetCount>(
      `SELECT value, n AS count FROM asset_counts WHERE project_id = ? AND dim = ? AND n > 0 ORDER BY value`,
    );
    const types = counts.all(projectId, 'type');
    const licenses = counts.all(projectId, 'license');
    // The spelling users typed, for display.
    const spelling = this.db.prepare<[string, string], { label: unknown }>(
      `SELECT json_extract(meta, '$.license') AS label FROM assets
       WHERE project_id = ? AND license_norm = ? LIMIT 1`,
    );
    for (const licence of licenses) {
      const label = spelling.get(projectId, licence.value)?.label;
      if (typeof label === 'string' && label.trim()) licence.label = label.trim();
    }
    const tags = this.db
      .prepare<[string, number], FacetCount>(
        `SELECT value, n AS count FROM asset_counts WHERE project_id = ? AND dim = 'tag' AND n > 0
         ORDER BY n DESC, value LIMIT ?`,
      )
      .all(projectId, tagLimit)
      .sort((a, b) => a.value.localeCompare(b.value));
    const total = this.stmts.counted.get(projectId, '', '')?.n ?? 0;
    // An asset has at most one licence: the rest have none.
    const unlicensed = total - licenses.reduce((sum, licence) => sum + licence.count, 0);
    const colorCount = (value: string): number => this.stmts.counted.get(projectId, 'color', value)?.n ?? 0;
    const colors = COLOR_NAMES.map((value) => ({ value, count: colorCount(value) }));
    return { total, types, tags, licenses, unlicensed, colors, transparent: colorCount('transparent') };
  }

  /**
   * A project's file states a page at a time, in row-id order: a caller may yield between pages
   * (each page is its own read; rows written meanwhile may or may not be in later pages).
   */
  *fileStatePages(projectId: string, pageSize = 5000): Generator<FileState[]> {
    const page = this.stmts.otherProject.get(projectId, projectId)?.other
      ? this.stmts.fileStatesAfterByProject
      : this.stmts.fileStatesAfter;
    let after = 0;
    for (;;) {
      const rows = page.all(projectId, after, pageSize);
      const last = rows[rows.length - 1];
      if (!last) return;
      yield rows.map(fileStateOfRow);
      if (rows.length < pageSize) return;
      after = last[0];
    }
  }

  /** The scan state of the asset at one path (a path-limited rebuild reads only what it needs). */
  fileStateAt(projectId: string, relPath: string): FileState | undefined {
    return this.stmts.fileStateAt.get(projectId, relPath);
  }

  fileStatesWithHash(projectId: string, hash: string): FileState[] {
    return this.stmts.fileStatesWithHash.all(projectId, hash);
  }

  /** Rows whose file had this inode when last read (a renamed file, for a path-limited rebuild). */
  fileStatesWithInode(projectId: string, ino: number): FileState[] {
    return this.stmts.fileStatesWithInode.all(projectId, ino);
  }

  /** Assets whose preview job is done (uid, path, hash only): the rebuild checks their files exist. */
  donePreviews(projectId: string): Array<{ uid: string; path: string; hash: string }> {
    return this.stmts.donePreviews.all(projectId);
  }

  /** The models whose facts found files they name missing, with those files (their URIs, as named). */
  modelsMissingFiles(
    projectId: string,
  ): Array<{ uid: string; hash: string; path: string; missing: string[] }> {
    return this.stmts.modelsMissingFiles
      .all(projectId)
      .map(({ missing, ...row }) => ({ ...row, missing: stringsIn(JSON.parse(missing)) }));
  }

  /** The models whose facts name files, with those files and the missing ones (their URIs, as named). */
  modelsNamingFiles(
    projectId: string,
  ): Array<{ uid: string; path: string; resources: string[]; missing: string[] }> {
    return this.stmts.modelsNamingFiles.all(projectId).map(({ resources, missing, ...row }) => ({
      ...row,
      resources: stringsIn(JSON.parse(resources)),
      missing: stringsIn(JSON.parse(missing)),
    }));
  }

  /**
   * A project's records, newest first, a page at a time: the `limit` before row `before` (start
   * with `Infinity`), and the `before` of the next page (undefined after the last).
   */
  recordsBefore(
    projectId: string,
    before: number,
    limit: number,
  ): { records: AssetRecord[]; next: number | undefined } {
    const rows = this.stmts.recordsBefore.all(projectId, Math.min(before, Number.MAX_SAFE_INTEGER), limit);
    return {
      records: rows.map(toRecord),
      next: rows.length === limit ? (rows[rows.length - 1] as { row_id: number }).row_id : undefined,
    };
  }

  /** The ids of the page {@link recordsBefore} would answer (no rows decoded). */
  uidsBefore(projectId: string, before: number, limit: number): string[] {
    return this.stmts.uidsBefore
      .all(projectId, Math.min(before, Number.MAX_SAFE_INTEGER), limit)
      .map((row) => row.uid);
  }

  /** How many assets a project has. */
  assetCount(projectId: string): number {
    return this.stmts.counted.get(projectId, '', '')?.n ?? 0;
  }

  /**
   * A sidecar write landed: its mtime as the registry wrote it (a rebuild compares the one on
   * disk with it). `current`: it was written from the row as it is now (no later write of it is
   * queued), so the row's sidecar is no longer due.
   */
  sidecarLanded(projectId: string, uid: string, mtimeMs: number, current: boolean): void {
    this.stmts.sidecarLanded.run(mtimeMs, current ? 1 : 0, projectId, uid);
  }

  setFileStamp(projectId: string, uid: string, stamp: FileStamp): void {
    this.stmts.setFileStamp.run(stamp.mtimeMs, stamp.ino, stamp.dev, projectId, uid);
  }

  /**
   * Records the inodes of rows from before they were kept (unchanged by size and mtime), in one
   * transaction; a row changed meanwhile (other size or mtime, or an inode already) is left alone.
   */
  recordInodes(
    projectId: string,
    files: ReadonlyArray<{ uid: string; bytes: number; stamp: FileStamp }>,
  ): void {
    if (!files.length) return;
    this.transaction(() => {
      for (const { uid, bytes, stamp } of files) {
        if (stamp.ino === null) continue;
        this.stmts.recordInode.run(stamp.ino, stamp.dev, projectId, uid, bytes, stamp.mtimeMs);
      }
    });
  }

  typeCounts(projectId: string): Array<{ type: string; n: number }> {
    return this.stmts.distinctTypes.all(projectId);
  }

  /** Every project that holds assets, and how many (from the counters the triggers keep). */
  projectCounts(): Array<{ id: string; assets: number }> {
    return this.stmts.projectCounts.all();
  }

  addProvenance(projectId: string, record: Omit<ProvenanceRecord, 'id'>): ProvenanceRecord {
    this.sidecarWrites++;
    const info = this.stmts.addProvenance.run({
      projectId,
      assetUid: record.asset_uid,
      source: record.source,
      workflowHash: record.workflow_hash,
      commitHash: record.commit_hash,
      inputs: JSON.stringify(record.inputs),
      c2pa: JSON.stringify(record.c2pa_like),
      userId: record.user_id,
      createdAt: record.created_at,
    });
    return { id: Number(info.lastInsertRowid), ...record };
  }

  listProvenance(projectId: string, uid: string): ProvenanceRecord[] {
    return this.stmts.listProvenance.all(projectId, uid).map((row) => ({
      id: row.id,
      asset_uid: row.asset_uid,
      source: row.source,
      workflow_hash: row.workflow_hash,
      commit_hash: row.commit_hash,
      inputs: storedObject(row.inputs_json),
      c2pa_like: storedObject(row.c2pa_like),
      user_id: row.user_id,
      created_at: row.created_at,
    }));
  }

  appendEvent(envelope: HookEnvelope, origin: string): number {
    const info = this.stmts.addEvent.run(
      envelope.ts,
      envelope.event,
      envelope.project_id,
      origin,
      JSON.stringify(envelope.data),
    );
    const seq = Number(info.lastInsertRowid);
    if (seq % 1000 === 0) this.stmts.pruneEvents.run(seq - EVENTS_KEPT);
    return seq;
  }

  eventsAfter(seq: number, limit = 500): StoredEvent[] {
    return this.stmts.eventsAfter.all(seq, limit);
  }

  lastEvents(limit: number): StoredEvent[] {
    return this.stmts.lastEvents.all(limit);
  }

  maxEventSeq(): number {
    return this.stmts.maxSeq.get()?.seq ?? 0;
  }

  close(): void {
    this.db.close();
  }
}

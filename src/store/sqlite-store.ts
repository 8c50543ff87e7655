/**
 * The registry database: one SQLite file (WAL, busy timeout) shared safely by the server and CLI
 * commands running at the same time. Every method is synchronous: better-sqlite3 statements take
 * microseconds, and a synchronous critical section is what makes check-then-insert atomic.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { filterKeys, searchText, type AssetRecord, type ProvenanceRecord } from '../domain/asset.js';
import type { JsonObject } from '../domain/json.js';
import type { HookEnvelope } from '../hooks/bus.js';
import { MIGRATIONS } from './migrations.js';

export type SortField = 'created' | 'type' | 'path' | 'bytes';
export type SortOrder = 'asc' | 'desc';

export interface FacetCount {
  value: string;
  count: number;
  /** How the value is spelled for display, when it differs from the matching key. */
  label?: string;
}

export interface Facets {
  total: number;
  types: FacetCount[];
  tags: FacetCount[];
  licenses: FacetCount[];
}

export interface SearchQuery {
  projectId: string;
  type?: string;
  /** Lowercase tags; an asset must carry all of them. */
  tags?: string[];
  /** Lowercase licence. */
  license?: string;
  hash?: string;
  /** Lowercase substring. */
  text?: string;
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
}

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

function parseJsonObject(text: string): JsonObject {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {};
  } catch {
    return { raw: text };
  }
}

function toRecord(row: AssetRow): AssetRecord {
  return {
    projectId: row.project_id,
    uid: row.uid,
    type: row.type,
    path: row.path,
    hash: row.hash,
    bytes: row.bytes,
    meta: parseJsonObject(row.meta),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    thumb: row.path_thumb,
    previewStatus: row.preview_status,
    previewError: row.preview_error,
  };
}

const SORT_COLUMNS: Record<SortField, string> = {
  created: 'rowid',
  type: 'type',
  path: 'path',
  bytes: 'bytes',
};

const EVENTS_KEPT = 10_000;

/** Every asset column plus its preview job's state. */
const ASSET_COLUMNS = `*,
  (SELECT status FROM preview_jobs j WHERE j.project_id = assets.project_id AND j.uid = assets.uid) AS preview_status,
  (SELECT error FROM preview_jobs j WHERE j.project_id = assets.project_id AND j.uid = assets.uid) AS preview_error`;

const FILE_STATE_COLUMNS = 'uid, path, hash, bytes, file_mtime_ms, file_ino, file_dev, sidecar_mtime_ms';

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

export class SqliteStore {
  readonly db: Database.Database;
  private facetCache: { version: string; facets: Facets } | undefined;
  private readonly stmts;

  constructor(readonly dbPath: string) {
    if (dbPath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });
    this.db = new Database(dbPath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
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
      pathUsers: db.prepare<[string], { project_id: string; uid: string }>(
        'SELECT project_id, uid FROM assets WHERE path = ?',
      ),
      insert: db.prepare(
        `INSERT INTO assets (project_id, uid, type, path, hash, bytes, meta, created_at, updated_at, path_thumb,
           tags_norm, license_norm, search_text, file_mtime_ms, file_ino, file_dev)
         VALUES (@projectId, @uid, @type, @path, @hash, @bytes, @meta, @createdAt, @updatedAt, @thumb,
           @tagsNorm, @licenseNorm, @searchText, @fileMtimeMs, @fileIno, @fileDev)`,
      ),
      update: db.prepare(
        `UPDATE assets SET type = @type, path = @path, hash = @hash, bytes = @bytes, meta = @meta,
           updated_at = @updatedAt, path_thumb = @thumb, tags_norm = @tagsNorm, license_norm = @licenseNorm,
           search_text = @searchText,
           file_mtime_ms = coalesce(@fileMtimeMs, file_mtime_ms),
           file_ino = CASE WHEN @fileMtimeMs IS NULL THEN file_ino ELSE @fileIno END,
           file_dev = CASE WHEN @fileMtimeMs IS NULL THEN file_dev ELSE @fileDev END
         WHERE project_id = @projectId AND uid = @uid`,
      ),
      delete: db.prepare<[string, string]>('DELETE FROM assets WHERE project_id = ? AND uid = ?'),
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
        'SELECT status, count(*) AS n FROM preview_jobs GROUP BY status',
      ),
      failedJobs: db.prepare<[number], PreviewJob>(
        `SELECT * FROM preview_jobs WHERE status = 'failed' ORDER BY updated_at DESC LIMIT ?`,
      ),
      assetsWithoutJob: db.prepare<[], { project_id: string; uid: string; hash: string; path: string }>(
        `SELECT a.project_id, a.uid, a.hash, a.path FROM assets a
         LEFT JOIN preview_jobs j ON j.project_id = a.project_id AND j.uid = a.uid
         WHERE j.uid IS NULL OR j.hash != a.hash`,
      ),
      fileStates: db.prepare<[string], FileState>(
        `SELECT ${FILE_STATE_COLUMNS} FROM assets WHERE project_id = ?`,
      ),
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
      setSidecarMtime: db.prepare<[number | null, string, string]>(
        'UPDATE assets SET sidecar_mtime_ms = ? WHERE project_id = ? AND uid = ?',
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
      allRecords: db.prepare<[string], AssetRow>(
        `SELECT ${ASSET_COLUMNS} FROM assets WHERE project_id = ? ORDER BY rowid DESC`,
      ),
      otherProject: db.prepare<[string, string], { other: number }>(
        `SELECT EXISTS (SELECT 1 FROM assets WHERE project_id < ?)
           OR EXISTS (SELECT 1 FROM assets WHERE project_id > ?) AS other`,
      ),
      byRowids: db.prepare<[string], AssetRow>(
        `SELECT ${ASSET_COLUMNS} FROM assets WHERE rowid IN (SELECT value FROM json_each(?))`,
      ),
      distinctTypes: db.prepare<[string], { type: string; n: number }>(
        'SELECT type, count(*) AS n FROM assets WHERE project_id = ? GROUP BY type ORDER BY type',
      ),
    };
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < MIGRATIONS.length; i++) {
      this.db
        .transaction(() => {
          this.db.exec(MIGRATIONS[i] as string);
          this.db.pragma(`user_version = ${i + 1}`);
        })
        .immediate();
    }
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE: a concurrent process waits, never interleaves). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
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
      ...stampParams(stamp),
    };
  }

  /** Inserts a row; `stamp` is the file's stat as read (see {@link FileStamp}). */
  insert(record: AssetRecord, stamp: FileStamp | number | null = null): void {
    this.stmts.insert.run(this.rowParams(record, stamp));
  }

  /** Updates a row; without `stamp` the recorded file stamp is kept, with one it is replaced. */
  update(record: AssetRecord, stamp: FileStamp | number | null = null): void {
    this.stmts.update.run(this.rowParams(record, stamp));
  }

  delete(projectId: string, uid: string): boolean {
    const removed = this.stmts.delete.run(projectId, uid).changes > 0;
    if (removed) {
      this.stmts.deleteProvenance.run(projectId, uid);
      this.stmts.deleteJob.run(projectId, uid);
    }
    return removed;
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

  failedPreviews(limit: number): PreviewJob[] {
    return this.stmts.failedJobs.all(limit);
  }

  /** Assets with no preview job for their current content. */
  assetsWithoutPreviewJob(): Array<{ project_id: string; uid: string; hash: string; path: string }> {
    return this.stmts.assetsWithoutJob.all();
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
    return this.db.transaction(() => {
      const { total, ids } = this.searchRowids(query);
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
    return this.db.transaction(() => {
      const { ids } = this.searchRowids({ ...query, limit: max, offset: 0 });
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

  /** The exact count and the row ids of one page, in order. */
  private searchRowids(query: SearchQuery): { total: number; ids: number[] } {
    // Every filter an index answers in row-id order is a stream of row ids: a column filter
    // (the (project_id, column) indexes end in the row id), each tag (asset_tags' key) and the
    // text (the trigram index). The streams are merged like posting lists (INTERSECT); the
    // asset rows are only visited for row tests (short text; the project when no stream
    // carries it) and for the page itself.
    const streams: string[] = [];
    const streamParams: Array<string | number> = [];
    const rowTests: string[] = [];
    const rowParams: Array<string | number> = [];
    const columns: Array<[string, string | undefined]> = [
      ['type', query.type],
      ['license_norm', query.license],
      ['hash', query.hash],
    ];
    for (const [column, value] of columns) {
      if (value === undefined) continue;
      streams.push(`SELECT rowid AS id FROM assets WHERE project_id = ? AND ${column} = ?`);
      streamParams.push(query.projectId, value);
    }
    const projectCarried = streams.length > 0;
    for (const tag of query.tags ?? []) {
      streams.push('SELECT asset_rowid AS id FROM asset_tags WHERE tag = ?');
      streamParams.push(tag);
    }
    if (query.text !== undefined && [...query.text].length >= 3) {
      // The trigram index answers any substring of 3+ characters; the needle is one quoted phrase.
      streams.push('SELECT rowid AS id FROM assets_fts WHERE assets_fts MATCH ?');
      streamParams.push(`"${query.text.replace(/"/g, '""')}"`);
    } else if (query.text) {
      rowTests.push('instr(a.search_text, ?) > 0');
      rowParams.push(query.text);
    }
    // Skip the project test when every row belongs to the project (two index seeks tell): it
    // would cost one row visit per candidate.
    if (!projectCarried && this.stmts.otherProject.get(query.projectId, query.projectId)?.other) {
      rowTests.unshift('a.project_id = ?');
      rowParams.unshift(query.projectId);
    }
    const merged = streams.join(' INTERSECT ');
    const rowWhere = rowTests.length ? ` WHERE ${rowTests.join(' AND ')}` : '';

    let total: number;
    if (!streams.length) {
      // Without a WHERE, SQLite counts cells page by page instead of decoding every entry.
      total = this.countOf(`SELECT count(*) AS n FROM assets a${rowWhere}`, rowParams);
    } else if (!rowTests.length) {
      total = this.countOf(`SELECT count(*) AS n FROM (${merged})`, streamParams);
    } else {
      total = this.countOf(
        `SELECT count(*) AS n FROM (${merged}) s CROSS JOIN assets a ON a.rowid = s.id${rowWhere}`,
        [...streamParams, ...rowParams],
      );
    }

    const sort = query.sort ?? 'created';
    const dir = (query.order ?? 'desc') === 'asc' ? 'ASC' : 'DESC';
    const limits = [query.limit, query.offset ?? 0];
    let ids: number[];
    if (sort === 'created' && streams.length && !rowTests.length) {
      // The merge runs in row-id order (backwards for newest first) and stops after the page.
      ids = this.idsOf(`${merged} ORDER BY id ${dir} LIMIT ? OFFSET ?`, [...streamParams, ...limits]);
    } else {
      const column = SORT_COLUMNS[sort];
      const order = column === 'rowid' ? `a.rowid ${dir}` : `a.${column} ${dir}, a.rowid ${dir}`;
      const where = [...(streams.length ? [`a.rowid IN (${merged})`] : []), ...rowTests];
      ids = this.idsOf(
        `SELECT a.rowid AS id FROM assets a${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ? OFFSET ?`,
        [...streamParams, ...rowParams, ...limits],
      );
    }
    return { total, ids };
  }

  private countOf(sql: string, params: Array<string | number>): number {
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  private idsOf(sql: string, params: Array<string | number>): number[] {
    return (this.db.prepare(sql).all(...params) as Array<{ id: number }>).map((r) => r.id);
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

  /** Counts of types, tags (the `tagLimit` most used, sorted by name) and licences. */
  /**
   * Cached until the database changes (`data_version` moves when another connection commits,
   * `total_changes()` when this one does): the studio asks after every registry event, and at
   * 100k+ assets the counts take a noticeable time.
   */
  facets(projectId: string, tagLimit: number): Facets {
    const version = `${String(this.db.pragma('data_version', { simple: true }))}:${String(
      this.db.prepare('SELECT total_changes()').pluck().get(),
    )}:${projectId}:${tagLimit}`;
    if (this.facetCache?.version !== version) {
      this.facetCache = { version, facets: this.countFacets(projectId, tagLimit) };
    }
    return structuredClone(this.facetCache.facets);
  }

  private countFacets(projectId: string, tagLimit: number): Facets {
    // With one project in the database, tags are counted on their own index (no join).
    const onlyProject = !this.stmts.otherProject.get(projectId, projectId)?.other;
    const types = this.stmts.distinctTypes.all(projectId).map((r) => ({ value: r.type, count: r.n }));
    const licenses = this.db
      .prepare(
        `SELECT license_norm AS value, count(*) AS count FROM assets
         WHERE project_id = ? AND license_norm IS NOT NULL GROUP BY license_norm ORDER BY license_norm`,
      )
      .all(projectId) as FacetCount[];
    // The spelling users typed, for display.
    const spelling = this.db.prepare<[string, string], { label: unknown }>(
      `SELECT json_extract(meta, '$.license') AS label FROM assets
       WHERE project_id = ? AND license_norm = ? LIMIT 1`,
    );
    for (const licence of licenses) {
      const label = spelling.get(projectId, licence.value)?.label;
      if (typeof label === 'string' && label.trim()) licence.label = label.trim();
    }
    const tags = (
      this.db
        .prepare(
          onlyProject
            ? `SELECT tag AS value, count(*) AS count FROM asset_tags
               GROUP BY tag ORDER BY count DESC, tag LIMIT ?`
            : `SELECT t.tag AS value, count(*) AS count FROM asset_tags t JOIN assets a ON a.rowid = t.asset_rowid
               WHERE a.project_id = ? GROUP BY t.tag ORDER BY count DESC, t.tag LIMIT ?`,
        )
        .all(...(onlyProject ? [tagLimit] : [projectId, tagLimit])) as FacetCount[]
    ).sort((a, b) => a.value.localeCompare(b.value));
    const total = (
      this.db.prepare('SELECT count(*) AS n FROM assets WHERE project_id = ?').get(projectId) as { n: number }
    ).n;
    return { total, types, tags, licenses };
  }

  fileStates(projectId: string): FileState[] {
    return this.stmts.fileStates.all(projectId);
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

  /** Every asset of a project, newest first. */
  /** Assets whose preview job is done (uid, path, hash only): the rebuild checks their files exist. */
  donePreviews(projectId: string): Array<{ uid: string; path: string; hash: string }> {
    return this.stmts.donePreviews.all(projectId);
  }

  allRecords(projectId: string): AssetRecord[] {
    return this.stmts.allRecords.all(projectId).map(toRecord);
  }

  /** The sidecar's mtime as the registry wrote it; null: no sidecar write of the current row has landed. */
  setSidecarMtime(projectId: string, uid: string, mtimeMs: number | null): void {
    this.stmts.setSidecarMtime.run(mtimeMs, projectId, uid);
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

  addProvenance(projectId: string, record: Omit<ProvenanceRecord, 'id'>): ProvenanceRecord {
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
      inputs: parseJsonObject(row.inputs_json),
      c2pa_like: parseJsonObject(row.c2pa_like),
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

/** The studio's typed client for the REST API. Every error is an ApiError with the server's message. */
import { typeForPath } from '../../src/domain/asset-paths.js';
import type { AssetPayload, AssetUrls } from '../../src/domain/asset-payload.js';
import type { Facets, PictureColors } from '../../src/domain/facets.js';
import type { JsonValue } from '../../src/domain/json.js';
import { gridPageUrl, queryString, type AssetQuery } from './first-load';
import type { PreviewFacts } from '../../src/domain/media-facts.js';
import type { PreviewWave } from '../../src/previews/queue.js';
import type { ResourcesMoved } from '../../src/registry/model-resources.js';
import type { PreviewCounts } from './gallery/preview-wave';

// The server's own definition of the facets (types only, erased from the bundle).
export type { DuplicateFilter, FacetCount, Facets } from '../../src/domain/facets.js';
export { DEFAULT_QUERY, queryString, type AssetQuery, type SortField, type SortOrder } from './first-load';

/** One asset in full: the server's own definition of the payload (types only, erased from the bundle). */
export type Asset = AssetPayload;

/**
 * What the grid gets for an asset (the search route's `fields=` listing, see GRID_FIELDS): enough
 * for a tile. A full Asset is one too, so the detail view draws its preview with the same code.
 * The listing leaves out what a record lacks: `metadata` without a title, `urls` without previews.
 */
export type AssetSummary = Pick<
  AssetPayload,
  'uid' | 'type' | 'path' | 'tags' | 'license' | 'preview_status' | 'copies'
> & {
  metadata?: { title?: unknown };
  urls?: Partial<Pick<AssetUrls, 'file' | 'thumbnail' | 'thumbnails' | 'waveform' | 'animation'>>;
  preview?: PreviewFacts;
  colors?: Partial<PictureColors>;
};

export interface GridPage {
  total: number;
  items: AssetSummary[];
}

export interface FeatureFlag {
  key: string;
  default: boolean;
  label: string;
  description: string;
  value: boolean;
}

export interface Settings {
  features: Record<string, boolean>;
  flags: FeatureFlag[];
  file: string;
}

export interface Provenance {
  id: number;
  source: string;
  workflow_hash: string | null;
  commit_hash: string | null;
  inputs: Record<string, unknown>;
  user_id: string | null;
  created_at: string;
}

export interface Waveform {
  channels: number;
  sample_rate: number;
  duration?: number;
  points: number[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A server started with `--token` wants it on every change; the studio asks once per tab. */
const TOKEN_KEY = 'asset-registry-token';
const authHeaders = (): Record<string, string> => {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
};
function askForToken(): boolean {
  const token = window.prompt('This server requires an API token for changes (serve --token). Token:');
  if (!token?.trim()) return false;
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  return true;
}

/** An answer read to the end: status and parsed body. */
interface Answer {
  status: number;
  ok: boolean;
  data: { ok?: boolean; code?: string; message?: string };
  /** A search's `x-event-seq`: the last event its answer may not show yet. */
  eventSeq?: number;
}

const eventSeqOf = (res: Response): number | undefined => {
  const seq = Number(res.headers.get('x-event-seq') ?? Number.NaN);
  return Number.isInteger(seq) ? seq : undefined;
};

const readAnswer = async (res: Response): Promise<Answer> => ({
  status: res.status,
  ok: res.ok,
  eventSeq: eventSeqOf(res),
  data: (await res.json().catch(() => ({}))) as Answer['data'],
});

/**
 * GETs started before the component that needs them exists (the gallery's first page is fetched
 * while the settings that decide whether the gallery shows are still loading). Read to the end at
 * once, so the first render can take them synchronously (takePrefetched). Used once, fresh.
 */
interface Early {
  at: number;
  answer: Promise<Answer>;
  /** Set once the answer is in. */
  done?: Answer;
}
const early = new Map<string, Early>();
const EARLY_TTL_MS = 5000;
/** The prefetched searches' answers, kept after they are taken (see eventsAfterFirstLoad). */
const firstAnswers: Array<Promise<Answer>> = [];

export function prefetch(url: string): void {
  // No extra options: the request must match index.html's preload to reuse its response.
  const entry: Early = { at: Date.now(), answer: fetch(url, { headers: authHeaders() }).then(readAnswer) };
  entry.answer.then(
    (answer) => (entry.done = answer),
    () => early.delete(url),
  );
  early.set(url, entry);
  // Only a search says its event sequence; the stream need not wait for the others.
  if (url.startsWith('/api/assets/search')) firstAnswers.push(entry.answer);
}

/**
 * Where the event stream starts so that nothing after the first searches is missed: the smallest
 * `x-event-seq` they carried (undefined: none did, the stream starts now). Every later request is
 * answered after it, so the events since cover them too; an event they already show only costs a
 * reload.
 */
export async function eventsAfterFirstLoad(): Promise<number | undefined> {
  const seqs = (await Promise.allSettled(firstAnswers))
    .map((r) => (r.status === 'fulfilled' ? r.value.eventSeq : undefined))
    .filter((seq): seq is number => seq !== undefined);
  return seqs.length ? Math.min(...seqs) : undefined;
}

/** Resolves once every prefetch is in (or failed), or after `ms`, whichever comes first. */
export function prefetchesSettled(ms: number): Promise<void> {
  const all = Promise.allSettled([...early.values()].map((e) => e.answer));
  return Promise.race([all, new Promise((resolve) => window.setTimeout(resolve, ms))]).then(() => undefined);
}

function takeEarly(url: string): Promise<Answer> | undefined {
  const hit = early.get(url);
  early.delete(url);
  return hit && Date.now() - hit.at < EARLY_TTL_MS ? hit.answer : undefined;
}

/**
 * A prefetched GET's body if it is already in and succeeded (taken: the next call asks the
 * server); otherwise undefined, and a later request reports the error as usual.
 */
export function takePrefetched<T>(route: string): T | undefined {
  const url = inProject(route);
  const hit = early.get(url);
  const done = hit?.done;
  if (!hit || !done?.ok || done.data.ok === false || Date.now() - hit.at >= EARLY_TTL_MS) return undefined;
  early.delete(url);
  return done.data as T;
}

const networkError = (): ApiError =>
  new ApiError(0, 'network', 'The server did not answer. Is `npm start` still running?');

/** The project the studio works in; undefined for the server's default. */
let project: string | undefined;

/** Works in another project from now on (undefined or '' for the server's default). */
export function setProject(id: string | undefined): void {
  project = id || undefined;
}

/**
 * An API URL in the current project (`project_id` added; the default's URLs are left as they
 * are, so the prefetched first requests still match them).
 */
export function inProject(url: string): string {
  if (!project || !url.startsWith('/api/')) return url;
  return `${url}${url.includes('?') ? '&' : '?'}project_id=${encodeURIComponent(project)}`;
}

/** The current project for a request body or form that names it (none for the default). */
const projectField = (): { project_id?: string } => (project ? { project_id: project } : {});

async function request<T>(
  method: string,
  route: string,
  body?: unknown,
  signal?: AbortSignal,
  retried = false,
): Promise<T> {
  const url = inProject(route);
  let answer: Answer;
  try {
    // Registry data comes before previews when the browser has to queue requests.
    answer = await ((method === 'GET' ? takeEarly(url) : undefined) ??
      fetch(url, {
        method,
        priority: 'high',
        headers: { ...authHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ?? null,
      }).then(readAnswer));
  } catch (err) {
    if (signal?.aborted) throw err;
    throw networkError();
  }
  // Aborted while the body was read: that read gave up (an empty body), not the server.
  signal?.throwIfAborted();
  if (answer.status === 401 && !retried && askForToken()) return request(method, route, body, signal, true);
  const { data } = answer;
  if (!answer.ok || data.ok === false) {
    throw new ApiError(
      answer.status,
      data.code ?? 'http_error',
      data.message ?? `${method} ${url}: HTTP ${answer.status}`,
    );
  }
  return data as T;
}

/**
 * The first `limit` bytes of a file (a Range request; an answer with more is read only that far).
 * An error answer throws its message, as `request` does.
 */
async function fileHead(url: string, limit: number, signal: AbortSignal): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { range: `bytes=0-${limit - 1}` }, signal });
  } catch (err) {
    if (signal.aborted) throw err;
    throw networkError();
  }
  if (!res.ok || !res.body) {
    const { data } = await readAnswer(res);
    throw new ApiError(
      res.status,
      data.code ?? 'http_error',
      data.message ?? `GET ${url}: HTTP ${res.status}`,
    );
  }
  const head = new Uint8Array(limit);
  let used = 0;
  const reader = res.body.getReader();
  while (used < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    const n = Math.min(value.length, limit - used);
    head.set(value.subarray(0, n), used);
    used += n;
  }
  await reader.cancel().catch(() => undefined);
  return head.subarray(0, used);
}

/** A credits sheet (CSV) of the assets a query finds, as a file's bytes. */
async function creditsCsv(query: AssetQuery): Promise<Blob> {
  const url = inProject(`/api/assets/credits?${queryString(query)}`);
  let res: Response;
  try {
    res = await fetch(url, { headers: authHeaders() });
  } catch {
    throw networkError();
  }
  if (!res.ok) {
    const { data } = await readAnswer(res);
    throw new ApiError(
      res.status,
      data.code ?? 'http_error',
      data.message ?? `GET ${url}: HTTP ${res.status}`,
    );
  }
  return res.blob();
}

export const api = {
  fileHead,
  creditsCsv,
  /** The first page of a query if it was prefetched and is in already (see main.tsx). */
  gridPageNow: (query: AssetQuery, offset: number, limit: number) =>
    takePrefetched<GridPage>(gridPageUrl(query, offset, limit)),
  /** A page of the grid: tile fields only (AssetSummary). */
  gridPage: (query: AssetQuery, offset: number, limit: number, signal?: AbortSignal) =>
    request<GridPage>('GET', gridPageUrl(query, offset, limit), undefined, signal),
  /** Up to `limit` other assets holding the same bytes (the search route's `hash=`), oldest first. */
  sameBytes: (hash: string, limit: number) =>
    request<{ total: number; items: Array<Pick<Asset, 'uid' | 'path' | 'type'>> }>(
      'GET',
      `/api/assets/search?hash=${hash}&sort=created&order=asc&limit=${limit}&fields=uid,path,type`,
    ),
  /** Pictures that look like this one, nearest first (ApiError `no_fingerprint` while it has none). */
  similar: (id: string, limit: number) =>
    request<{ total: number; items: Array<Asset & { distance: number; same_bytes: boolean }> }>(
      'GET',
      `/api/assets/${encodeURIComponent(id)}/similar?limit=${limit}`,
    ),
  ids: (query: AssetQuery) =>
    request<{ ids: string[]; truncated: boolean }>('GET', `/api/assets/ids?${queryString(query)}`),
  facets: () => request<Facets>('GET', '/api/assets/facets'),
  /** Renames a tag on every asset that has it (a job: follow it with followJob). */
  renameTag: (from: string, to: string) =>
    request<{ job_id: string }>('POST', '/api/tags/rename', { from, to, wait: false }),
  /** A link to a zip of these assets (see POST /api/assets/export), and what it holds. */
  exportZip: (ids: string[]) =>
    request<{
      url: string;
      name: string;
      files: number;
      bytes: number;
      unknown: string[];
      missing: Array<{ id: string; path: string }>;
    }>('POST', '/api/assets/export', { ids }),
  /** The folders right below `parent` ('' for the top) that hold assets. */
  folders: (parent: string) =>
    request<{
      parent: string;
      folders: string[];
      truncated: boolean;
      counts: Record<string, number>;
      counts_capped: string[];
    }>('GET', `/api/assets/folders?${new URLSearchParams({ parent, counts: 'true' })}`),
  facetsNow: () => takePrefetched<Facets>('/api/assets/facets'),
  get: (id: string) => request<{ asset: Asset }>('GET', `/api/assets/${encodeURIComponent(id)}`),
  /** Sets a video's poster frame: a JPEG of a frame `at` seconds in, drawn from the bytes of `hash`. */
  setPoster: async (id: string, frame: Blob, at: number, hash: string): Promise<Asset> => {
    const url = inProject(`/api/assets/${encodeURIComponent(id)}/poster?at=${at}&hash=${hash}`);
    const answer = await fetch(url, {
      method: 'PUT',
      headers: { ...authHeaders(), 'content-type': frame.type || 'image/jpeg' },
      body: frame,
    })
      .then(readAnswer)
      .catch(() => {
        throw networkError();
      });
    if (!answer.ok || answer.data.ok === false)
      throw new ApiError(
        answer.status,
        answer.data.code ?? 'http_error',
        answer.data.message ?? `HTTP ${answer.status}`,
      );
    return (answer.data as unknown as { asset: Asset }).asset;
  },
  lookup: (ids: string[]) =>
    request<{ items: Asset[]; missing: string[] }>('POST', '/api/assets/lookup', { ids }),
  /**
   * Merges the given keys into the metadata (null removes one), or replaces it whole; with
   * `ifVersion`, only if the asset is still at that version (ApiError `version_conflict`).
   */
  update: (id: string, metadata: unknown, mode: 'merge' | 'replace', ifVersion?: number) =>
    request<{ asset: Asset; change_id: number | null }>('PATCH', `/api/assets/${encodeURIComponent(id)}`, {
      metadata,
      mode,
      ...(ifVersion === undefined ? {} : { if_version: ifVersion }),
    }),
  /** Removes an asset from the registry; its file too with `deleteFile`. */
  remove: (id: string, deleteFile: boolean) =>
    request<{ file_deleted: boolean; trashed?: string; file_kept_reason?: string; change_id: number | null }>(
      'DELETE',
      `/api/assets/${encodeURIComponent(id)}?delete_file=${String(deleteFile)}`,
    ),
  /** Starts the removal of many assets as a job (follow it with {@link followJob}). */
  removeMany: (ids: string[], deleteFiles: boolean) =>
    request<{ job_id: string }>('POST', '/api/assets/remove', {
      ids,
      delete_files: deleteFiles,
      wait: false,
    }),
  /**
   * Moves or renames one asset's file (same extension); ApiError `path_taken` when the name is
   * taken. A 3D model takes along the files it names unless `leaveResources`.
   */
  move: (id: string, path: string, leaveResources = false) =>
    request<{ asset: Asset; change_id: number | null; resources?: ResourcesMoved }>(
      'POST',
      `/api/assets/${encodeURIComponent(id)}/move`,
      { path, leave_resources: leaveResources },
    ),
  /** Starts moving many assets into a folder as a job (follow it with {@link followJob}). */
  moveMany: (ids: string[], folder: string) =>
    request<{ job_id: string }>('POST', '/api/assets/move', { ids, folder, wait: false }),
  provenance: (id: string) =>
    request<{ items: Provenance[] }>('GET', `/api/assets/${encodeURIComponent(id)}/provenance`),
  /** Starts a bulk edit as a job (follow it with {@link followJob}). */
  bulk: (body: {
    ids: string[];
    add_tags?: string[];
    remove_tags?: string[];
    license?: string;
    clear_license?: boolean;
  }) => request<{ job_id: string }>('POST', '/api/assets/bulk', { ...body, wait: false }),
  /** The projects that hold assets (the server's default first, even when empty). */
  projects: () =>
    request<{ default: string; items: Array<{ id: string; assets: number }> }>('GET', '/api/projects'),
  settings: () => request<Settings>('GET', '/api/settings'),
  settingsNow: () => takePrefetched<Settings>('/api/settings'),
  setFeature: (key: string, value: boolean) =>
    request<Settings>('PATCH', '/api/settings', { features: { [key]: value } }),
  waveform: (url: string) => fetch(url).then((r) => (r.ok ? (r.json() as Promise<Waveform>) : undefined)),
  /**
   * Starts a rebuild as a job, as the API's defaults have it: the assets whose files are gone are
   * removed (one change, undoable from its message or History; none when the assets folder holds
   * nothing at all, a drive not mounted).
   */
  rebuild: () =>
    request<{ job_id: string }>('POST', '/api/assets/rebuild', {
      ...projectField(),
      wait: false,
      wait_for_thumbs: false,
    }),
  job: <J extends Job = RebuildJob>(id: string) =>
    request<{ job: J }>('GET', `/api/jobs/${encodeURIComponent(id)}`),
  /** The preview queue: its counts, the latest failures, the older pictures still being read. */
  previews: () => request<PreviewQueue>('GET', '/api/previews'),
  /** Queues the project's failed previews again (a file fixed, a deadline raised). */
  retryFailedPreviews: () =>
    request<{ queued: number }>('POST', '/api/previews/requeue', { ...projectField(), failed: true }),
  /** Queues these assets' previews again. */
  retryPreviews: (ids: string[]) =>
    request<{ queued: number }>('POST', '/api/previews/requeue', { ...projectField(), ids }),
  /** The edits made, newest first (GET /api/changes). */
  changes: (limit = 50) => request<{ items: Change[] }>('GET', `/api/changes?limit=${limit}`),
  /** What the trash holds: the files deleted through the registry, kept so that Undo can bring them back. */
  trash: () => request<TrashSummary>('GET', '/api/trash'),
  /** Deletes the trashed files for good (one batch's, when named). */
  emptyTrash: (batch?: string) =>
    request<{ files: number; bytes: number }>(
      'DELETE',
      batch ? `/api/trash/${encodeURIComponent(batch)}` : '/api/trash',
    ),
  /** Puts a batch of orphaned sidecars back, each where no file is now (the others are kept). */
  restoreTrash: (batch: string) =>
    request<{ restored: string[]; kept: Array<{ path: string; reason: string }> }>(
      'POST',
      `/api/trash/${encodeURIComponent(batch)}/restore`,
    ),
  /** One batch's first files (their paths as they were). */
  trashBatch: (name: string, limit: number) =>
    request<{ items: Array<{ path: string; bytes: number }>; truncated: boolean }>(
      'GET',
      `/api/trash/${encodeURIComponent(name)}?limit=${limit}`,
    ),
  change: (id: number) => request<{ change: Change }>('GET', `/api/changes/${id}?limit=0`),
  /** The changes that touched one asset, newest first, with its values before and after. */
  assetChanges: (id: string) =>
    request<{ items: AssetChange[] }>('GET', `/api/assets/${encodeURIComponent(id)}/changes?limit=50`),
  /** Starts undoing a change as a job (follow it with {@link followJob}); `ids`: only those assets' part of it. */
  undo: (id: number, ids?: string[]) =>
    request<{ job_id: string }>('POST', `/api/changes/${id}/undo`, { wait: false, ...(ids ? { ids } : {}) }),
  /**
   * Starts enforce as a job (follow it with {@link followJob}), as {@link EnforceMode} says;
   * `rewrite` loses the hand edits of the sidecars it rewrites, and leaves the registry's
   * metadata as it is.
   */
  enforce: (mode: EnforceMode) =>
    request<{ job_id: string }>('POST', '/api/assets/enforce', {
      ...projectField(),
      fix_missing: mode === 'repair' || mode === 'rewrite',
      overwrite: mode === 'rewrite',
      fill_metadata: mode === 'repair',
      remove_orphans: mode === 'orphans',
      wait: false,
    }),
};

/** `GET /api/previews`. */
export interface PreviewQueue {
  /** The default project (the studio's). */
  project_id: string;
  counts: PreviewCounts;
  /** The server's previews finished since its queue was last idle (null: idle, or another process's work). */
  wave: PreviewWave | null;
  /** Pictures previewed by an earlier version still getting their colours and fingerprint. */
  pictures_to_read: number;
  /** The latest failures (up to 20), newest first; `path` null when the asset is gone. */
  failed: Array<{ project_id: string; uid: string; path: string | null; error: string | null }>;
  /** The project's 3D models lacking files they name: how many, and the first 20 by path. */
  missing_files: { total: number; items: Array<{ uid: string; path: string; missing: string[] }> };
}

/** A long request the server runs as a job (`GET /api/jobs/{id}`). */
export interface Job<Progress = unknown, Summary = Record<string, unknown>> {
  id: string;
  status: 'running' | 'done' | 'failed';
  progress: Progress;
  summary: Summary | null;
  error: string | null;
}

export type RebuildJob = Job<{
  phase: string;
  files_done: number;
  files_total: number;
  bytes_done: number;
  bytes_total: number;
  /** In the `stale` phase: assets whose files are gone removed so far, of how many. */
  stale_done?: number;
  stale_total?: number;
}>;

/** `change_id`: the change the edit recorded, to undo it (null when nothing changed). */
export type BulkJob = Job<
  { done: number; total: number },
  { updated: number; missing: string[]; change_id: number | null }
>;

/** An undo: `change_id` is its own change (undo it to redo); assets edited since are left as they are. */
export type UndoJob = Job<
  BulkJob['progress'],
  NonNullable<BulkJob['summary']> & {
    changed_since: string[];
    /** Moves back refused (a file at the old path…), each with why. */
    failed: NonNullable<MoveJob['summary']>['failed'];
  }
>;

/** A change in one asset's history: with that asset's values of the keys it changed. */
export type AssetChange = Change & { before: Record<string, JsonValue>; after: Record<string, JsonValue> };

/** An edit recorded in the history (GET /api/changes). */
export interface Change {
  id: number;
  kind: 'edit' | 'bulk_edit' | 'tag_rename' | 'move' | 'remove' | 'import' | 'upload' | 'undo' | 'redo';
  summary: string;
  assets: number;
  /** UTC, `YYYY-MM-DD HH:MM:SS`. */
  created_at: string;
  undo_of: number | null;
  undone_by: number | null;
  undoable: boolean;
}

export type EnforceJob = Job<{ checked: number; total: number }>;

/**
 * What the studio's sidecar buttons ask enforce for: `check` writes nothing; `repair` writes the
 * missing sidecars and fills metadata; `rewrite` also rewrites the unreadable or disagreeing ones;
 * `orphans` only moves the orphaned sidecars (beside no file) into the trash.
 */
export type EnforceMode = 'check' | 'repair' | 'rewrite' | 'orphans';

export interface TrashBatch {
  name: string;
  /** The removal that put them there (its undo brings them back). */
  change_id: number | null;
  /** A removal's files, orphaned sidecars enforce took away (put back by `restoreTrash`), or other. */
  kind: 'removal' | 'orphaned_sidecars' | 'other';
  deleted_at: string;
  files: number;
  bytes: number;
}

export interface TrashSummary {
  batches: TrashBatch[];
  files: number;
  bytes: number;
  /** Days a deleted file is kept (0: files are deleted at once). */
  keep_days: number;
}

export type RemoveJob = Job<
  { done: number; total: number },
  {
    removed: number;
    missing: string[];
    files_deleted: number;
    files_kept: Array<{ id: string; reason: string }>;
    /** The trash folder the deleted files went to (`.trash/<batch>`), if any. */
    trash: string | null;
    /** The change recorded, to undo the removal. */
    change_id: number | null;
  }
>;

export type MoveJob = Job<
  { done: number; total: number },
  {
    moved: Array<{ id: string; from: string; to: string }>;
    unchanged: string[];
    missing: string[];
    failed: Array<{ id: string; path: string; code: string; message: string }>;
    change_id: number | null;
    resources?: ResourcesMoved;
  }
>;

/** What a move did with the files the 3D models it moved name (see `leave_resources`). */
export type { ResourcesMoved } from '../../src/registry/model-resources.js';

/**
 * Polls a job until it ends, telling `onProgress` each state seen; resolves with the ended job.
 * Once `signal` is aborted (the view that follows it is gone), it stops and never resolves.
 */
export async function followJob<J extends Job>(
  id: string,
  onProgress: (job: J) => void,
  { everyMs = 250, signal }: { everyMs?: number; signal?: AbortSignal } = {},
): Promise<J> {
  for (;;) {
    const { job } = await api.job<J>(id);
    if (signal?.aborted) return new Promise<J>(() => undefined);
    onProgress(job);
    if (job.status !== 'running') return job;
    await new Promise((resolve) => window.setTimeout(resolve, everyMs));
  }
}

/** A rebuild's progress as the event stream reports it (`rebuild_progress`). */
export type RebuildProgress = RebuildJob['progress'] & { status: string; job_id: string };

/** A multipart POST with upload progress (fetch has none, XHR has): the answer's data, or its error. */
function postForm<T>(
  url: string,
  form: FormData,
  what: string,
  onProgress: (fraction: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', `${what} failed: the server did not answer.`));
    xhr.onload = () => {
      let data: { ok?: boolean; message?: string; code?: string } = {};
      try {
        data = JSON.parse(xhr.responseText) as typeof data;
      } catch {
        /* the status says enough */
      }
      if (xhr.status < 300 && data.ok !== false) resolve(data as T);
      else
        reject(
          new ApiError(
            xhr.status,
            data.code ?? 'http_error',
            data.message ?? `${what} failed: HTTP ${xhr.status}`,
          ),
        );
    };
    xhr.send(form);
  });
}

/**
 * Uploads one file with progress, into `folder` under the assets root (kept as it is on disk,
 * typed as a rebuild would type it there).
 */
export async function upload(
  file: File,
  onProgress: (fraction: number) => void,
  folder = '',
  /** Uploads of one session are one change in the history (one Undo). */
  session?: string,
): Promise<{ asset: Asset; change_id: number | null }> {
  const form = new FormData();
  if (project) form.append('project_id', project);
  form.append('on_conflict', 'rename');
  if (session) form.append('session', session);
  // The type a rebuild would give the file where it lands: by extension at the top, else its first folder.
  form.append('asset_type', typeForPath(folder ? `${folder}/${file.name}` : file.name));
  if (folder) form.append('dest_path', `${folder}/`);
  form.append('file', file, file.name);
  return postForm<{ asset: Asset; change_id: number | null }>(
    '/api/assets/upload',
    form,
    `Uploading ${file.name}`,
    onProgress,
  );
}

export type ImportReport = {
  imported: Array<{ id: string; path: string }>;
  existing: string[];
  skipped: Array<{ name: string; reason: string }>;
  /** The change recorded, to undo the import (its files go to the trash). */
  change_id: number | null;
};

export type ImportJob = Job<
  { phase: 'unpacking' | 'registering'; files_done: number; files_total: number },
  ImportReport
>;

/**
 * Uploads a zip of assets to be unpacked and registered (POST /api/assets/import), then follows
 * its job: `onUpload` hears the upload's progress, `onJob` the unpacking and registering.
 */
export async function importZip(
  file: File,
  onUpload: (fraction: number) => void,
  onJob: (progress: ImportJob['progress']) => void,
): Promise<ImportReport> {
  const form = new FormData();
  if (project) form.append('project_id', project);
  form.append('wait', 'false');
  form.append('file', file, file.name);
  const { job_id } = await postForm<{ job_id: string }>(
    '/api/assets/import',
    form,
    `Importing ${file.name}`,
    onUpload,
  );
  const job = await followJob<ImportJob>(job_id, (j) => onJob(j.progress));
  if (job.status === 'failed' || !job.summary)
    throw new ApiError(400, 'import_failed', job.error ?? `Importing ${file.name} failed.`);
  return job.summary;
}

export const formatBytes = (n: number): string => {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
};

/**
 * The AssetRegistry service for one project: the only module that writes. HTTP routes, CLI
 * commands and the studio are thin adapters over these methods.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  assetNameProblem,
  buildSidecar,
  serializeAsset,
  sidecarRelPath,
  SIDECAR_SUFFIX,
  type AssetRecord,
  type ProvenanceRecord,
} from '../domain/asset.js';
import { AppError, badRequest, conflict, isDiskFull, notFound } from '../domain/errors.js';
import { isJsonObject, parseJsonText, stringsIn, type JsonObject } from '../domain/json.js';
import {
  applyBulkEdit,
  mergeMetadata,
  metadataFromSidecar,
  normaliseMetadata,
  normaliseVersion,
  replaceMetadata,
  sameJson,
  type BulkEdit,
} from '../domain/metadata.js';
import {
  describeBulkEdit,
  holdsStates,
  keyChanges,
  pathIn,
  pathStates,
  undoOf,
  partOf,
  withStates,
  type KeyStates,
  type NewChange,
} from '../domain/changes.js';
import { buildProvenance, type ProvenanceInput } from '../domain/provenance.js';
import { MAX_SEARCH_TERMS } from '../domain/lists.js';
import { sameTextKey, searchKey } from '../domain/text-keys.js';
import { typeForPath } from '../domain/asset-paths.js';
import { NO_LINKS } from '../files/atomic-write.js';
import { copyToFreeName, moveFileNoReplace } from '../files/move-file.js';
import { stagingName } from '../files/leftovers.js';
import { TRASH_DIR } from '../files/trash.js';
import { statIfThere, unlinkIfThere } from '../files/if-there.js';
import { cleanRelativePath, isInside, realpathLoose, resolveUnder, toRelPosix } from '../files/safe-path.js';
import type { HookEvent, HookPayloads } from '../hooks/bus.js';
import {
  hasPreview,
  plannedPreview,
  plannedThumbnails,
  previewFileNames,
  previewKind,
  thumbnailName,
  takesPoster,
  thumbnailExt,
  thumbnailOutputs,
  animationName,
} from '../previews/kinds.js';
import { relatedPath } from '../previews/gltf.js';
import type { PreviewOutcome } from '../previews/queue.js';
import { logger } from '../logging.js';
import {
  isRecordedFile,
  utcNow,
  type FileStamp,
  type FileState,
  type PreviewJob,
  type DuplicateFilter,
  type Facets,
  type SearchQuery,
  type SortField,
  type SortOrder,
} from '../store/sqlite-store.js';
import type { AssetPayload } from '../domain/asset-payload.js';
import {
  MEDIA_FACTS,
  type ColorName,
  type MediaBounds,
  type Orientation,
  type PictureColors,
} from '../domain/facets.js';
import type { RegistryContext } from './context.js';
import { enforceRegistry, type EnforceOptions, type EnforceReport } from './enforce.js';
import {
  planResourceMoves,
  type MovingModel,
  type ResourcePlan,
  type ResourcesMoved,
} from './model-resources.js';
import { displayPath } from './paths.js';
import { runExclusive } from './rebuild-lock.js';
import { rebuildRegistry, type RebuildOptions, type RebuildSummary } from './rebuild.js';
import type { ChangeItem, ChangeRow } from '../store/change-log.js';
import { readSidecarFile, type SidecarContents } from './scan.js';
import { SidecarWriter, type SidecarState, type SidecarWriteError, type SidecarWritten } from './sidecars.js';
import { DEFAULT_MAX_DISTANCE, fingerprintOf } from './similar.js';

/** What an asset's sidecar on disk says that its row does not (see `AssetRegistry.handEdit`). */
type HandEdit = { meta: JsonObject } | { unreadable: string } | undefined;

export interface RegisterInput {
  /** Source file: absolute, or relative to `cwd`. */
  path: string;
  assetType?: string | null;
  destPath?: string | null;
  metadata?: JsonObject;
  /** Copy into the assets root (default) or register in place (must be under the root). */
  copy?: boolean;
  provenance?: ProvenanceInput | null;
  /** Fills the licence only when metadata has none (§1.5 step 5). */
  licenseTag?: string | null;
  /** What to do when the destination holds another file: 409 (default) or pick a free name. */
  onConflict?: 'error' | 'rename';
  /** Folders a source may come from (the HTTP server confines sources; the CLI does not). */
  allowedSourceRoots?: readonly string[];
  /**
   * The source is a file of ours in the staging folder (an upload): it is taken as the staged
   * copy (linked into place, then its staging name removed) instead of being copied once more.
   */
  sourceIsStaged?: boolean;
  cwd?: string;
}

/** A file as hashed: its content hash and size, and the stat it was read under. */
type HashedFile = { hash: string; bytes: number } & FileStamp;

export interface RegisterResult {
  record: AssetRecord;
  /** False when the content was already registered and metadata was merged into it. */
  created: boolean;
  provenance: ProvenanceRecord | undefined;
  /** A 3D model registered by copy: what became of the files it names (see {@link ResourcesCopied}). */
  resources?: ResourcesCopied;
}

/**
 * The files a 3D model names (a `.gltf`'s buffers and textures, an OBJ's material libraries and
 * their textures, an FBX's textures), when the model is registered by copy: each found beside the
 * source is copied to the same place beside the copy, so the model loads where it lands, and
 * registered as a rebuild registers a file (typed and tagged by its folders, with the request's
 * metadata merged in).
 */
export interface ResourcesCopied {
  /** Their paths under the assets root: copied, or already there with the same bytes. */
  copied: string[];
  /** The ones left out, each as the model names it, with why. */
  not_copied: Array<{ uri: string; reason: string }>;
}

export interface SearchInput {
  type?: string;
  tags?: string[];
  license?: string;
  /** Only assets without a licence (not with `license`). */
  unlicensed?: boolean;
  /** A substring, or several that must all match (each trimmed; empty ones are ignored). */
  text?: string | readonly string[];
  hash?: string;
  /** Only assets whose bytes another asset of the project has too (all, or the extra copies). */
  duplicates?: DuplicateFilter;
  /** Inclusive bounds of a picture's width and height (pixels) and a sound's length (seconds). */
  bounds?: MediaBounds;
  /** Only assets in this folder (relative to the assets root) or below it. */
  folder?: string;
  /** Only pictures of this shape. */
  orientation?: Orientation;
  /** Only pictures with each of these colours covering enough of them (previews/picture-colors.ts). */
  colors?: readonly ColorName[];
  /** Only pictures with (true) or without (false) transparent parts. */
  transparent?: boolean;
  /** Only pictures that look like this asset (its id), itself included: see similar.ts. */
  similarTo?: string;
  /** How many of the fingerprint's bits may differ, with `similarTo` (default 10). */
  maxDistance?: number;
  sort?: SortField;
  order?: SortOrder;
  limit?: number;
  offset?: number;
}

/** The bounds given (none: undefined), refused when a lower one is above its upper one. */
function mediaBounds(input: MediaBounds | undefined): MediaBounds | undefined {
  const bounds = Object.fromEntries(
    Object.entries(input ?? {}).filter(([, value]) => value !== undefined),
  ) as MediaBounds;
  if (!Object.keys(bounds).length) return undefined;
  for (const fact of MEDIA_FACTS) {
    const min = bounds[`min_${fact}`];
    const max = bounds[`max_${fact}`];
    if (min !== undefined && max !== undefined && min > max)
      throw badRequest(
        `min_${fact} (${min}) is more than max_${fact} (${max}): no asset can match. Swap them.`,
      );
  }
  return bounds;
}

/**
 * The needles of a search, folded (see `searchKey`): empty ones dropped, and any held by another
 * (`cas` beside `castle`), which cannot narrow the result.
 */
function searchNeedles(text: string | readonly string[] | undefined): string[] {
  const folded = [
    ...new Set((typeof text === 'string' ? [text] : (text ?? [])).map((t) => searchKey(t.trim()))),
  ].filter(Boolean);
  if (folded.length > MAX_SEARCH_TERMS) {
    throw badRequest(`q: at most ${MAX_SEARCH_TERMS} search terms at once; got ${folded.length}.`);
  }
  return folded.filter((needle) => !folded.some((other) => other !== needle && other.includes(needle)));
}

export type UpdateMode = 'merge' | 'replace';

/** What became of a removed asset's file. */
export interface RemovedFile {
  uid: string;
  fileDeleted: boolean;
  /** Where the deleted file went: `.trash/<batch>/<path>` under the assets root (absent when the trash is off). */
  trashed?: string;
  fileKeptReason?: string;
}

/** An asset moved: its id and its paths before and after (relative to the assets root). */
export interface MovedAsset {
  id: string;
  from: string;
  to: string;
}

/** A move of many assets as `POST /api/assets/move` and the CLI's `move` report it. */
export interface MoveReport {
  moved: MovedAsset[];
  /** Already where they were asked to go. */
  unchanged: string[];
  missing: string[];
  /** Not moved, each with what to fix (a name taken at the target, a missing file…). */
  failed: Array<{ id: string; path: string; code: string; message: string }>;
  /** The change recorded, to undo the move (null when nothing moved). */
  changeId: number | null;
  /** What became of the files the moved 3D models name (when they name any; see {@link moveMany}). */
  resources?: ResourcesMoved;
}

/** A 3D model's files as its facts name them (URIs), and those it found missing. */
interface ModelFiles {
  uid: string;
  path: string;
  resources: string[];
  missing: string[];
}

export interface MoveOptions {
  /** Move the 3D models alone, leaving the files they name where they are. */
  leaveResources?: boolean;
}

const fileThere = (rel: string): AppError =>
  conflict(
    'path_taken',
    `A file is already at ${rel}; it is not overwritten. Choose another name or folder.`,
  );

/** A removal of many assets as `POST /api/assets/remove` and the CLI's `remove` report it. */
export interface RemovalReport {
  removed: number;
  missing: string[];
  files_deleted: number;
  files_kept: Array<{ id: string; reason: string }>;
  /** The trash folder the deleted files went to (`.trash/<batch>` under the assets root), if any. */
  trash: string | null;
  /** The change recorded, to undo the removal (null when nothing was removed). */
  change_id: number | null;
}

/** How `DELETE /api/assets/{id}` and the CLI's `remove` of one asset tell what became of its file. */
export const removedFileReport = (result: RemovedFile) => ({
  file_deleted: result.fileDeleted,
  ...(result.trashed ? { trashed: result.trashed } : {}),
  ...(result.fileKeptReason ? { file_kept_reason: result.fileKeptReason } : {}),
});

export function removalReport(result: {
  removed: RemovedFile[];
  missing: string[];
  changeId: number | null;
}): RemovalReport {
  return {
    change_id: result.changeId,
    removed: result.removed.length,
    missing: result.missing,
    files_deleted: result.removed.filter((r) => r.fileDeleted).length,
    trash:
      result.removed
        .find((r) => r.trashed)
        ?.trashed?.split('/')
        .slice(0, 2)
        .join('/') ?? null,
    files_kept: result.removed.flatMap((r) =>
      r.fileKeptReason ? [{ id: r.uid, reason: r.fileKeptReason }] : [],
    ),
  };
}

/** A registration as committed: the row and its latest provenance (what its sidecar shows). */
export type Committed = SidecarState;

/** What an edit of many assets did; `changeId` records it for undo (null when nothing changed). */
export interface EditReport {
  updated: AssetRecord[];
  missing: string[];
  /** Assets left as they were because they changed since (an undo's). */
  changedSince: string[];
  /** (A move back's, see `moveBack`.) */
  failed?: MoveReport['failed'];
  changeId: number | null;
}

/** What an undo did: `undone` is the change taken back, `changeId` the undo's own (to redo). */
export interface UndoReport {
  undone: number;
  changeId: number;
  /** The assets put back. */
  restored: string[];
  /** Left as they are: edited (or moved) again since. */
  changedSince: string[];
  missing: string[];
  /** Moves back that could not be made (a file now at the old path…), each with why. */
  failed: MoveReport['failed'];
}

/**
 * A row and its latest provenance as the caller committed them, and the store's
 * `sidecarStateVersion` then: while it is unchanged, they are what the database holds.
 */
export interface CommittedSidecar extends Committed {
  asOf: string;
}

const RESERVED_TOP = new Set(['_meta', '.staging']);
/**
 * Sidecars written under one durability barrier by `writeSidecars` (fewer barriers and fewer
 * transactions recording them: a cold rebuild of 10,000 files took ~5 % less time than with 128).
 */
const SIDECAR_BATCH = 512;
/** Assets a bulk edit commits per transaction (35-75 ms of the event loop each, measured). */
const BULK_CHUNK = 128;
/** Assets a folder's count goes up to (see `subfolders`): beyond it, "10,000+". */
export const FOLDER_COUNT_CAP = 10_000;
/** Upload sessions remembered (the oldest forgotten first): see recordUpload. */
const UPLOAD_SESSIONS_KEPT = 100;
/** Items of a change an undo reads at a time. */
const UNDO_PAGE = 10_000;
/** A bulk edit's chunks whose sidecars may be writing while the next one commits. */
const BULK_WRITES_IN_FLIGHT = 3;

/** Lets the event loop run (requests, timers) before going on. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Per open database, what this process does to files under the assets root:
 * - What moves, removes or puts back files and sidecars (moves, removals, undos) runs one at a
 *   time, keyed by this record (see `changeFiles`). Each reads its rows, then works on the files at
 *   their paths: an undo that put back an asset while a removal of it was still at its files had
 *   its file or sidecar taken by that removal (found by test/api/concurrent-edits.test.ts).
 * - `vacated`: how many files it has taken from their paths (deleted, trashed, moved, an upload's
 *   copy dropped); a rebuild that sees it change while it runs looks again before registering a
 *   file it found (see rebuild.ts `commit`): one it read just before a removal took it into the
 *   trash, or a move took it elsewhere, must not get a row once it is gone.
 * - `placed`: who is told of each file it puts at a path (the live folder, which checks it: the
 *   watcher may never see a file that a hand deletes the moment it lands, and its row would
 *   outlive it).
 */
interface FileActivity {
  vacated: number;
  placed: Set<(rel: string) => void>;
}
const fileActivities = new WeakMap<object, FileActivity>();
const fileActivity = (store: object): FileActivity => {
  let activity = fileActivities.get(store);
  if (!activity) fileActivities.set(store, (activity = { vacated: 0, placed: new Set() }));
  return activity;
};

/** What a removal records (see `changes`). */
const removalChange = (summary: string): NewChange => ({ kind: 'remove', subject: 'record', summary });

const hasExtension = (relPath: string): boolean => path.posix.extname(path.posix.basename(relPath)) !== '';

export class AssetRegistry {
  private readonly sidecars: SidecarWriter;

  /** Upload sessions of this process: the change each adds to, and how many files it holds. */
  private readonly uploadSessions = new Map<string, { changeId: number; files: number }>();
  /**
   * The 3D models whose facts name files, with those files and the ones found missing, and by the
   * path (under the root) of each such file the models that name it and those that lack it. Read
   * from the store when another connection has committed since, kept in step with the facts
   * recorded here (noteModelFacts): a file landing or leaving is a lookup, not a query over every
   * model (~37 ms at 100,000 pictures).
   */
  private filesOfModels:
    | {
        others: number;
        models: ModelFiles[];
        naming: Map<string, ModelFiles[]>;
        lacking: Map<string, ModelFiles[]>;
      }
    | undefined;

  constructor(
    private readonly ctx: RegistryContext,
    readonly projectId: string,
  ) {
    this.sidecars = ctx.sidecars;
  }

  private get store() {
    return this.ctx.store;
  }

  /** @internal What rebuild and enforce work with. */
  get context(): RegistryContext {
    return this.ctx;
  }

  /**
   * Runs a move, removal or undo: one at a time in this process, and holding the file lease
   * against other processes (see files/file-lease.ts).
   */
  private changeFiles<T>(fn: () => Promise<T>): Promise<T> {
    // (Keyed by this store's file activity record: one at a time per open database.)
    return runExclusive(fileActivity(this.store), () => this.ctx.lease.hold(fn));
  }

  /** Audits (and repairs) sidecars and metadata (see enforce.ts). */
  enforce(options: EnforceOptions = {}): Promise<EnforceReport> {
    return enforceRegistry(this, options);
  }

  /** Brings the registry in line with the files on disk (see rebuild.ts). */
  rebuild(options: RebuildOptions = {}): Promise<RebuildSummary> {
    // One rebuild at a time per open database: API jobs and the live-folder watcher queue up.
    return runExclusive(this.ctx.store, () =>
      this.ctx.store.bulkWrites(() => rebuildRegistry(this, options)),
    );
  }

  private get paths() {
    return this.ctx.paths;
  }

  /** @internal How many files this process has taken from their paths (see {@link FileActivity}). */
  get pathsVacated(): number {
    return fileActivity(this.store).vacated;
  }

  private vacated(): void {
    fileActivity(this.store).vacated++;
  }

  /**
   * @internal Tells `listener` of each file this process puts at a path under the assets root
   * (relative, `/`-separated; see {@link FileActivity}). Returns how to stop.
   */
  onFilePlaced(listener: (rel: string) => void): () => void {
    const { placed } = fileActivity(this.store);
    placed.add(listener);
    return () => placed.delete(listener);
  }

  /** @internal A file this process put at `rel` (see {@link onFilePlaced}). */
  filePlaced(rel: string): void {
    for (const listener of fileActivity(this.store).placed) listener(rel);
  }

  // ---------------------------------------------------------------- reads

  get(uid: string): AssetRecord | undefined {
    return this.store.getByUid(this.projectId, uid);
  }

  /** The asset at a path relative to the assets root (`/`-separated), if any. */
  atPath(rel: string): AssetRecord | undefined {
    return this.store.getByPath(this.projectId, rel);
  }

  require(uid: string): AssetRecord {
    const record = this.get(uid);
    if (!record) throw notFound('Asset not found.');
    return record;
  }

  serialize(record: AssetRecord): AssetPayload {
    return this.serializeAll([record])[0] as AssetPayload;
  }

  /** Records → payloads, their copies counted in one query. */
  serializeAll(records: readonly AssetRecord[]): AssetPayload[] {
    const copies = this.store.copiesByHash(
      this.projectId,
      records.map((r) => r.hash),
    );
    // A record just removed (a delete's answer) no longer counts itself.
    const defaultProject = this.ctx.paths.projectId;
    return records.map((r) => serializeAsset(r, Math.max(1, copies.get(r.hash) ?? 0), defaultProject));
  }

  /** Search input → store query: tags, licence, hash and text trimmed and folded as stored. */
  private searchQuery(input: SearchInput): SearchQuery {
    const query: SearchQuery = {
      projectId: this.projectId,
      limit: input.limit ?? 50,
      offset: input.offset ?? 0,
      sort: input.sort ?? 'created',
      order: input.order ?? 'desc',
    };
    if (input.type) query.type = input.type;
    const tags = (input.tags ?? []).map((t) => sameTextKey(t.trim())).filter(Boolean);
    if (tags.length) query.tags = [...new Set(tags)];
    const license = input.license && sameTextKey(input.license.trim());
    if (license) query.license = license;
    if (input.unlicensed) {
      if (license)
        throw badRequest(
          `Filter by license or by unlicensed, not both: an asset without a licence has no "${input.license?.trim()}".`,
        );
      query.unlicensed = true;
    }
    const hash = input.hash?.trim().toLowerCase();
    if (hash) query.hash = hash;
    const texts = searchNeedles(input.text);
    if (texts.length) query.texts = texts;
    if (input.duplicates) query.duplicates = input.duplicates;
    const bounds = mediaBounds(input.bounds);
    if (bounds) query.bounds = bounds;
    if (input.folder?.trim()) query.folder = cleanRelativePath(input.folder, 'folder');
    if (input.orientation) query.orientation = input.orientation;
    if (input.colors?.length) query.colors = [...new Set(input.colors)];
    if (input.transparent !== undefined) query.transparent = input.transparent;
    const similarTo = input.similarTo?.trim();
    if (similarTo) {
      const record = this.get(similarTo);
      if (!record)
        throw notFound(`similar_to: no asset has the id ${similarTo} in project ${this.projectId}.`);
      const maxDistance = input.maxDistance ?? DEFAULT_MAX_DISTANCE;
      query.similar = { dhash: fingerprintOf(this.store, record), maxDistance };
    } else if (input.maxDistance !== undefined) {
      throw badRequest('max_distance goes with similar_to (the asset whose look-alikes to list): give both.');
    }
    return query;
  }

  /**
   * One page of a search and its total. A search that tests every row's text runs on the
   * search thread (a file database only), so the server goes on answering meanwhile.
   */
  async search(input: SearchInput): Promise<{ total: number; records: AssetRecord[] }> {
    const query = this.searchQuery(input);
    return this.offThread(query) ? this.ctx.pool.search(this.store.dbPath, query) : this.store.search(query);
  }

  /** Every uid matching a search, in its order, up to `max` (paging fields are ignored). */
  async searchIds(input: SearchInput, max: number): Promise<string[]> {
    const query = this.searchQuery(input);
    return this.offThread(query)
      ? this.ctx.pool.searchIds(this.store.dbPath, query, max)
      : this.store.searchIds(query, max);
  }

  private offThread(query: SearchQuery): boolean {
    return this.store.scansRows(query) && this.store.dbPath !== ':memory:' && !this.store.db.inTransaction;
  }

  /** The records of these uids, in the order given; unknown ones are left out. */
  getMany(uids: readonly string[]): AssetRecord[] {
    return this.store.getMany(this.projectId, uids);
  }

  /**
   * The folders right below `parent` ('' or undefined: the top) that hold assets, up to `max`;
   * with `counts`, how many assets each holds (itself and below), counted up to
   * {@link FOLDER_COUNT_CAP} (`counts_capped` lists those that hold more).
   */
  subfolders(
    parent: string | undefined,
    max = 500,
    counts = false,
  ): {
    parent: string;
    folders: string[];
    truncated: boolean;
    counts?: Record<string, number>;
    counts_capped?: string[];
  } {
    const clean = parent?.trim() ? cleanRelativePath(parent, 'parent') : '';
    const listed = this.store.subfolders(this.projectId, clean, max);
    if (!counts) return { parent: clean, ...listed };
    const counted = this.store.folderCounts(this.projectId, listed.folders, FOLDER_COUNT_CAP);
    const capped = listed.folders.filter((f) => (counted.get(f) ?? 0) > FOLDER_COUNT_CAP);
    for (const f of capped) counted.set(f, FOLDER_COUNT_CAP);
    return { parent: clean, ...listed, counts: Object.fromEntries(counted), counts_capped: capped };
  }

  /** Filter options with counts for this project. */
  facets(tagLimit = 500): Facets {
    return this.store.facets(this.projectId, tagLimit);
  }

  provenance(uid: string): ProvenanceRecord[] {
    this.require(uid);
    return this.store.listProvenance(this.projectId, uid);
  }

  absolutePath(record: AssetRecord): string {
    return path.join(this.paths.assetsRoot, record.path);
  }

  sidecarPath(record: Pick<AssetRecord, 'path'>): string {
    return path.join(this.paths.assetsRoot, sidecarRelPath(record.path));
  }

  /** The sidecar the registry writes for this asset now (its row and latest provenance). */
  sidecarDocument(record: AssetRecord): JsonObject {
    return buildSidecar(record, this.latestProvenance(record.uid));
  }

  /** The parsed sidecar of an asset, with errors a user can act on. */
  readSidecar(uid: string): { path: string; sidecar: JsonObject } {
    const record = this.require(uid);
    const file = this.sidecarPath(record);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new AppError(
        404,
        'sidecar_missing',
        'Sidecar file missing. Run enforce with fix_missing to rewrite it.',
      );
    }
    try {
      const parsed = parseJsonText(text);
      if (!isJsonObject(parsed)) throw new Error('not a JSON object');
      return { path: file, sidecar: parsed };
    } catch (err) {
      throw new AppError(
        422,
        'sidecar_invalid',
        `Sidecar JSON is invalid: ${(err as Error).message}. Run enforce with overwrite to rewrite it.`,
      );
    }
  }

  // ---------------------------------------------------------------- register

  async register(input: RegisterInput): Promise<RegisterResult> {
    const cwd = input.cwd ?? this.paths.workspace;
    const source = this.resolveSource(input.path, cwd, input.allowedSourceRoots);
    const assetType = input.assetType?.trim() ? cleanRelativePath(input.assetType, 'asset_type') : 'generic';
    const metadata = { ...(input.metadata ?? {}) };
    if (input.licenseTag?.trim() && (metadata.license === undefined || metadata.license === null)) {
      metadata.license = input.licenseTag.trim();
    }
    const assetsRoot = realpathLoose(this.paths.assetsRoot);
    // Uploads wait in the staging folder: inside the root, but not yet assets.
    const underRoot = isInside(assetsRoot, source) && !isInside(realpathLoose(this.paths.stagingDir), source);

    if (input.copy === false || underRoot) {
      // In place: the file already lives under the root (copy:true of such a file copies nothing).
      if (!underRoot) {
        throw badRequest(
          `Non-copied assets must reside inside the assets root (${this.paths.assetsRoot}); got ${source}. ` +
            'Pass copy: true to copy it in.',
        );
      }
      const rel = this.checkAssetRelPath(toRelPosix(assetsRoot, source), 'path');
      const copyTarget = input.copy === false ? undefined : this.targetRelPath(input, assetType, source);
      if (copyTarget === undefined || copyTarget === rel) {
        // (It may go while it is read: a removal or a move under way.)
        const hashed = await this.hashIfThere(source);
        if (!hashed) throw sourceNotFound(source);
        return this.commitInPlace(rel, assetType, hashed, metadata, input.provenance, {
          path: source,
          copy: input.copy !== false,
        });
      }
    }
    const copied = await this.registerCopy(source, input, assetType, metadata);
    if (!copied.created || previewKind(copied.record.path) !== 'model') return copied;
    const resources = await this.copyResources(source, copied.record, metadata, input.provenance);
    return resources ? { ...copied, resources } : copied;
  }

  /**
   * Copies the files a model registered by copy names from beside its source to beside its copy
   * (never over another file: one with other bytes there is left, and said), registers them, and
   * has the model's missing files read again. Undefined when the model names none (or cannot be
   * read: its preview says why).
   */
  private async copyResources(
    source: string,
    model: AssetRecord,
    metadata: JsonObject,
    provenance: ProvenanceInput | null | undefined,
  ): Promise<ResourcesCopied | undefined> {
    const name = path.basename(source);
    let facts: { resources: string[]; missing: string[] };
    try {
      facts = await this.ctx.pool.modelFacts({ source, root: path.dirname(source), relPath: name });
    } catch {
      return undefined;
    }
    if (!facts.resources.length) return undefined;
    const out: ResourcesCopied = { copied: [], not_copied: [] };
    for (const uri of facts.resources) {
      // (Resolved as a viewer resolves it, confined to the model's folder: no `..`, no symlink out.)
      const rel = relatedPath(name, uri);
      if (rel === undefined) {
        out.not_copied.push({ uri, reason: "it leads out of the model's folder: copy it by hand" });
        continue;
      }
      if (facts.missing.includes(uri)) {
        out.not_copied.push({ uri, reason: `${rel} is not beside the model` });
        continue;
      }
      const destRel = path.posix.join(path.posix.dirname(model.path), rel);
      try {
        this.checkAssetRelPath(resolveUnder(this.paths.assetsRoot, destRel, 'path').rel, 'path');
        const placed = await this.placeCopy(path.join(path.dirname(source), rel), destRel);
        if (placed) out.copied.push(destRel);
        else out.not_copied.push({ uri, reason: `${destRel} holds another file: it was left as it is` });
      } catch (err) {
        out.not_copied.push({ uri, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    if (!out.copied.length) return out;
    try {
      // Registered by the rebuild's own path, as the live folder would (the same bytes at another
      // path are an asset of their own there; a model read before they landed reads them again),
      // then given the request's metadata.
      await this.rebuild({ paths: out.copied, removeStale: false, waitForThumbs: false });
      for (const rel of out.copied) {
        const record = this.atPath(rel);
        if (record && Object.keys(metadata).length) await this.commitDuplicate(record, metadata, provenance);
      }
    } catch (err) {
      // (The model is registered and its files are in place: the next rebuild registers them.)
      logger.warn({ err, model: model.path }, 'the files a model names were copied but not all registered');
    }
    return out;
  }

  /**
   * Copies `from` to `destRel` under the assets root, never over a file: true when it is there now
   * with `from`'s bytes (copied, or already), false when another file holds the name.
   */
  private async placeCopy(from: string, destRel: string): Promise<boolean> {
    const dest = path.join(this.paths.assetsRoot, destRel);
    const there = await this.hashIfThere(dest);
    if (there) return there.hash === (await this.ctx.pool.hash(from)).hash;
    const staged = await this.ctx.pool.stage(from, this.paths.stagingDir);
    try {
      if (placeStaged(staged.staged as string, dest, staged)) return true;
      // (Taken while it was copied: the same bytes, or another file.)
      return (await this.hashIfThere(dest))?.hash === staged.hash;
    } finally {
      fs.rmSync(staged.staged as string, { force: true });
    }
  }

  private resolveSource(raw: string, cwd: string, allowedRoots?: readonly string[]): string {
    if (typeof raw !== 'string' || !raw.trim()) throw badRequest('path is required: the file to register.');
    if (raw.includes('\0')) throw badRequest('path must not contain NUL characters.');
    const expanded =
      raw === '~' || raw.startsWith('~/') ? path.join(process.env.HOME ?? '/', raw.slice(1)) : raw;
    const abs = path.resolve(cwd, expanded);
    let real: string;
    try {
      real = fs.realpathSync.native(abs);
    } catch {
      throw sourceNotFound(raw);
    }
    if (allowedRoots && !allowedRoots.some((root) => isInside(realpathLoose(root), real))) {
      throw new AppError(
        403,
        'source_not_allowed',
        `Source ${raw} is outside the folders this server may import from (${allowedRoots.join(', ')}). ` +
          'Upload the file instead, or start the server with --import-root <folder>.',
      );
    }
    const stat = fs.statSync(real);
    if (!stat.isFile()) throw badRequest(`Source must be a regular file; ${raw} is not.`);
    return real;
  }

  /** Rejects paths the registry keeps for itself: sidecars, the mirror, staging, hidden names. */
  private checkAssetRelPath(rel: string, field: string): string {
    const segments = rel.split('/');
    if (RESERVED_TOP.has(segments[0] ?? '') || segments.includes('_meta')) {
      throw badRequest(
        `${field} must not be inside the registry's own _meta or .staging folders; got ${rel}.`,
      );
    }
    if (segments.some((s) => s.startsWith('.'))) {
      throw badRequest(`${field} must not name hidden files or folders (starting with '.'); got ${rel}.`);
    }
    if (rel.endsWith(SIDECAR_SUFFIX)) {
      throw badRequest(`${field} must not be a sidecar (${SIDECAR_SUFFIX}) file; got ${rel}.`);
    }
    const nameProblem = assetNameProblem(segments[segments.length - 1] ?? '');
    if (nameProblem) throw badRequest(`${field} cannot be registered: ${nameProblem}; got ${rel}.`);
    return rel;
  }

  /** §2.1: `dest_path` is a file, or a folder when it has no extension; default `<type>/<name>`. */
  private targetRelPath(input: RegisterInput, assetType: string, source: string): string {
    const base = path.basename(source);
    let rel: string;
    if (input.destPath !== undefined && input.destPath !== null && input.destPath.trim() !== '') {
      const dest = cleanRelativePath(input.destPath, 'dest_path');
      rel = hasExtension(dest) && !input.destPath.endsWith('/') ? dest : `${dest}/${base}`;
    } else {
      rel = `${assetType}/${base}`;
    }
    return this.checkAssetRelPath(resolveUnder(this.paths.assetsRoot, rel, 'dest_path').rel, 'dest_path');
  }

  private async registerCopy(
    source: string,
    input: RegisterInput,
    assetType: string,
    metadata: JsonObject,
  ): Promise<RegisterResult> {
    let rel = this.targetRelPath(input, assetType, source);
    const staged =
      input.sourceIsStaged && isInside(this.paths.stagingDir, source)
        ? await this.ctx.pool.adopt(source)
        : await this.ctx.pool.stage(source, this.paths.stagingDir);
    const stagedPath = staged.staged as string;
    const provenanceInputs = { path: source, copy: true };
    try {
      for (let attempt = 0; ; attempt++) {
        // (A duplicate removed meanwhile leaves its bytes to be a new asset: the loop goes round.)
        const duplicate = await this.knownHolder(staged.hash);
        const merged =
          duplicate &&
          (await this.commitDuplicate(duplicate, metadata, input.provenance, { stagedPath, staged }));
        if (merged) return merged;
        if (duplicate) continue;
        const dest = resolveUnder(this.paths.assetsRoot, rel, 'dest_path').abs;
        const existing = await this.hashIfThere(dest);
        // Looked at again after the hashing (an await): an undo may have taken that file back to
        // the trash meanwhile (the name is free again), or someone changed it (not the file read).
        if (existing && !sameStamp(dest, existing)) {
          if (!fs.existsSync(dest)) continue;
        } else if (existing && existing.hash === staged.hash) {
          // The same bytes are already there (e.g. from another project): register that file.
          try {
            return await this.commitInPlace(
              rel,
              assetType,
              existing,
              metadata,
              input.provenance,
              provenanceInputs,
            );
          } catch (err) {
            // (Gone meanwhile: the staged bytes go there at the loop's next turn.)
            if (err instanceof AppError && err.code === 'file_changed') continue;
            throw err;
          }
        }
        if (!existing && !this.store.getByPath(this.projectId, rel)) {
          const committed = this.tryCommitCopy(stagedPath, dest, rel, assetType, staged, metadata, {
            ...(input.provenance ?? {}),
            inputs: { ...provenanceInputs, ...(input.provenance?.inputs ?? {}) },
          });
          // (Known bytes after all, registered meanwhile: merged at the loop's top.)
          if (committed && 'duplicate' in committed) continue;
          if (committed) return await this.afterCreate(committed);
        }
        // Another file holds the destination (or took it while we hashed).
        if (input.onConflict !== 'rename' || attempt > 50) {
          throw conflict(
            'dest_exists',
            `${rel} is already taken under the assets root by another file or asset. Choose another dest_path, ` +
              'or pass on_conflict: "rename" to register it under a free name.',
            { path: rel },
          );
        }
        rel = freeName(rel, attempt + 1);
      }
    } finally {
      fs.rmSync(stagedPath, { force: true });
    }
  }

  /** A file's hash, or undefined when there is no file there (or it went while it was read). */
  private async hashIfThere(abs: string): Promise<HashedFile | undefined> {
    try {
      return fs.existsSync(abs) ? await this.ctx.pool.hash(abs) : undefined;
    } catch (err) {
      if (fs.existsSync(abs)) throw err;
      return undefined;
    }
  }

  /**
   * The synchronous critical section of a new copied asset: link the staged file into place (never
   * replacing anything) and insert its row in one transaction. Returns undefined when the
   * destination was taken in the meantime.
   */
  private tryCommitCopy(
    stagedPath: string,
    dest: string,
    rel: string,
    assetType: string,
    staged: HashedFile,
    metadata: JsonObject,
    provenance: ProvenanceInput | null | undefined,
  ): Committed | { duplicate: AssetRecord } | undefined {
    const file = placeStaged(stagedPath, dest, staged);
    if (!file) return undefined;
    try {
      const result = this.store.transaction(() =>
        this.insertNew(rel, assetType, file, metadata, provenance, {}),
      );
      if ('duplicate' in result) this.dropPlaced(dest);
      else this.filePlaced(rel);
      return result;
    } catch (err) {
      this.dropPlaced(dest); // we created it a moment ago; nothing else refers to it
      throw err;
    }
  }

  /** An upload's copy placed a moment ago, taken away again (see {@link FileActivity}). */
  private dropPlaced(dest: string): void {
    fs.rmSync(dest, { force: true });
    this.vacated();
  }

  private insertNew(
    rel: string,
    assetType: string,
    file: HashedFile,
    metadata: JsonObject,
    provenanceInput: ProvenanceInput | null | undefined,
    defaultInputs: JsonObject,
    /** The id to give the asset if no other asset holds it. */
    preferredUid?: string,
  ): Committed | { duplicate: AssetRecord } {
    // Checked inside the write transaction: another process may have registered the same bytes.
    const duplicate = this.holderOf(file.hash);
    if (duplicate) return { duplicate };
    const now = utcNow();
    const meta = normaliseMetadata({ ...metadata, version: metadata.version ?? 1 });
    const record: AssetRecord = this.withPlannedPreview({
      projectId: this.projectId,
      uid:
        preferredUid !== undefined && !this.store.getByUid(this.projectId, preferredUid)
          ? preferredUid
          : this.allocateUid(file.hash),
      type: assetType,
      path: rel,
      hash: file.hash,
      bytes: file.bytes,
      meta,
      createdAt: now,
      updatedAt: now,
      thumb: null,
    });
    this.store.insert(record, file);
    if (hasPreview(record.path)) this.store.queuePreview(this.projectId, record.uid, record.hash);
    const provenance = this.store.addProvenance(
      this.projectId,
      buildProvenance(
        { ...(provenanceInput ?? {}), inputs: { ...defaultInputs, ...(provenanceInput?.inputs ?? {}) } },
        meta,
        record,
        now,
      ),
    );
    return { record, provenance };
  }

  /**
   * The asset known to hold these bytes (§1.7: registering them again is that asset): the first
   * whose file is as the registry last saw it (size, mtime, inode), else one whose file is gone
   * (an upload puts its bytes back there, see {@link commitDuplicate}). One whose file was
   * changed since (edited or replaced by hand, not yet seen) may hold other bytes now: merging
   * into it could drop the only copy of these, so the bytes are registered anew instead.
   */
  private holderOf(hash: string): AssetRecord | undefined {
    const { holder } = this.holdersOf(hash);
    return holder && this.get(holder.uid);
  }

  /**
   * {@link holderOf}, looking into the files changed since their rows recorded them: one that
   * still holds these bytes (touched, checked out again) is recorded anew and is the holder, so
   * a touch does not turn the next upload of its bytes into a second asset.
   */
  private async knownHolder(hash: string): Promise<AssetRecord | undefined> {
    const { holder, gone, changed } = this.holdersOf(hash);
    if (holder && !gone) return this.get(holder.uid);
    for (const state of changed) {
      const abs = path.join(this.paths.assetsRoot, state.path);
      const file = await this.hashIfThere(abs).catch(() => undefined);
      if (file?.hash !== hash) continue;
      const recorded = this.store.transaction(() => {
        // (Still that row at that path, with those bytes, and the file as it was read.)
        const now = this.store.fileStateAt(this.projectId, state.path);
        if (now?.uid !== state.uid || now.hash !== hash || !sameStamp(abs, file)) return false;
        this.store.setFileStamp(this.projectId, state.uid, file);
        return true;
      });
      if (recorded) return this.get(state.uid);
    }
    return holder && this.get(holder.uid);
  }

  /**
   * The rows with these bytes, by how their files are (see {@link holderOf}): `holder`, the first
   * whose file is as recorded, else the first whose file is gone (then `gone`); `changed`, those
   * whose file changed since, when no file is as recorded.
   */
  private holdersOf(hash: string): { holder?: FileState; gone: boolean; changed: FileState[] } {
    let gone: FileState | undefined;
    const changed: FileState[] = [];
    for (const state of this.store.fileStatesWithHash(this.projectId, hash)) {
      const seen = this.fileAsRecorded(state);
      if (seen === 'same') return { holder: state, gone: false, changed: [] };
      if (seen === 'gone') gone ??= state;
      else changed.push(state);
    }
    return { ...(gone ? { holder: gone } : {}), gone: !!gone, changed };
  }

  /**
   * Whether an asset's file is as its row recorded it, gone, or changed since (not read); undefined
   * when no row is at its path any more (moved or removed meanwhile).
   */
  private fileOf(record: AssetRecord): 'same' | 'gone' | 'changed' | undefined {
    const state = this.store.fileStateAt(this.projectId, record.path);
    return state && this.fileAsRecorded(state);
  }

  /** Whether a row's file is as it recorded, gone, or changed since (not read). */
  private fileAsRecorded(state: FileState): 'same' | 'gone' | 'changed' {
    const now = statIfThere(path.join(this.paths.assetsRoot, state.path));
    return !now ? 'gone' : isRecordedFile(state, now) ? 'same' : 'changed';
  }

  /**
   * id = first 16 hex of the content hash. If another asset already holds that id (its content
   * changed since, keeping its id), derive a fresh one from the hash so ids never collide.
   */
  /** @internal */
  allocateUid(hash: string): string {
    let uid = hash.slice(0, 16);
    for (let n = 1; this.store.getByUid(this.projectId, uid); n++) {
      uid = createHash('sha256').update(`${hash}:${n}`).digest('hex').slice(0, 16);
    }
    return uid;
  }

  private async commitInPlace(
    rel: string,
    assetType: string,
    file: HashedFile,
    metadata: JsonObject,
    provenance: ProvenanceInput | null | undefined,
    provenanceInputs: JsonObject,
  ): Promise<RegisterResult> {
    let duplicate = await this.knownHolder(file.hash);
    if (duplicate && this.fileOf(duplicate) === 'gone' && !this.store.getByPath(this.projectId, rel)) {
      // Its asset's file is gone: this is that file, moved by hand (not yet seen). The rebuild's
      // move detection takes the asset here, with its id, tags and licence (and a sidecar moved
      // along), as the next rebuild would; the request's metadata is merged into it below.
      await this.rebuild({ paths: [rel], removeStale: false, waitForThumbs: false });
      const moved = this.atPath(rel);
      if (moved?.hash === file.hash) duplicate = moved;
    }
    const merged = duplicate && (await this.commitDuplicate(duplicate, metadata, provenance));
    if (merged) return merged;
    if (duplicate) return this.commitInPlace(rel, assetType, file, metadata, provenance, provenanceInputs);
    const atPath = this.store.getByPath(this.projectId, rel);
    if (atPath) {
      // The file at a known path has new content: same asset, new hash, version up.
      const record = this.withPlannedPreview({
        ...atPath,
        hash: file.hash,
        bytes: file.bytes,
        meta: this.nextMeta(atPath.meta, mergeMetadata(atPath.meta, metadata), metadata, true),
        updatedAt: utcNow(),
      });
      this.store.transaction(() => {
        this.store.update(record, file);
        if (hasPreview(record.path)) this.store.queuePreview(this.projectId, record.uid, record.hash);
      });
      this.ctx.previews.kick();
      return { ...(await this.afterUpdate(record)), created: false };
    }
    const onDisk = this.sidecarBeside(rel);
    const abs = path.join(this.paths.assetsRoot, rel);
    const committed = this.store.transaction(() =>
      // Still the file hashed? A removal under way may have taken it to the trash while the
      // holder of its bytes was looked up (an await): its row would name no file.
      sameStamp(abs, file)
        ? this.insertNew(
            rel,
            assetType,
            file,
            onDisk ? mergeMetadata(normaliseMetadata(onDisk.meta), metadata) : metadata,
            provenance,
            provenanceInputs,
            // A sidecar naming this content keeps the id it recorded (a registry rebuilt from scratch).
            onDisk?.id !== undefined && onDisk.hash === file.hash ? onDisk.id : undefined,
          )
        : undefined,
    );
    if (!committed) throw changedWhileRead(rel);
    // (Known bytes after all, registered meanwhile: merged as at the top.)
    if ('duplicate' in committed)
      return this.commitInPlace(rel, assetType, file, metadata, provenance, provenanceInputs);
    return this.afterCreate(committed);
  }

  /**
   * The sidecar already beside a file registered in place that no project has registered
   * (hand-made, or left by a registry that was lost): the user's, so its metadata is the base
   * the request's is merged into, as a rebuild would take it. One that does not parse is
   * refused rather than overwritten.
   */
  private sidecarBeside(rel: string): SidecarContents | undefined {
    // Another project's asset at this path wrote it: the registry's, not the user's.
    if (this.store.pathUsers(rel).length) return undefined;
    const abs = path.join(this.paths.assetsRoot, rel);
    const found = readSidecarFile(abs);
    if (found && 'error' in found && fs.existsSync(abs + SIDECAR_SUFFIX)) {
      throw conflict(
        'sidecar_invalid',
        `${sidecarRelPath(rel)} already exists and is not valid JSON (${found.error}); it may hold ` +
          'edits made by hand, so it is not overwritten. Fix it or delete it, then register again.',
      );
    }
    return found && !('error' in found) ? found : undefined;
  }

  /**
   * §1.7: known content. Nothing is copied; metadata is merged into the existing asset. Undefined
   * when that asset was removed meanwhile (its bytes are no one's now: the caller registers them).
   * With `staged` (a copy's bytes): where the asset's file has gone from disk (deleted by hand,
   * not yet seen), they are put back at its path, not dropped while the answer names an asset
   * with no file.
   */
  private async commitDuplicate(
    existing: AssetRecord,
    updates: JsonObject,
    provenanceInput: ProvenanceInput | null | undefined,
    staged?: { stagedPath: string; staged: HashedFile },
  ): Promise<RegisterResult | undefined> {
    let record = existing;
    let changed = false;
    let provenance: ProvenanceRecord | undefined;
    await this.settleSidecars([existing.uid]);
    const gone = this.store.transaction(() => {
      const current = this.get(existing.uid);
      // (Removed meanwhile, or its file changed: not the holder of these bytes any more.)
      if (!current || this.fileOf(current) === 'changed') return true;
      const putBack = staged && placeStaged(staged.stagedPath, this.absolutePath(current), staged.staged);
      if (putBack) {
        this.store.setFileStamp(this.projectId, current.uid, putBack);
        this.filePlaced(current.path);
      }
      record = this.withHandEdits([current])[0] ?? current;
      changed = record !== current;
      const merged = this.nextMeta(record.meta, mergeMetadata(record.meta, updates), updates, false);
      if (!sameJson(merged, record.meta)) {
        record = { ...record, meta: merged, updatedAt: utcNow() };
        this.store.updateMeta(record);
        changed = true;
      }
      if (provenanceInput) {
        provenance = this.store.addProvenance(
          this.projectId,
          buildProvenance(provenanceInput, record.meta, record, utcNow()),
        );
      }
      return false;
    });
    if (gone) return undefined;
    if (changed || provenance) {
      const done = await this.afterUpdate(record);
      return { ...done, created: false, provenance: provenance ?? done.provenance };
    }
    return { record, created: false, provenance: this.latestProvenance(record.uid) };
  }

  /**
   * Normalised metadata for a write, with the registry's version rule: an explicit version in
   * the update is kept; otherwise any change (or new content) moves the version up by one.
   */
  private nextMeta(
    before: JsonObject,
    after: JsonObject,
    updates: JsonObject,
    contentChanged: boolean,
  ): JsonObject {
    const normalised = normaliseMetadata(after);
    if (updates.version !== undefined && updates.version !== null) return normalised;
    const previous = normaliseVersion(before.version);
    const changed =
      contentChanged ||
      !sameJson(normaliseMetadata({ ...after, version: previous }), normaliseMetadata(before));
    normalised.version = changed ? previous + 1 : previous;
    return normalised;
  }

  // ---------------------------------------------------------------- updates

  /**
   * Updates one asset's metadata. With `ifVersion`, only if the asset is still at that version
   * (a 409 `version_conflict` otherwise): an editor that read version 3 does not overwrite a
   * change made since, by another user, a script or a hand edit of the sidecar. What it changed
   * is recorded as a change that can be undone (`changeId`; null when nothing changed).
   */
  async updateMetadata(
    uid: string,
    metadata: JsonObject,
    mode: UpdateMode = 'merge',
    options: { ifVersion?: number } = {},
  ): Promise<{ record: AssetRecord; changeId: number | null }> {
    await this.settleSidecars([uid]);
    let conflictAt: number | undefined;
    let changeId: number | null = null;
    const record = this.store.transaction(() => {
      const current = this.require(uid);
      const [taken] = this.withHandEdits([current]);
      const tookIn = taken !== current ? taken : undefined;
      const at = normaliseVersion((taken ?? current).meta.version);
      if (options.ifVersion !== undefined && at !== options.ifVersion) {
        // A hand edit found on the way is kept (and its sidecar rewritten) all the same: rolled
        // back, it would move the version again at the next try, which would conflict again.
        conflictAt = at;
        return tookIn;
      }
      const committed = this.commitMetadata(uid, metadata, mode);
      const states = committed && keyChanges((taken ?? current).meta, committed.meta);
      if (states) {
        changeId = this.recordChange({ kind: 'edit', summary: `Edit ${current.path}` });
        this.store.changes.addItems(changeId, [{ uid, ...states }]);
      }
      return committed ?? tookIn;
    });
    const updated = record ? (await this.afterUpdate(record)).record : this.require(uid);
    if (conflictAt !== undefined) {
      throw conflict(
        'version_conflict',
        `Asset ${uid} is at version ${conflictAt}, not ${String(options.ifVersion)}: it changed since it ` +
          'was read. Read it again and redo the edit on top of that version (this edit was not applied).',
        { version: conflictAt },
      );
    }
    return { record: updated, changeId };
  }

  /**
   * @internal The database half of a metadata update: the updated row, or undefined when nothing
   * changed. The caller writes the sidecar and announces it (`afterUpdate` or `writeSidecars`).
   */
  commitMetadata(uid: string, metadata: JsonObject, mode: UpdateMode = 'merge'): AssetRecord | undefined {
    return this.store.transaction(() => {
      const current = this.require(uid);
      const next =
        mode === 'replace' ? replaceMetadata(current.meta, metadata) : mergePatch(current.meta, metadata);
      const meta = this.nextMeta(current.meta, next, metadata, false);
      if (sameJson(meta, current.meta)) return undefined;
      const updated = { ...current, meta, updatedAt: utcNow() };
      this.store.updateMeta(updated);
      return updated;
    });
  }

  /**
   * What renaming a tag would touch: the names trimmed, and every asset with the tag. A 400 for a
   * blank or unchanged name, a 404 for a tag no asset has. The rename is then a bulk edit.
   */
  async tagRename(from: string, to: string): Promise<{ from: string; to: string; ids: string[] }> {
    const edit = { from: from.trim(), to: to.trim() };
    if (!edit.from || !edit.to)
      throw badRequest('Give the tag to rename (from) and its new name (to), not blank.');
    if (edit.from === edit.to) throw badRequest(`The tag is called "${edit.to}" already: give another name.`);
    const ids = await this.searchIds({ tags: [edit.from] }, Number.MAX_SAFE_INTEGER);
    if (!ids.length) throw new AppError(404, 'tag_not_found', `No asset has the tag "${edit.from}".`);
    return { ...edit, ids };
  }

  /**
   * Edits many assets (see {@link editMany}), recorded as one change that can be undone: a tag
   * rename or a bulk edit.
   */
  bulkEdit(
    uids: readonly string[],
    edit: BulkEdit,
    onProgress?: (done: number, total: number) => void,
  ): Promise<EditReport> {
    const summary = describeBulkEdit(edit);
    const kind = edit.renameTag ? 'tag_rename' : 'bulk_edit';
    let changeId: number | undefined;
    return this.editMany(
      uids,
      (meta) => applyBulkEdit(meta, edit),
      () => (changeId ??= this.recordChange({ kind, summary })),
      onProgress,
    );
  }

  /** Starts a change of this project's history (in the caller's transaction): its id. */
  private recordChange(change: NewChange): number {
    return this.store.changes.begin(this.projectId, change, utcNow());
  }

  /** A change of this project's history; a 404 naming where to look when there is none. */
  change(id: number): ChangeRow {
    const row = this.store.changes.get(this.projectId, id);
    if (!row) {
      throw new AppError(
        404,
        'change_not_found',
        `No change ${id} in project ${this.projectId}: the history (GET /api/changes, or the CLI's history) ` +
          'lists the changes kept.',
      );
    }
    return row;
  }

  /**
   * The changes that touched an asset, newest first, each with that asset's item (a 404 for an
   * id that is neither registered nor in the history).
   */
  assetHistory(uid: string, limit: number): Array<{ change: ChangeRow; item: ChangeItem }> {
    const found = this.store.changes.forAsset(this.projectId, uid, limit);
    if (!found.length) this.require(uid);
    return found;
  }

  /**
   * The change an undo would take back: `id`, or the newest one not undone that is not itself an
   * undo (a redo is: so undo after undo walks back through the history). A 404 when there is none, a 409 `already_undone` for one undone already.
   */
  changeToUndo(id?: number): ChangeRow {
    const row = id === undefined ? this.store.changes.latestUndoable(this.projectId) : this.change(id);
    if (!row) {
      throw new AppError(
        404,
        'change_not_found',
        `Nothing to undo in project ${this.projectId}: every edit recorded is undone already.`,
      );
    }
    if (row.undone_by !== null) throw alreadyUndone(row, row.undone_by);
    return row;
  }

  /**
   * Takes back a change (see {@link changeToUndo}): each asset it touched gets the touched keys'
   * earlier values back, unless one of them changed since (then it is left as it is, and listed).
   * The undo is a change of its own: undoing it redoes. With `only`, just those assets' part is
   * taken back (one asset's, from its history): the change stays undoable for the others (an
   * asset taken back already is then "changed since", so it is never taken back twice).
   */
  undo(
    changeId: number,
    onProgress?: (done: number, total: number) => void,
    only?: readonly string[],
  ): Promise<UndoReport> {
    return this.changeFiles(() => this.undoNow(changeId, onProgress, only));
  }

  private async undoNow(
    changeId: number,
    onProgress?: (done: number, total: number) => void,
    only?: readonly string[],
  ): Promise<UndoReport> {
    const log = this.store.changes;
    const original = this.changeToUndo(changeId);
    const picked = only && log.itemsOf(original.id, [...new Set(only)]);
    if (picked && !picked.length)
      throw badRequest(
        `Change ${original.id} did not touch ${only.join(', ')}: nothing of it to undo there.`,
      );
    const undoId = this.store.transaction(() => {
      const id = this.recordChange(partOf(undoOf(original), original, picked?.length));
      if (!picked && !log.claim(original.id, id))
        throw alreadyUndone(original, log.get(this.projectId, original.id)?.undone_by);
      return id;
    });
    const report: UndoReport = {
      undone: original.id,
      changeId: undoId,
      restored: [],
      changedSince: [],
      missing: [],
      failed: [],
    };
    let done = 0;
    const total = picked?.length ?? original.assets;
    try {
      for (let after = ''; ;) {
        const items = picked ? (after ? [] : picked) : log.items(original.id, after, UNDO_PAGE);
        if (!items.length) break;
        after = items[items.length - 1]?.uid ?? after;
        const byUid = new Map(items.map((item) => [item.uid, item]));
        const progress = (n: number): void => onProgress?.(done + n, total);
        const page =
          original.subject === 'path'
            ? await this.moveBack(byUid, undoId, progress)
            : original.subject === 'record'
              ? await this.restoreOrRemove(byUid, undoId, progress)
              : await this.editMany(
                  [...byUid.keys()],
                  (meta, uid) => {
                    const item = byUid.get(uid);
                    return item && holdsStates(meta, item.after) ? withStates(meta, item.before) : undefined;
                  },
                  () => undoId,
                  progress,
                );
        done += items.length;
        // (One edited since is "updated" when a hand edit of its sidecar was taken in: not restored.)
        const since = new Set(page.changedSince);
        report.restored.push(...page.updated.flatMap((r) => (since.has(r.uid) ? [] : [r.uid])));
        report.changedSince.push(...page.changedSince);
        report.missing.push(...page.missing);
        report.failed.push(...(page.failed ?? []));
      }
    } catch (err) {
      // An undo that failed before it took anything back leaves the change undoable (e.g. once a
      // broken sidecar is fixed); one that took some back keeps them, recorded (see release).
      this.store.transaction(() => log.release(original.id, undoId));
      throw err;
    }
    return report;
  }

  /**
   * Edits many assets: a transaction per {@link BULK_CHUNK} assets, the event loop free between
   * them (a server keeps answering: one transaction for 10,000 held it 1.9 s), each chunk's
   * sidecars written while the next one commits. `next` gives an asset's new metadata (before the
   * version rule), or undefined to leave it as it is (listed as changed since). What changed is
   * recorded in the change `changeId()` gives (called once something has, in the transaction that
   * commits it). A sidecar that no longer parses is looked for first, so that 409 still changes
   * nothing. `onProgress` hears how many of the distinct ids are done (edited and their sidecars
   * landed, found unchanged, or unknown) after each chunk.
   */
  private async editMany(
    uids: readonly string[],
    next: (meta: JsonObject, uid: string) => JsonObject | undefined,
    changeId: () => number,
    onProgress?: (done: number, total: number) => void,
  ): Promise<EditReport> {
    const unique = [...new Set(uids)];
    await this.settleSidecars(unique);
    const missing: string[] = [];
    const found: string[] = [];
    const edits: HandEdit[] = [];
    for (let start = 0; start < unique.length; start += BULK_CHUNK) {
      if (start > 0) await nextTurn();
      for (const uid of unique.slice(start, start + BULK_CHUNK)) {
        const current = this.get(uid);
        if (current) {
          found.push(uid);
          edits.push(this.handEdit(current));
        } else {
          missing.push(uid);
          logger.warn({ uid }, `bulk edit skipping unknown asset ${uid}`);
        }
      }
    }
    this.refuseUnreadable(edits);

    const updated: AssetRecord[] = [];
    const unchanged: AssetRecord[] = [];
    const changedSince: string[] = [];
    let recordedIn: number | undefined;
    let done = missing.length;
    const writing = new Set<Promise<void>>();
    let failure: AppError | undefined;
    try {
      for (let start = 0; start < found.length; start += BULK_CHUNK) {
        await nextTurn();
        const chunk = found.slice(start, start + BULK_CHUNK);
        await this.settleSidecars(chunk);
        const changed: AssetRecord[] = [];
        this.store.transaction(() => {
          const rows = chunk.flatMap((uid) => this.get(uid) ?? []); // (removed meanwhile: skipped)
          const items: ChangeItem[] = [];
          this.withHandEdits(rows).forEach((current, i) => {
            const target = next(current.meta, current.uid);
            const meta = target && this.nextMeta(current.meta, target, {}, false);
            if (!meta) changedSince.push(current.uid);
            if (!meta || sameJson(meta, current.meta)) {
              // (A sidecar taken in changed the row all the same: it is written.)
              (current === rows[i] ? unchanged : changed).push(current);
              return;
            }
            const edited = { ...current, meta, updatedAt: utcNow() };
            this.store.updateMeta(edited);
            changed.push(edited);
            const states = keyChanges(current.meta, meta);
            if (states) items.push({ uid: current.uid, ...states });
          });
          if (items.length) this.store.changes.addItems((recordedIn = changeId()), items);
        });
        const write = this.writeSidecars(changed, (record) => {
          updated.push(this.announceUpdated(record));
        }).then((errors) => {
          failure ??= errors.find((error) => error !== undefined);
          done += chunk.length;
          onProgress?.(done, unique.length);
        });
        writing.add(write);
        const settled = (): boolean => writing.delete(write);
        write.then(settled, settled);
        while (writing.size >= BULK_WRITES_IN_FLIGHT) await Promise.race(writing);
      }
    } finally {
      // (A chunk that fails, e.g. a sidecar broken by hand meanwhile, ends the edit once the
      // chunks before it have written their sidecars.)
      await Promise.allSettled(writing);
    }
    if (failure) throw failure;
    return { updated: [...updated, ...unchanged], missing, changedSince, changeId: recordedIn ?? null };
  }

  /**
   * What an asset's sidecar on disk says that its row does not: nothing when the registry wrote
   * it last (its mtime is the one recorded) or it agrees; else its metadata, taken as a rebuild
   * takes a hand edit (the user's wins), or that it no longer parses.
   */
  private handEdit(record: AssetRecord): HandEdit {
    const state = this.store.fileStateAt(this.projectId, record.path);
    const abs = path.join(this.paths.assetsRoot, record.path);
    const stat = statIfThere(abs + SIDECAR_SUFFIX);
    if (!state || !stat || stat.mtimeMs === state.sidecar_mtime_ms) return undefined;
    const onDisk = readSidecarFile(abs, record.meta, { sidecar: true, legacy: false });
    if (onDisk && 'error' in onDisk) return { unreadable: sidecarRelPath(record.path) };
    // No mtime recorded: no sidecar write of this row has landed yet (a new row; changed rows
    // keep theirs and are marked due). The one on disk was read in when the row was made, or
    // is an older state of ours: not an edit.
    if (state.sidecar_mtime_ms === null) return undefined;
    const meta = onDisk && metadataFromSidecar(record.meta, onDisk.meta);
    return meta && { meta };
  }

  /**
   * These rows with their hand-edited sidecars taken in (in the caller's transaction), so that an
   * edit through the API lands on top of the user's instead of overwriting it. A sidecar that no
   * longer parses is a 409 naming each such one, and nothing changes: it may hold hand edits that
   * only their author can put right (or enforce's overwrite, on request). Call after
   * {@link settleSidecars}: a write of this process still in flight would look like a hand edit.
   */
  private withHandEdits(records: readonly AssetRecord[]): AssetRecord[] {
    const edits = records.map((record) => this.handEdit(record));
    this.refuseUnreadable(edits);
    return records.map((record, i) => this.takeIn(record, edits[i]));
  }

  /** The 409 for hand edits that no longer parse (see {@link withHandEdits}), if any. */
  private refuseUnreadable(edits: readonly HandEdit[]): void {
    const unreadable = edits.flatMap((edit) => (edit && 'unreadable' in edit ? [edit.unreadable] : []));
    if (!unreadable.length) return;
    const named =
      unreadable.slice(0, 5).join(', ') + (unreadable.length > 5 ? ` and ${unreadable.length - 5} more` : '');
    throw conflict(
      'sidecar_invalid',
      `${named} changed on disk and no longer parse as JSON; they may hold edits made by hand, so ` +
        "they are not overwritten. Fix them by hand, or rewrite them from the registry (the studio's " +
        '"Rewrite sidecars…", enforce with overwrite: true, or the CLI\'s enforce --overwrite), then try again.',
      { sidecars: unreadable },
    );
  }

  /** The row with a hand edit found by {@link handEdit} taken in (written to the store). */
  private takeIn(record: AssetRecord, edit: HandEdit): AssetRecord {
    if (!edit || !('meta' in edit)) return record;
    const taken = { ...record, meta: this.nextMeta(record.meta, edit.meta, {}, false), updatedAt: utcNow() };
    this.store.updateMeta(taken);
    return taken;
  }

  /** Resolves once this process's sidecar writes of these assets that are under way have landed. */
  settleSidecars(uids: Iterable<string>): Promise<void> {
    return this.sidecars.settled([...new Set(uids)].map((uid) => this.sidecarKey(uid)));
  }

  /** Removes one asset (404 if unknown); see {@link removeMany}. */
  async remove(
    uid: string,
    options: { deleteFile?: boolean; trash?: boolean } = {},
  ): Promise<RemovedFile & { changeId: number | null }> {
    const { path: rel } = this.require(uid);
    const deleteFiles = options.deleteFile ?? false;
    const { removed, changeId } = await this.removeMany([uid], {
      deleteFiles,
      trash: options.trash ?? true,
      change: removalChange(`${deleteFiles ? 'Delete' : 'Remove'} ${rel}`),
    });
    const done = removed[0] ?? { uid, fileDeleted: false, fileKeptReason: 'the asset was removed meanwhile' };
    return { ...done, changeId };
  }

  /**
   * @internal A rebuild's removal of the rows whose files it found gone, as one change (one undo
   * puts them all back once their files are): looked at again holding the file lease, so that a
   * file another process is moving at that moment (gone from its old path, its row not yet at the
   * new one) is not taken for a missing one. A row that has moved or gone meanwhile, or whose
   * file is back, is left. Returns how many were removed, and the change that records it.
   */
  async removeIfFilesGone(
    states: ReadonlyArray<{ uid: string; path: string }>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ removed: number; changeId: number | null }> {
    const none = { removed: 0, changeId: null };
    if (!states.length) return none;
    return this.changeFiles(async () => {
      const gone = states.filter((state) => {
        const now = this.get(state.uid);
        return now?.path === state.path && !fs.existsSync(this.absolutePath(now));
      });
      const [first] = gone;
      if (!first) return none;
      const summary =
        gone.length === 1 ? `Remove ${first.path}` : `Remove ${gone.length} assets whose files are gone`;
      const uids = gone.map((state) => state.uid);
      const { removed, changeId } = await this.removeManyNow(
        uids,
        { change: removalChange(summary) },
        onProgress,
      );
      return { removed: removed.length, changeId };
    });
  }

  /**
   * Removes assets from the registry: their rows (a transaction per {@link BULK_CHUNK}, the event
   * loop free between them), then their sidecars, mirrors and previews, and with `deleteFiles`
   * their files (never one another project registered too): into the trash, one batch per call
   * (see files/trash.ts), or for good when the trash is off or `trash: false`. Unknown ids are listed as missing.
   * The removal is recorded as `change`: each asset's row and where its file went, to put it
   * back. `onProgress` hears how many of the distinct ids are done after each chunk.
   */
  removeMany(
    uids: readonly string[],
    options: { deleteFiles?: boolean; trash?: boolean; change?: NewChange | (() => number) } = {},
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ removed: RemovedFile[]; missing: string[]; changeId: number | null }> {
    return this.changeFiles(() => this.removeManyNow(uids, options, onProgress));
  }

  private async removeManyNow(
    uids: readonly string[],
    options: { deleteFiles?: boolean; trash?: boolean; change?: NewChange | (() => number) } = {},
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ removed: RemovedFile[]; missing: string[]; changeId: number | null }> {
    const unique = [...new Set(uids)];
    const removed: RemovedFile[] = [];
    const missing: string[] = [];
    const { change, deleteFiles = false } = options;
    const { trash } = this.ctx;
    let changeId: number | null = null;
    const recordIn = (): number =>
      (changeId ??= typeof change === 'function' ? change() : this.recordChange(change as NewChange));
    let batch: string | undefined;
    const trashBatch = (): string | undefined =>
      deleteFiles && trash.enabled && options.trash !== false
        ? (batch ??= trash.batchName(change ? recordIn() : null))
        : undefined;
    for (let start = 0; start < unique.length; start += BULK_CHUNK) {
      if (start > 0) await nextTurn();
      const chunk = unique.slice(start, start + BULK_CHUNK);
      const records = this.store.transaction(() => {
        const gone = chunk.flatMap((uid) => {
          const record = this.get(uid);
          if (!record) missing.push(uid);
          else this.store.delete(this.projectId, uid);
          return record ? [record] : [];
        });
        if (change && gone.length) {
          const into = trashBatch();
          this.store.changes.addItems(
            recordIn(),
            gone.map((record) => ({
              uid: record.uid,
              ...removalStates(record, into && `${into}/${record.path}`),
            })),
          );
        }
        return gone;
      });
      // A sidecar write already under way lands first, so it cannot bring a sidecar back after
      // it is deleted (a write that starts later finds no row and writes nothing).
      await this.settleSidecars(records.map((r) => r.uid));
      // Their events go to the log together once the chunk's files are done: one commit instead
      // of one per asset (a rebuild removing a deleted folder's 4,000 rows: ~0.2 s less).
      const announcements: Array<() => void> = [];
      const deletedHere: string[] = [];
      try {
        for (const record of records) {
          // (The file first: a trashed one takes its sidecar along.)
          const file: Omit<RemovedFile, 'uid'> = deleteFiles
            ? this.deleteFile(record, trashBatch())
            : { fileDeleted: false };
          if (file.fileDeleted) deletedHere.push(record.path);
          // A rebuild (or the live folder) that found the file may have registered it again
          // meanwhile (then it is kept, see deleteFile): the sidecar there is that row's now, and
          // so are the previews when it got the same id (from its bytes, or the sidecar).
          const again = this.atPath(record.path);
          if (!again) this.sidecars.remove(record.path);
          if (again?.uid !== record.uid)
            for (const name of previewFileNames(record.uid))
              unlinkIfThere(path.join(this.paths.thumbsRoot, name));
          removed.push({ uid: record.uid, ...file });
          announcements.push(() => {
            this.emit('asset_removed', {
              uid: record.uid,
              type: record.type,
              path: record.path,
              sidecar: sidecarRelPath(record.path),
              meta: normaliseMetadata(record.meta),
              bytes: record.bytes,
              ...(file.trashed ? { trashed: file.trashed } : {}),
            });
            // (Its registration's event may have gone out before this one: the last word is that it is there.)
            if (again?.uid === record.uid) this.announceCreated(again);
          });
        }
      } finally {
        this.store.transaction(() => announcements.forEach((announce) => announce()));
      }
      // A model that named a deleted file says it is missing.
      this.rereadModelsNaming(deletedHere);
      onProgress?.(start + chunk.length, unique.length);
    }
    if (batch) this.expireTrash();
    return { removed, missing, changeId };
  }

  /**
   * An undo's half for removals (and their redo): each removed asset whose file is still there
   * with the same bytes, its path and id free, is registered again as it was (id, type, metadata,
   * first registration date; its sidecar written, its previews made again); a redo removes again
   * those still as the undo left them. Others are listed: edited (or back) since, or `failed`
   * with why (the file deleted, another asset at its path).
   */
  private async restoreOrRemove(
    items: ReadonlyMap<string, ChangeItem>,
    undoId: number,
    onProgress: (done: number) => void,
  ): Promise<EditReport> {
    const report: EditReport = { updated: [], missing: [], changedSince: [], failed: [], changeId: undoId };
    const again: string[] = [];
    let done = 0;
    for (const item of items.values()) {
      const back = snapshotIn(item.before);
      if (back) {
        const outcome = await this.restoreRemoved(item.uid, back, undoId);
        if (outcome === 'changed') report.changedSince.push(item.uid);
        else if (outcome instanceof AppError)
          report.failed?.push({
            id: item.uid,
            path: back.path,
            code: outcome.code,
            message: outcome.message,
          });
        else report.updated.push(outcome);
      } else {
        const gone = snapshotIn(item.after);
        const current = this.get(item.uid);
        if (current && gone && current.path === gone.path && current.hash === gone.hash) again.push(item.uid);
        else if (current) report.changedSince.push(item.uid);
        else report.missing.push(item.uid);
      }
      if (++done % BULK_CHUNK === 0) onProgress(done);
    }
    // Files deleted again where the removal had, or that the import wrote (into the trash).
    for (const [uids, deleteFiles] of [
      [again.filter((uid) => !deletesFile(items, uid)), false],
      [again.filter((uid) => deletesFile(items, uid)), true],
    ] as const) {
      if (!uids.length) continue;
      const records = this.getMany(uids);
      await this.removeManyNow(uids, { deleteFiles, change: () => undoId });
      report.updated.push(...records);
    }
    onProgress(done);
    return report;
  }

  /** One removed asset registered again as `snapshot` kept it (see {@link restoreOrRemove}). */
  private async restoreRemoved(
    uid: string,
    snapshot: RemovedSnapshot,
    undoId: number,
  ): Promise<AssetRecord | 'changed' | AppError> {
    if (this.get(uid)) return 'changed';
    const abs = path.join(this.paths.assetsRoot, snapshot.path);
    const found = await this.untrash(uid, snapshot, abs);
    if (found === 'changed' || found instanceof AppError) return found;
    const outcome = await this.registerRestored(uid, snapshot, abs, undoId);
    // A file brought back from the trash for an asset that then cannot come back (its id taken
    // meanwhile, say by an upload of the same bytes) goes back there: left at its path, it and its
    // sidecar would be files no row knows. Unless something registered it there meanwhile.
    if (
      (outcome === 'changed' || outcome instanceof AppError) &&
      found === 'from the trash' &&
      !this.store.getByPath(this.projectId, snapshot.path)
    ) {
      this.ctx.trash.putBack(snapshot.trash as string, abs);
      this.vacated();
    }
    return outcome;
  }

  /** The row of a removed asset whose file is back at its path (see {@link restoreRemoved}). */
  private async registerRestored(
    uid: string,
    snapshot: RemovedSnapshot,
    abs: string,
    undoId: number,
  ): Promise<AssetRecord | 'changed' | AppError> {
    // (It may go while it is read: a removal, an upload or another undo at work meanwhile.)
    const file = await this.hashIfThere(abs);
    if (!file)
      return conflict(
        'file_missing',
        `${snapshot.path} went from disk as asset ${uid} was brought back, so it cannot come back.`,
      );
    if (file.hash !== snapshot.hash) return 'changed';
    const now = utcNow();
    const record = this.withPlannedPreview({
      projectId: this.projectId,
      uid,
      type: snapshot.type,
      path: snapshot.path,
      hash: file.hash,
      bytes: file.bytes,
      meta: normaliseMetadata({ ...snapshot.meta, version: normaliseVersion(snapshot.meta.version) + 1 }),
      createdAt: snapshot.created_at,
      updatedAt: now,
      thumb: null,
    });
    const committed = this.store.transaction(() => {
      // (Checked again here: another process may have registered something meanwhile.)
      if (this.get(uid)) return 'changed';
      const atPath = this.store.getByPath(this.projectId, snapshot.path);
      if (atPath) return pathTaken(atPath.uid, snapshot.path, uid);
      this.store.insert(record, file);
      if (hasPreview(record.path)) this.store.queuePreview(this.projectId, uid, record.hash);
      const provenance = this.store.addProvenance(
        this.projectId,
        buildProvenance(
          { source: 'registry.undo', inputs: { path: snapshot.path } },
          record.meta,
          record,
          now,
        ),
      );
      this.store.changes.addItems(undoId, [{ uid, before: { record: [] }, after: { record: [snapshot] } }]);
      return { record, provenance };
    });
    // (A file brought back from the trash stays at its path even so: a watch or a rebuild that
    // registered it meanwhile holds it now.)
    if (committed === 'changed' || committed instanceof AppError) return committed;
    return (await this.afterCreate(committed)).record;
  }

  /**
   * Where a removed asset's file is for {@link restoreRemoved}: still at its path (a removal that
   * kept it, or a file registered elsewhere too), else brought back from the trash when it is
   * there with the bytes it had (and its path free on disk and in the registry). Says which, or
   * why it cannot come back.
   */
  private async untrash(
    uid: string,
    snapshot: RemovedSnapshot,
    abs: string,
  ): Promise<'in place' | 'from the trash' | 'changed' | AppError> {
    const { trash } = this.ctx;
    const trashed = snapshot.trash && trash.locate(snapshot.trash);
    const inTrash = !!trashed && fs.existsSync(trashed);
    const atPath = fs.existsSync(abs);
    const missing = (): AppError =>
      conflict(
        'file_missing',
        snapshot.trash
          ? `${snapshot.path} was deleted and is no longer in the trash (emptied, or kept longer than ` +
              `${trash.keepDays} days), so asset ${uid} cannot come back.`
          : `${snapshot.path} is no longer on disk, so asset ${uid} cannot come back.`,
      );
    const taken = (): AppError =>
      conflict(
        'path_taken',
        `A file is at ${snapshot.path} now, so the deleted file of asset ${uid} stays in the trash ` +
          `(${TRASH_DIR}/${snapshot.trash}).`,
      );
    // Still (or again) at its path with its bytes: a removal that kept it, a file another
    // project registered too, one put back by hand. (Each file may go while it is read: a
    // removal, an upload or another undo at work meanwhile. That answered a 500.)
    if (atPath && !inTrash) return 'in place';
    if (atPath) {
      const here = await this.hashIfThere(abs);
      if (here?.hash === snapshot.hash) return 'in place';
      if (here) return taken();
    }
    const kept = trashed ? await this.hashIfThere(trashed) : undefined;
    if (!kept) return missing();
    if (kept.hash !== snapshot.hash) return 'changed';
    const holder = this.store.getByPath(this.projectId, snapshot.path);
    if (holder) return pathTaken(holder.uid, snapshot.path, uid);
    try {
      trash.takeBack(snapshot.trash as string, abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return taken();
    }
    this.filePlaced(snapshot.path);
    return 'from the trash';
  }

  // ---------------------------------------------------------------- moves

  /** Moves (or renames) one asset's file to `to` (relative to the assets root); see {@link moveMany}. */
  move(
    uid: string,
    to: string,
    options: MoveOptions = {},
  ): Promise<{ record: AssetRecord; changeId: number | null; resources?: ResourcesMoved }> {
    return this.changeFiles(async () => {
      const from = this.require(uid).path;
      const { report, errors } = await this.relocateWithResources(
        [uid],
        () => to,
        () =>
          this.recordChange({
            kind: 'move',
            subject: 'path',
            summary: `Move ${from} to ${this.require(uid).path}`,
          }),
        options,
      );
      const error = errors.get(uid);
      if (error) throw error;
      const { changeId, resources } = report;
      return { record: this.require(uid), changeId, ...(resources ? { resources } : {}) };
    });
  }

  /**
   * Moves assets' files within the assets root, each to `destination(record)`, keeping their ids,
   * metadata and previews: the row first (a crash before the file moves leaves a row whose file
   * a rebuild finds at the old path by its inode, and moves back), then the old sidecar and its
   * mirror go, then the file (never over one already there, see `moveFileNoReplace`), then the
   * new sidecar is written from the row, which took in any hand edit of the old one first. A type
   * that was its folder's follows the file (as a rebuild types it there). Each asset that cannot
   * move is reported with why and the others go on; `asset_moved` and `asset_meta_updated` are
   * announced for each moved one. A 3D model moved to another folder takes along the files it
   * names inside its own folder, to the same places beside it (see `model-resources.ts`), in the
   * same change, unless `leaveResources`.
   */
  moveMany(
    uids: readonly string[],
    destination: (record: AssetRecord) => string,
    summary: string,
    onProgress?: (done: number, total: number) => void,
    options: MoveOptions = {},
  ): Promise<MoveReport> {
    return this.changeFiles(async () => {
      const moved = await this.relocateWithResources(
        uids,
        destination,
        { kind: 'move', subject: 'path', summary },
        options,
        onProgress,
      );
      return moved.report;
    });
  }

  /**
   * {@link relocate}, then the files the moved models name, after them (a model that could not
   * move keeps its files beside it). A file asked for that a moved model names goes where the
   * model finds it. Those moved along are in `moved`; those left, or that could not move, in
   * `resources.not_moved` with why.
   */
  private async relocateWithResources(
    uids: readonly string[],
    destination: (record: AssetRecord) => string,
    change: NewChange | (() => number),
    options: MoveOptions,
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ report: MoveReport; errors: Map<string, AppError> }> {
    const plan = options.leaveResources ? undefined : await this.planResources(uids, destination);
    const first = await this.relocate(
      uids,
      plan ? (record) => plan.targets.get(record.uid)?.to ?? destination(record) : destination,
      change,
      onProgress,
    );
    if (!plan) return first;
    const { report, errors } = first;
    const movedModels = new Set(report.moved.map((m) => m.id));
    const asked = new Set(uids);
    const along = [...plan.targets].filter(([uid, t]) => !asked.has(uid) && movedModels.has(t.model));
    const resources: ResourcesMoved = {
      moved: [],
      not_moved: plan.notMoved.filter((n) => movedModels.has(n.model)),
    };
    if (along.length) {
      const changeId = report.changeId as number;
      const second = await this.relocate(
        along.map(([uid]) => uid),
        (record) => plan.targets.get(record.uid)?.to ?? record.path,
        () => changeId,
        onProgress && ((done, total) => onProgress(asked.size + done, asked.size + total)),
      );
      report.moved.push(...second.report.moved);
      for (const failed of second.report.failed) {
        const target = plan.targets.get(failed.id);
        if (target)
          resources.not_moved.push({ model: target.model, uri: target.uri, reason: failed.message });
      }
      // Read again now their files are there (the move of each queued it before).
      this.rereadModels(
        [...new Set(second.report.moved.map((m) => plan.targets.get(m.id)?.model))].flatMap(
          (uid) => (uid && this.get(uid)) || [],
        ),
      );
    }
    for (const { id, to } of report.moved) {
      const target = plan.targets.get(id);
      if (target && movedModels.has(target.model))
        resources.moved.push({ id, path: to, model: target.model });
    }
    if (resources.moved.length || resources.not_moved.length) report.resources = resources;
    return { report, errors };
  }

  /**
   * The files the models among `uids` would take along to `destination` (see
   * `model-resources.ts`); undefined when no model moves. Their facts as last read, or read now
   * when not read yet.
   */
  private async planResources(
    uids: readonly string[],
    destination: (record: AssetRecord) => string,
  ): Promise<ResourcePlan | undefined> {
    const models: MovingModel[] = [];
    for (const uid of new Set(uids)) {
      const record = this.get(uid);
      if (!record || previewKind(record.path) !== 'model') continue;
      let to: string;
      try {
        to = resolveUnder(this.paths.assetsRoot, destination(record), 'path').rel;
      } catch {
        continue; // (Refused with why when it is moved.)
      }
      const facts = await this.modelFiles(record);
      if (facts && facts.resources.length) models.push({ uid, path: record.path, to, ...facts });
    }
    if (!models.length) return undefined;
    const moving = new Set(uids);
    const { naming } = this.modelFileIndex();
    return planResourceMoves(models, {
      atPath: (rel) => this.store.getByPath(this.projectId, rel),
      otherModelsNaming: (rel) => (naming.get(rel) ?? []).filter((model) => !moving.has(model.uid)),
    });
  }

  /** The files a model names and those missing, as its facts last said, else read now (undefined: unreadable). */
  private async modelFiles(
    record: AssetRecord,
  ): Promise<{ resources: string[]; missing: string[] } | undefined> {
    const preview = record.meta.preview;
    if (isJsonObject(preview) && preview.kind === 'model' && Array.isArray(preview.resources))
      return { resources: stringsIn(preview.resources), missing: stringsIn(preview.missing) };
    try {
      const source = path.join(this.paths.assetsRoot, record.path);
      const { resources, missing } = await this.ctx.pool.modelFacts({
        source,
        root: this.paths.assetsRoot,
        relPath: record.path,
      });
      return { resources, missing };
    } catch {
      return undefined;
    }
  }

  /** Has models' facts (which files they name are missing) read again. */
  private rereadModels(records: readonly AssetRecord[]): void {
    for (const record of records) this.store.queuePreview(this.projectId, record.uid, record.hash);
    if (records.length) this.ctx.previews.kick();
  }

  /**
   * @internal Has the models that lacked a file at one of `paths` (under the root: a file
   * registered, uploaded, moved or copied there) read their facts again, so they find it.
   */
  rereadModelsLacking(paths: Iterable<string>): void {
    this.rereadModelsAt(paths, 'lacking');
  }

  /**
   * @internal Has the models that name a file at one of `paths` (moved away from there, or gone)
   * read their facts again, so they say it is missing.
   */
  rereadModelsNaming(paths: Iterable<string>): void {
    this.rereadModelsAt(paths, 'naming');
  }

  private rereadModelsAt(paths: Iterable<string>, which: 'lacking' | 'naming'): void {
    const rels = [...paths];
    // (No path, no index: a rebuild that moved and lost nothing reads no model.)
    if (!rels.length) return;
    const models = this.modelFileIndex()[which];
    const uids = new Set(rels.flatMap((rel) => (models.get(rel) ?? []).map((model) => model.uid)));
    this.rereadModels([...uids].flatMap((uid) => this.get(uid) ?? []));
  }

  /** {@link filesOfModels}, read from the store again when another connection has committed. */
  private modelFileIndex(): NonNullable<AssetRegistry['filesOfModels']> {
    const others = this.store.othersCommitted;
    if (this.filesOfModels?.others === others) return this.filesOfModels;
    return this.indexModelFiles(others, this.store.modelsNamingFiles(this.projectId));
  }

  private indexModelFiles(others: number, models: ModelFiles[]): NonNullable<AssetRegistry['filesOfModels']> {
    models.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const by = (uris: (model: ModelFiles) => string[]): Map<string, ModelFiles[]> => {
      const map = new Map<string, ModelFiles[]>();
      for (const model of models) {
        for (const uri of uris(model)) {
          const rel = relatedPath(model.path, uri);
          if (rel !== undefined) map.set(rel, [...(map.get(rel) ?? []), model]);
        }
      }
      return map;
    };
    this.filesOfModels = {
      others,
      models,
      naming: by((model) => model.resources),
      lacking: by((model) => model.missing),
    };
    return this.filesOfModels;
  }

  /** Keeps {@link filesOfModels} in step with a model's facts just recorded here. */
  private noteModelFacts(record: AssetRecord): void {
    if (!this.filesOfModels) return;
    const preview = isJsonObject(record.meta.preview) ? record.meta.preview : {};
    const facts = preview.kind === 'model' ? preview : {};
    const resources = stringsIn(facts.resources);
    const models = this.filesOfModels.models.filter((m) => m.uid !== record.uid);
    if (resources.length)
      models.push({ uid: record.uid, path: record.path, resources, missing: stringsIn(facts.missing) });
    this.indexModelFiles(this.filesOfModels.others, models);
  }

  /**
   * The 3D models whose facts found files they name missing (by path), the first `limit` of them
   * with those files (their URIs, as named), and how many there are.
   */
  modelsMissingFiles(limit: number): {
    total: number;
    items: Array<{ uid: string; path: string; missing: string[] }>;
  } {
    // (One removed or moved since its facts were read is not listed: a move reads them again.)
    const models = this.modelFileIndex()
      .models.filter((m) => m.missing.length && this.get(m.uid)?.path === m.path)
      .map(({ uid, path: rel, missing }) => ({ uid, path: rel, missing }));
    return { total: models.length, items: models.slice(0, limit) };
  }

  /**
   * An undo's half for moves: each asset still at the path the move gave it goes back to where it
   * was (never over a file there: then it is listed in `failed`); one moved again since stays.
   */
  private async moveBack(
    items: ReadonlyMap<string, ChangeItem>,
    undoId: number,
    onProgress: (done: number) => void,
  ): Promise<EditReport> {
    const stays = new Set<string>();
    const { report } = await this.relocate(
      [...items.keys()],
      (record) => {
        const item = items.get(record.uid);
        const back = item && record.path === pathIn(item.after) ? pathIn(item.before) : undefined;
        if (back === undefined) stays.add(record.uid);
        return back ?? record.path;
      },
      () => undoId,
      onProgress,
    );
    const unchanged = report.unchanged.filter((uid) => !stays.has(uid));
    return {
      updated: [...report.moved.map((m) => m.id), ...unchanged].flatMap((uid) => this.get(uid) ?? []),
      missing: report.missing,
      changedSince: [...stays],
      failed: report.failed,
      changeId: undoId,
    };
  }

  /** {@link moveMany}, with each asset's refusal as thrown (for {@link move} to throw as it is). */
  private async relocate(
    uids: readonly string[],
    destination: (record: AssetRecord) => string,
    change: NewChange | (() => number),
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ report: MoveReport; errors: Map<string, AppError> }> {
    const unique = [...new Set(uids)];
    const report: MoveReport = { moved: [], unchanged: [], missing: [], failed: [], changeId: null };
    const changeId = (): number =>
      (report.changeId ??= typeof change === 'function' ? change() : this.recordChange(change));
    const errors = new Map<string, AppError>();
    for (let start = 0; start < unique.length; start += BULK_CHUNK) {
      if (start > 0) await nextTurn();
      const chunk = unique.slice(start, start + BULK_CHUNK);
      await this.settleSidecars(chunk);
      const moved: Array<{ record: AssetRecord; from: string }> = [];
      // (No await in this loop: no sidecar write of these assets starts while their files move.)
      const stayed: AssetRecord[] = [];
      for (const uid of chunk) {
        const record = this.get(uid);
        if (!record) {
          report.missing.push(uid);
          continue;
        }
        try {
          const to = this.moveTarget(record, destination(record));
          if (to === undefined) report.unchanged.push(uid);
          else moved.push({ record: this.moveFile(record, to, stayed, changeId), from: record.path });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          errors.set(uid, err);
          report.failed.push({ id: uid, path: record.path, code: err.code, message: err.message });
        }
      }
      if (stayed.length) await this.writeSidecars(stayed);
      // A write queued between the settle above and the moves (a request served meanwhile) may
      // have read the old path: it lands first, and its sidecar is removed again. Writes queued
      // from here on read the new path.
      await this.settleSidecars(moved.map(({ record }) => record.uid));
      for (const { from } of moved) this.sidecars.remove(from);
      // A model finds the files it names beside it: which are missing is read again where it is
      // now; so is a model that lacked a file moved in.
      this.rereadModels(
        moved.flatMap(({ record }) => (previewKind(record.path) === 'model' ? [record] : [])),
      );
      this.rereadModelsLacking(moved.map(({ record }) => record.path));
      this.rereadModelsNaming(moved.map(({ from }) => from));
      const unwritten = await this.writeSidecars(moved.map((m) => m.record));
      moved.forEach(({ record, from }, i) => {
        // A sidecar that could not be written: the move stands all the same (its row is marked
        // due, so the next rebuild writes it).
        if (unwritten[i])
          logger.warn({ err: unwritten[i], uid: record.uid }, 'sidecar after a move not written');
        this.emit('asset_moved', { uid: record.uid, type: record.type, from, to: record.path });
        this.announceUpdated(record);
        report.moved.push({ id: record.uid, from, to: record.path });
      });
      onProgress?.(start + chunk.length, unique.length);
    }
    // (Begun for a move whose every file then failed: no change to show.)
    if (typeof change !== 'function' && report.changeId !== null && !report.moved.length) {
      this.store.changes.dropEmpty(report.changeId);
      report.changeId = null;
    }
    return { report, errors };
  }

  /**
   * Where {@link moveMany} puts each asset for "move into this folder" (names kept): checked once,
   * before anything moves (a 400 naming what is wrong with the folder).
   */
  folderDestination(folder: string): ((record: AssetRecord) => string) & { folder: string } {
    const clean = resolveUnder(this.paths.assetsRoot, folder, 'folder').rel;
    const segments = clean.split('/');
    if (
      RESERVED_TOP.has(segments[0] ?? '') ||
      segments.includes('_meta') ||
      segments.some((s) => s.startsWith('.'))
    ) {
      throw badRequest(
        `folder must not be hidden (starting with '.') or inside the registry's own _meta or .staging folders; got ${clean}.`,
      );
    }
    return Object.assign((record: AssetRecord) => `${clean}/${path.posix.basename(record.path)}`, {
      folder: clean,
    });
  }

  /** Where an asset may move: the cleaned target, undefined when it is there already, or why not. */
  private moveTarget(record: AssetRecord, requested: string): string | undefined {
    const to = this.checkAssetRelPath(resolveUnder(this.paths.assetsRoot, requested, 'path').rel, 'path');
    if (to === record.path) return undefined;
    const ext = (p: string): string => path.posix.extname(p).toLowerCase();
    if (ext(to) !== ext(record.path)) {
      throw badRequest(
        `A move keeps the file's extension: ${record.path} cannot become ${to}. ` +
          `Name it ${to.slice(0, to.length - path.posix.extname(to).length)}${path.posix.extname(record.path)}.`,
      );
    }
    const there = this.store.getByPath(this.projectId, to);
    if (there) throw conflict('path_taken', `Asset ${there.uid} is already registered at ${to}.`);
    if (fs.existsSync(path.join(this.paths.assetsRoot, to))) throw fileThere(to);
    // A sidecar left there by an asset removed earlier may hold someone's edits: not written over.
    if (fs.existsSync(path.join(this.paths.assetsRoot, sidecarRelPath(to)))) {
      throw conflict(
        'path_taken',
        `A sidecar is already at ${sidecarRelPath(to)} (of no asset there); it is not overwritten. ` +
          'Move or delete it first, or choose another name.',
      );
    }
    const others = this.store.pathUsers(record.path).filter((u) => u.project_id !== this.projectId);
    if (others.length) {
      throw conflict(
        'shared_file',
        `${record.path} is also registered in project ${[...new Set(others.map((u) => u.project_id))].join(', ')}: ` +
          'moving it would take it from there. Register a copy instead.',
      );
    }
    return to;
  }

  /**
   * Commits the move of one asset's row with its item in the change (`changeId`: one commit, so a
   * crash after it leaves a move History can undo), removes its old sidecar and mirror, then moves
   * its file. If the file cannot move, the row goes back, its item is taken out and, the file still
   * there, it is added to `stayed` (its sidecar to write again). The old sidecar goes before the
   * file, not after: a crash between the two then leaves the file at its old path without one (the
   * next rebuild moves the row back by the file's inode and writes it), where the other order left
   * a sidecar of no file at the old path for good. The row took in any hand edit of it first.
   */
  private moveFile(
    record: AssetRecord,
    to: string,
    stayed: AssetRecord[],
    changeId: () => number,
  ): AssetRecord {
    const fromAbs = path.join(this.paths.assetsRoot, record.path);
    const toAbs = path.join(this.paths.assetsRoot, to);
    if (!fs.existsSync(fromAbs)) {
      throw conflict(
        'file_missing',
        `The file of asset ${record.uid} is missing (${record.path}): run a rebuild.`,
      );
    }
    const current = this.store.transaction(() => this.withHandEdits([record])[0] ?? record);
    const type = current.type === typeForPath(current.path) ? typeForPath(to) : current.type;
    const moved: AssetRecord = { ...current, type, path: to, updatedAt: utcNow() };
    const id = this.store.transaction(() => {
      this.store.update(moved);
      const id = changeId();
      this.store.changes.addItems(id, [{ uid: current.uid, ...pathStates(current.path, to) }]);
      return id;
    });
    this.sidecars.remove(current.path);
    try {
      fs.mkdirSync(path.dirname(toAbs), { recursive: true });
      moveFileNoReplace(fromAbs, toAbs);
      this.vacated();
    } catch (err) {
      this.store.transaction(() => {
        this.store.update(current);
        this.store.changes.removeItem(id, current.uid);
      });
      // (A file gone meanwhile, moved by hand, gets its sidecar where a rebuild finds it.)
      if (fs.existsSync(fromAbs)) stayed.push(current);
      const { code, message } = err as NodeJS.ErrnoException;
      throw code === 'EEXIST'
        ? fileThere(to)
        : conflict('move_failed', `${record.path} could not be moved to ${to}: ${message}`);
    }
    this.filePlaced(to);
    return moved;
  }

  /**
   * Records assets registered from files the registry wrote (an import) as one change, so that
   * undoing it removes them and moves their files to the trash (those still at their paths with
   * their bytes), and a redo brings them back. Null when there are none.
   */
  recordImport(summary: string, uids: readonly string[]): number | null {
    return this.recordCreated(uids, () => this.recordChange({ kind: 'import', subject: 'record', summary }));
  }

  /**
   * Records an uploaded file's new asset as {@link recordImport} does, in one change per upload
   * `session` (the studio's drop of many files: one Undo takes them all back), named after how
   * many files it holds. A session whose change was undone, or is gone, starts a new one; so
   * does one that holds this asset already (uploaded, removed and uploaded again: its id is its
   * bytes'), since a change holds each asset once.
   */
  recordUpload(session: string, uid: string, name: string): number | null {
    const known = this.uploadSessions.get(session);
    const change = known && this.store.changes.get(this.projectId, known.changeId);
    const live =
      change && change.undone_by === null && !this.store.changes.itemsOf(change.id, [uid]).length
        ? known
        : undefined;
    const files = live ? live.files + 1 : 1;
    const summary = files === 1 ? `Upload ${name}` : `Upload ${files} files`;
    const id = this.recordCreated([uid], () => {
      if (!live) return this.recordChange({ kind: 'upload', subject: 'record', summary });
      this.store.changes.rename(live.changeId, summary);
      return live.changeId;
    });
    if (id !== null) {
      this.uploadSessions.delete(session); // (kept in the order last used)
      this.uploadSessions.set(session, { changeId: id, files });
      for (const old of this.uploadSessions.keys()) {
        if (this.uploadSessions.size <= UPLOAD_SESSIONS_KEPT) break;
        this.uploadSessions.delete(old);
      }
    }
    return id;
  }

  /** Adds the registrations of these assets, whose files the registry wrote, to the change `into` gives. */
  private recordCreated(uids: readonly string[], into: () => number): number | null {
    const records = this.getMany(uids);
    if (!records.length) return null;
    return this.store.transaction(() => {
      const id = into();
      this.store.changes.addItems(
        id,
        records.map((record) => ({
          uid: record.uid,
          before: { record: [] },
          after: { record: [{ ...snapshotOf(record), created: true }] },
        })),
      );
      return id;
    });
  }

  /** Empties the trash of what was kept longer than its days (a failure is logged: the removal is done). */
  expireTrash(): void {
    try {
      const { files } = this.ctx.trash.expire();
      if (files)
        logger.info({ files, days: this.ctx.trash.keepDays }, 'deleted files kept in the trash too long');
    } catch (err) {
      logger.warn({ err }, 'the trash could not be emptied of old files');
    }
  }

  /**
   * A removed asset's file deleted (into the trash's `batch` with its sidecar, or for good without
   * one), unless another project registered it too.
   */
  private deleteFile(record: AssetRecord, batch: string | undefined): Omit<RemovedFile, 'uid'> {
    const users = this.store.pathUsers(record.path);
    if (users.some((u) => u.project_id === this.projectId))
      return {
        fileDeleted: false,
        fileKeptReason: 'the file was registered again meanwhile (a rebuild or the live folder found it)',
      };
    if (users.length > 0) {
      const projects = users.map((u) => u.project_id).join(', ');
      return { fileDeleted: false, fileKeptReason: `the file is also registered in project ${projects}` };
    }
    try {
      const abs = resolveUnder(this.paths.assetsRoot, record.path).abs;
      if (!batch) fs.unlinkSync(abs);
      const trashed = batch && this.ctx.trash.put(batch, record.path, abs, this.sidecarPath(record));
      this.vacated();
      return trashed ? { fileDeleted: true, trashed: `${TRASH_DIR}/${trashed}` } : { fileDeleted: true };
    } catch (err) {
      // The asset is gone from the registry all the same; the others of the request go on.
      const { code, message } = err as NodeJS.ErrnoException;
      const fileKeptReason =
        code === 'ENOENT' ? 'the file was already gone' : `it could not be deleted: ${message}`;
      return { fileDeleted: false, fileKeptReason };
    }
  }

  // ---------------------------------------------------------------- previews

  /** The stored path string of a preview file: relative to the workspace, like `cache/thumbs/<name>`. */
  private thumbDisplay = (name: string): string =>
    displayPath(this.paths.workspace, path.join(this.paths.thumbsRoot, name));

  /** Sets the preview entries the asset will have once its job is done (reference §1.5 step 9). */
  /** @internal */
  withPlannedPreview(record: AssetRecord): AssetRecord {
    const planned = plannedPreview(record.uid, record.path, this.thumbDisplay);
    if (!planned) return record;
    const meta: JsonObject = { ...record.meta, preview: planned.preview };
    if (planned.thumbnails) meta.thumbnails = planned.thumbnails;
    else delete meta.thumbnails; // (a video's poster of other bytes)
    return { ...record, meta, thumb: planned.thumb };
  }

  /**
   * Records a finished preview job on the asset: the preview entries (with the image's size or
   * the clip's duration) on success; on failure no thumb and no thumbnails, and the error in
   * `preview`. Not a metadata edit: the version stays.
   */
  async applyPreview(
    job: PreviewJob,
    outcome: PreviewOutcome,
    recorded: () => void = () => undefined,
  ): Promise<void> {
    const status = outcome.ok ? 'done' : 'failed';
    const error = outcome.ok ? null : outcome.error;
    const record = await this.landPreview(
      job.uid,
      { status, error },
      () => {
        if (!this.store.finishPreview(job, status, error)) return undefined;
        recorded();
        const found = this.get(job.uid);
        return found && found.hash === job.hash ? found : undefined;
      },
      (current) => {
        const planned = plannedPreview(current.uid, current.path, this.thumbDisplay);
        const meta: JsonObject = { ...current.meta };
        let thumb: string | null = null;
        if (outcome.ok && planned) {
          meta.preview = {
            ...planned.preview,
            ...previewFacts(outcome, this.thumbDisplay(animationName(current.uid))),
          };
          if (planned.thumbnails) meta.thumbnails = planned.thumbnails;
          else delete meta.thumbnails;
          thumb = planned.thumb;
          // A video's poster frame (a model's picture) stays while its bytes do (its facts read again, say).
          const poster = isJsonObject(current.meta.preview) ? current.meta.preview.poster : undefined;
          const posterFile = path.join(this.paths.thumbsRoot, thumbnailName(current.uid, 512, current.path));
          if (
            takesPoster(outcome.kind) &&
            isJsonObject(poster) &&
            poster.hash === current.hash &&
            fs.existsSync(posterFile) // (not when the preview cache was cleared: the studio makes it again)
          ) {
            const kept = plannedThumbnails(current.uid, current.path, this.thumbDisplay);
            meta.preview = { ...meta.preview, poster };
            meta.thumbnails = kept.thumbnails;
            thumb = kept.thumb;
          }
        } else {
          delete meta.thumbnails;
          meta.preview = { kind: planned?.preview.kind ?? null, status: 'failed', error };
        }
        return { ...current, meta, thumb, updatedAt: utcNow() };
      },
      (updated) => {
        // (A font's card, a video and a model are not fingerprinted: '' and 'none' keep them out of
        // the pictures to fingerprint. A video's or model's colours are its poster's, kept with it.)
        const poster = isJsonObject(updated.meta.preview) && isJsonObject(updated.meta.preview.poster);
        const facts: { dhash: string | null; colors: PictureColors | 'none' | null } =
          outcome.ok && outcome.kind === 'thumbnail'
            ? { dhash: outcome.result.dhash, colors: outcome.result.colors ?? 'none' }
            : outcome.ok && takesPoster(outcome.kind)
              ? { dhash: '', colors: (poster && updated.colors) || 'none' }
              : { dhash: null, colors: null };
        this.store.setPictureFacts(updated.projectId, updated.uid, updated.hash, facts);
      },
    );
    if (record && !outcome.ok) logger.warn({ uid: record.uid, path: record.path, error }, 'preview failed');
    if (record && previewKind(record.path) === 'model') this.noteModelFacts(record);
  }

  /**
   * How a preview lands on its asset (a preview job's, a poster frame): in one transaction the row
   * `load` gives (undefined: nothing lands), a hand edit of its sidecar taken in first, the row
   * `next` makes of it stored (then `stored`); after it, its sidecar written (one that no longer
   * parses is left as it is) and `asset_preview_updated` emitted.
   */
  private async landPreview(
    uid: string,
    outcome: { status: 'done' | 'failed'; error: string | null },
    load: () => AssetRecord | undefined,
    next: (current: AssetRecord) => AssetRecord,
    stored?: (updated: AssetRecord) => void,
  ): Promise<AssetRecord | undefined> {
    // (A write of this process still under way would look like a hand edit.)
    await this.settleSidecars([uid]);
    let keepSidecar = false;
    const record = this.store.transaction(() => {
      const found = load();
      if (!found) return undefined;
      const edit = this.handEdit(found);
      keepSidecar = edit !== undefined && 'unreadable' in edit;
      const updated = next(this.takeIn(found, edit));
      this.store.update(updated);
      stored?.(updated);
      return updated;
    });
    if (!record) return undefined;
    if (keepSidecar)
      logger.warn({ uid: record.uid, path: record.path }, 'sidecar does not parse: left as it is');
    else
      await this.writeSidecar(record).catch((err: unknown) =>
        logger.error({ err }, 'sidecar write after preview failed'),
      );
    this.emit('asset_preview_updated', { uid, type: record.type, path: record.path, ...outcome });
    return record;
  }

  /**
   * Sets a video's poster frame or a 3D model's picture (its thumbnail, which no server-side
   * decoder or renderer makes here): drawn by the studio in the browser, sent as a PNG, JPEG or
   * WebP image taken `at` seconds into the file (0 for a model) whose hash was `hash`. Resized like
   * any thumbnail in the preview pool (256 and 512 px: JPEGs for a video, PNGs with their
   * transparency for a model); kept while the bytes stay the same (a requeued preview keeps it).
   */
  async setPoster(uid: string, image: Buffer, options: { hash: string; at: number }): Promise<AssetRecord> {
    const record = this.require(uid);
    const kind = previewKind(record.path);
    if (!takesPoster(kind)) {
      throw conflict(
        'not_a_video',
        `${record.path} is not a video or a 3D model: only those take a poster (a picture has its own thumbnail).`,
      );
    }
    const what = kind === 'video' ? "The video's" : "The model's";
    const stale = (): AppError =>
      conflict(
        'stale_poster',
        `${record.path} changed since the frame was taken (its hash is ${record.hash.slice(0, 16)} now): ` +
          'take the frame again from the file as it is.',
      );
    if (!record.hash.startsWith(options.hash)) throw stale();
    if (record.previewStatus !== 'done') {
      throw conflict(
        'preview_not_ready',
        `${what} facts are ${record.previewStatus ?? 'not queued'}: set its poster once they are done.`,
      );
    }
    fs.mkdirSync(this.paths.stagingDir, { recursive: true });
    const source = path.join(this.paths.stagingDir, stagingName('poster', '.img'));
    const outputs = thumbnailOutputs(this.paths.thumbsRoot, uid, record.path);
    let frame: { width: number; height: number; colors: PictureColors | null };
    try {
      fs.writeFileSync(source, image);
      const format = thumbnailExt(record.path).slice(1) as 'png' | 'jpg';
      frame = await this.ctx.pool.thumbnail({ source, outputs, format, limitInputPixels: 64_000_000 });
    } catch (err) {
      throw badRequest(
        `The poster frame could not be read as a PNG, JPEG or WebP image: ${(err as Error).message}.`,
      );
    } finally {
      fs.rmSync(source, { force: true });
    }
    const updated = await this.landPreview(
      uid,
      { status: 'done', error: null },
      () => {
        const current = this.get(uid);
        if (!current || current.hash !== record.hash) throw stale();
        return current;
      },
      (current) => {
        const planned = plannedThumbnails(current.uid, current.path, this.thumbDisplay);
        const preview = isJsonObject(current.meta.preview) ? current.meta.preview : { kind };
        const poster = { at: options.at, width: frame.width, height: frame.height, hash: current.hash };
        return {
          ...current,
          meta: { ...current.meta, preview: { ...preview, poster }, thumbnails: planned.thumbnails },
          thumb: planned.thumb,
          // The poster's colours are the video's (the model's).
          colors: frame.colors,
          updatedAt: utcNow(),
        };
      },
      // (A video or a model is not fingerprinted: '').
      (updated) =>
        this.store.setPictureFacts(updated.projectId, updated.uid, updated.hash, {
          dhash: '',
          colors: updated.colors ?? 'none',
        }),
    );
    return updated as AssetRecord; // (`load` throws rather than give nothing)
  }

  /**
   * Queues previews again: these ids, every failed one (when asked), and every missing one. All
   * or nothing: an unknown id, or one without a preview, queues none of them.
   */
  requeuePreviews(uids: readonly string[], failed: boolean): number {
    const unknown = [...new Set(uids)].filter((uid) => !this.get(uid));
    if (unknown.length) {
      const listed =
        unknown.slice(0, 10).join(', ') + (unknown.length > 10 ? `, … (${unknown.length} in all)` : '');
      throw notFound(
        `No asset has the id${unknown.length > 1 ? 's' : ''} ${listed} in project ${this.projectId}: nothing was queued. Leave ${unknown.length > 1 ? 'them' : 'it'} out and send the others again.`,
      );
    }
    let queued = 0;
    this.store.transaction(() => {
      for (const uid of uids) {
        const record = this.require(uid);
        if (!plannedPreview(record.uid, record.path, this.thumbDisplay)) {
          throw badRequest(
            `Asset ${uid} (${record.path}) is not a picture, font, sound or video: it has no preview.`,
          );
        }
        this.store.queuePreview(this.projectId, record.uid, record.hash);
        queued++;
      }
      if (failed) {
        for (const job of this.store.failedPreviews(Number.MAX_SAFE_INTEGER, this.projectId)) {
          const record = this.get(job.uid);
          if (!record) continue;
          this.store.queuePreview(this.projectId, record.uid, record.hash);
          queued++;
        }
      }
    });
    queued += this.ctx.previews.recover();
    this.ctx.previews.kick();
    return queued;
  }

  /** Resolves once every queued sidecar write has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.sidecars.idle();
  }

  // ---------------------------------------------------------------- effects

  private latestProvenance(uid: string): ProvenanceRecord | undefined {
    return this.store.listProvenance(this.projectId, uid)[0];
  }

  /** @internal Writes the sidecar (and mirror) from the current row; records its mtime for rebuild. */
  async writeSidecar(record: AssetRecord): Promise<void> {
    let written: SidecarWritten | undefined;
    try {
      written = await this.sidecars.write(this.sidecarKey(record.uid), () => this.sidecarState(record.uid));
    } catch (err) {
      if (this.movedOrRemovedSince(record.uid, err)) return;
      throw sidecarWriteFailed(record.uid, err as Error);
    }
    if (written) this.sidecarLanded(written);
  }

  /**
   * Whether a sidecar write that found no file beside it was of an asset moved or removed as it
   * was written (a move's or a removal's settle lets through a write queued while it waited: it
   * read the old path, and the file moved before it landed). No failure then: the move writes the
   * sidecar at the new path from the row as it is, and a removed asset has none.
   */
  private movedOrRemovedSince(uid: string, err: unknown): boolean {
    const { code, assetPath } = err as SidecarWriteError;
    if (code !== 'ENOENT' || assetPath === undefined) return false;
    return this.get(uid)?.path !== assetPath;
  }

  /**
   * @internal The sidecars of several assets, written SIDECAR_BATCH at a time with one durability
   * barrier each (rebuild, bulk edits, enforce). Each is written from the row as it is when its
   * write runs; a {@link CommittedSidecar} is written as given unless something has changed since.
   * `then` runs for each asset whose sidecar landed (with its index in `items`), in the same
   * transaction as its recorded mtime. Per asset: the error that kept its sidecar from landing,
   * or undefined.
   */
  async writeSidecars(
    items: ReadonlyArray<AssetRecord | CommittedSidecar>,
    then?: (record: AssetRecord, index: number) => void,
  ): Promise<Array<AppError | undefined>> {
    const errors: Array<AppError | undefined> = [];
    for (let start = 0; start < items.length; start += SIDECAR_BATCH) {
      const batch = items
        .slice(start, start + SIDECAR_BATCH)
        .map((item) => ('asOf' in item ? item : { record: item }));
      const outcomes = await this.sidecars.writeMany(
        batch.map(({ record }) => this.sidecarKey(record.uid)),
        () => this.sidecarStates(batch),
      );
      this.store.transaction(() =>
        outcomes.forEach((outcome, i) => {
          const { record } = batch[i] as { record: AssetRecord };
          if (outcome instanceof Error) {
            errors.push(
              this.movedOrRemovedSince(record.uid, outcome)
                ? undefined
                : sidecarWriteFailed(record.uid, outcome),
            );
            return;
          }
          if (outcome) this.sidecarLanded(outcome);
          then?.(record, start + i);
          errors.push(undefined);
        }),
      );
    }
    return errors;
  }

  private sidecarKey(uid: string): string {
    return `${this.projectId}\0${uid}`;
  }

  /**
   * The states to write, in one read transaction: as committed where no write to what a sidecar
   * shows has happened since (no read back: a cold rebuild spent ~10 % of its main thread there),
   * else as stored now.
   */
  private sidecarStates(
    items: ReadonlyArray<{ record: AssetRecord } | CommittedSidecar>,
  ): Array<SidecarState | undefined> {
    return this.store.read(() => {
      const now = this.store.sidecarStateVersion;
      return items.map((item) =>
        'asOf' in item && item.asOf === now ? item : this.sidecarState(item.record.uid),
      );
    });
  }

  /** What the asset's sidecar shows now: its row and latest provenance (undefined when it is gone). */
  private sidecarState(uid: string): SidecarState | undefined {
    const current = this.get(uid);
    return current && { record: current, provenance: this.latestProvenance(current.uid) };
  }

  private sidecarLanded(written: SidecarWritten): void {
    this.store.sidecarLanded(this.projectId, written.record.uid, written.mtimeMs, written.latest());
    this.emit('asset_sidecar_written', {
      uid: written.record.uid,
      type: written.record.type,
      sidecar: this.sidecarPath(written.record),
      rel_path: written.record.path,
    });
  }

  /** @internal Sidecar, then `asset_registered`. */
  async afterCreate(committed: Committed): Promise<RegisterResult> {
    const { record } = committed;
    this.rereadModelsLacking([record.path]);
    if (hasPreview(record.path)) this.ctx.previews.kick();
    await this.writeSidecar(record);
    this.announceCreated(record);
    return { record, created: true, provenance: committed.provenance };
  }

  /** @internal Sidecar, then `asset_meta_updated`. */
  async afterUpdate(record: AssetRecord): Promise<RegisterResult> {
    await this.writeSidecar(record);
    const current = this.announceUpdated(record);
    return { record: current, created: false, provenance: this.latestProvenance(current.uid) };
  }

  /** @internal `asset_registered` for an asset whose sidecar has landed. */
  announceCreated(record: AssetRecord): void {
    this.emit('asset_registered', {
      uid: record.uid,
      type: record.type,
      path: record.path,
      meta: normaliseMetadata(record.meta),
      sidecar: sidecarRelPath(record.path),
      bytes: record.bytes,
    });
  }

  /** @internal `asset_meta_updated` with the current row; returns that row. */
  announceUpdated(record: AssetRecord): AssetRecord {
    const current = this.get(record.uid) ?? record;
    this.emit('asset_meta_updated', {
      uid: current.uid,
      type: current.type,
      meta: normaliseMetadata(current.meta),
      path: current.path,
      sidecar: sidecarRelPath(current.path),
    });
    return current;
  }

  /** @internal */
  emit<E extends HookEvent>(event: E, data: HookPayloads[E]): void {
    this.ctx.events.publish(event, data, this.projectId);
  }
}

function alreadyUndone(change: ChangeRow, by: number | null | undefined): AppError {
  return conflict(
    'already_undone',
    `Change ${change.id} (${change.summary}) was undone already, by change ${String(by)}: undo that one to redo it.`,
    { undone_by: by ?? null },
  );
}

/** The file a registration names is not there (404, as the reference's register answered). */
const sourceNotFound = (named: string): AppError =>
  new AppError(404, 'source_not_found', `Source file does not exist: ${named}`);

/** A file registered in place that went or changed between its hashing and its row (see commitInPlace). */
const changedWhileRead = (rel: string): AppError =>
  conflict(
    'file_changed',
    `${rel} was moved, removed or changed while it was being registered: register it again.`,
  );

function sidecarWriteFailed(uid: string, err: Error): AppError {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT')
    return new AppError(
      409,
      'file_missing',
      `Asset ${uid} is saved in the registry, but its file is not at its path any more (moved or ` +
        'deleted outside the registry?), so no sidecar was written beside it. A rebuild (or the live ' +
        'folder) finds where it went.',
    );
  return new AppError(
    isDiskFull(err) ? 507 : 500,
    'sidecar_write_failed',
    `Asset ${uid} is saved in the registry, but its sidecar could not be written (${err.message}). ` +
      'Fix the cause, then run enforce with fix_missing to write it.',
  );
}

/** Whether the file at `abs` is still the one stamped (inode, size, mtime). */
function sameStamp(abs: string, stamp: HashedFile): boolean {
  const now = statIfThere(abs);
  return !!now && now.ino === stamp.ino && now.size === stamp.bytes && now.mtimeMs === stamp.mtimeMs;
}

/**
 * Puts a staged file at `dest` without replacing anything there: a hard link (the staged file's
 * inode and mtime are the destination's), or a copy where links are not possible. Returns the
 * placed file's stamp, or undefined when a file is there already.
 */
function placeStaged(stagedPath: string, dest: string, staged: HashedFile): HashedFile | undefined {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  try {
    fs.linkSync(stagedPath, dest);
    return staged;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return undefined;
    if (!NO_LINKS.has(code)) throw err;
    if (!copyToFreeName(stagedPath, dest, code)) return undefined;
  }
  const copy = fs.statSync(dest); // a copy is a new inode
  return { ...staged, mtimeMs: copy.mtimeMs, ino: copy.ino, dev: copy.dev };
}

/**
 * A metadata PATCH in merge mode (RFC 7396 at the top level): given keys replace stored ones,
 * and `null` removes a key.
 */
function mergePatch(current: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** `images/hero.png` → `images/hero-1.png`, `-2`, … */
function freeName(rel: string, n: number): string {
  const ext = path.posix.extname(rel);
  const stem = rel.slice(0, rel.length - ext.length).replace(/-\d+$/, '');
  return `${stem}-${n}${ext}`;
}

/**
 * A removed asset as the change log keeps it, to register it again as it was; `trash` names
 * where its file went when the removal deleted it (`batch/path` under `.trash`).
 */
type RemovedSnapshot = JsonObject & {
  path: string;
  type: string;
  hash: string;
  meta: JsonObject;
  created_at: string;
  trash?: string;
  /** (An import's) the registry wrote the file: taking the registration back deletes it. */
  created?: boolean;
};

const snapshotOf = (record: AssetRecord): RemovedSnapshot => ({
  path: record.path,
  type: record.type,
  hash: record.hash,
  meta: record.meta,
  created_at: record.createdAt,
});

/** The item of a removal: the asset's row (and where its file went) before, nothing after. */
function removalStates(record: AssetRecord, trashed?: string): { before: KeyStates; after: KeyStates } {
  return {
    before: { record: [{ ...snapshotOf(record), ...(trashed ? { trash: trashed } : {}) }] },
    after: { record: [] },
  };
}

/**
 * Whether taking back the registration of an asset (`items` those of the change taken back)
 * deletes its file (into the trash): when the registry wrote it (an import), or when it came
 * back from the trash (the undo of a removal that had deleted it).
 */
function deletesFile(items: ReadonlyMap<string, ChangeItem>, uid: string): boolean {
  const item = items.get(uid);
  const registered = item && snapshotIn(item.after);
  return !!(registered?.trash || registered?.created);
}

const pathTaken = (holder: string, rel: string, uid: string): AppError =>
  conflict(
    'path_taken',
    `Asset ${holder} is registered at ${rel} now, so asset ${uid} cannot come back there.`,
  );

/** The removed asset a removal item's states hold, if they hold one. */
function snapshotIn(states: KeyStates): RemovedSnapshot | undefined {
  const value = states.record?.[0];
  if (!isJsonObject(value)) return undefined;
  const { path: rel, type, hash, meta, created_at, trash, created } = value;
  return typeof rel === 'string' &&
    typeof type === 'string' &&
    typeof hash === 'string' &&
    isJsonObject(meta) &&
    typeof created_at === 'string'
    ? {
        path: rel,
        type,
        hash,
        meta,
        created_at,
        ...(typeof trash === 'string' ? { trash } : {}),
        ...(created === true ? { created } : {}),
      }
    : undefined;
}

/**
 * What a finished preview tells about the file, kept in `meta.preview`: a picture's size (an
 * animation's frames, the seconds of one loop, and its played preview at `animationPath`), a
 * font's family, style and glyph count, the Blender version that saved a scene, a sound's
 * length, channels and rate, a video's length and frame size (0 where its container does not say:
 * left out).
 */
function previewFacts(outcome: Extract<PreviewOutcome, { ok: true }>, animationPath: string): JsonObject {
  switch (outcome.kind) {
    case 'thumbnail': {
      const { font, blender, width, height, frames, duration, animation } = outcome.result;
      if (font) return { family: font.family, style: font.style, glyphs: font.glyphs };
      if (blender) return { blender_version: blender.version };
      if (!frames) return { width, height };
      const facts: JsonObject = { width, height, frames };
      if (duration) facts.duration = duration;
      if (animation) facts.animation = { path: animationPath, frames: animation.frames };
      return facts;
    }
    case 'waveform': {
      const { duration, channels, sample_rate } = outcome.result;
      return { duration, channels, sample_rate };
    }
    case 'video': {
      const facts = Object.entries(outcome.result).filter(([, value]) => value > 0);
      return Object.fromEntries(facts);
    }
    case 'model': {
      const { triangles, vertices, meshes, materials, textures, animations, resources, missing } =
        outcome.result;
      return { triangles, vertices, meshes, materials, textures, animations, resources, missing };
    }
  }
}

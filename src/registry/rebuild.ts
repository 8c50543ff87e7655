/**
 * Rebuild: bring the registry in line with the files on disk.
 * - Incremental: a file whose size, mtime and inode (and sidecar mtime) match the last scan is not
 *   read. Rows from before inodes were recorded compare size and mtime, and get their inode.
 * - Path-aware: a file that vanished from one path while the same file (inode, size and mtime) or
 *   the same bytes (hash) appear at another is a move (id, tags and sidecar follow it); a file
 *   edited in place keeps its id and gets a new hash; the same bytes at two paths are two assets
 *   (the second gets its own id).
 * - Sidecars are the user's copy: one edited since the registry last wrote it wins.
 * - Crash-safe: files are committed in batches, each file's row before its sidecar, so a killed
 *   rebuild leaves a registry that the next rebuild completes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SIDECAR_SUFFIX, type AssetRecord, type ProvenanceRecord } from '../domain/asset.js';
import type { JsonObject } from '../domain/json.js';
import {
  metadataFromSidecar,
  normaliseMetadata,
  normaliseTags,
  normaliseVersion,
  pathDerivedTags,
  sameJson,
} from '../domain/metadata.js';
import { buildProvenance, provenanceEnv } from '../domain/provenance.js';
import { typeForPath } from '../domain/asset-paths.js';
import {
  hasPreview,
  previewKind,
  takesPoster,
  THUMB_SIZES,
  thumbnailName,
  waveformName,
} from '../previews/kinds.js';
import { statIfThere } from '../files/if-there.js';
import { removeIfLeftOver } from '../files/leftovers.js';
import { isRecordedFile, utcNow, type FileStamp, type FileState } from '../store/sqlite-store.js';
import { filesFound, isOrphanedSidecar } from './orphans.js';
import type { AssetRegistry, CommittedSidecar } from './registry.js';
import {
  readSidecarFile,
  scanAssets,
  scanPaths,
  unseenFiles,
  type FolderScanner,
  type ScannedFile,
} from './scan.js';

export interface RebuildProgress {
  phase: 'scan' | 'files' | 'stale' | 'previews' | 'done';
  files_done: number;
  files_total: number;
  bytes_done: number;
  bytes_total: number;
  /** In the `stale` phase: assets whose files are gone removed so far, of how many (a deleted folder's thousands take a while). */
  stale_done?: number;
  stale_total?: number;
}

export interface RebuildOptions {
  removeStale?: boolean;
  waitForThumbs?: boolean;
  onProgress?: (progress: RebuildProgress) => void;
  /** How many problem files to list (all are counted). */
  problemLimit?: number;
  previewTimeoutMs?: number;
  /**
   * Only look at these paths (relative to the assets root, `/`-separated) instead of walking the
   * whole tree: the live-folder watcher's batches. A listed path that is gone is stale; a listed
   * new file whose bytes belong to a row whose file is gone is still a move (found by hash).
   */
  paths?: readonly string[];
  /**
   * Files committed per transaction (512 by default; and at most 512 KB a file on average).
   * Each commit rewrites every index page it touched: with 128, a cold rebuild wrote twice the
   * WAL pages (97,000 writes for 10,000 files against 48,500) and took ~10 % more main-thread
   * time. But a transaction holds the process's event loop (a median 122-232 ms for 512 rows,
   * against 44-83 ms for 128, on the loaded reference machine), so the server, which answers
   * requests meanwhile, asks for 128.
   */
  batchFiles?: number;
  /**
   * @internal Scans one folder of the tree (the pool's scan threads by default): tests change the
   * tree at a chosen moment of the scan through it.
   */
  scanFolder?: FolderScanner;
}

/** `batchFiles` for a rebuild run by a process that answers requests meanwhile (the server). */
export const SERVER_REBUILD_BATCH = 128;

/**
 * Batches whose sidecars may be writing while the next ones are committed. A durability barrier
 * also flushes whatever else is dirty on the file system (a tree just copied in: seconds), so the
 * rows run ahead of a stalled write rather than wait for it; a row without its sidecar yet is
 * safe (the next rebuild writes it).
 */
const WRITES_IN_FLIGHT = 8;

/** Whether a row is as it was read earlier: same file, path and metadata. */
const sameRow = (now: AssetRecord, before: AssetRecord | undefined): boolean =>
  before !== undefined &&
  now.hash === before.hash &&
  now.path === before.path &&
  now.updatedAt === before.updatedAt &&
  sameJson(now.meta, before.meta);

export interface RebuildSummary {
  processed: number;
  skipped: number;
  removed: number;
  orphaned_sidecars: number;
  missing_thumbnails: number;
  created: number;
  updated: number;
  moved: number;
  unchanged: number;
  duplicates: number;
  sidecar_updates: number;
  missing_files: number;
  /**
   * The rebuild found nothing under the assets root while the registry holds assets (a drive not
   * mounted, a wrong root): it removed none of them (counted in `missing_files`).
   */
  root_empty: boolean;
  /**
   * Folders and files the scan listed but found gone when it read them (moved or removed while it
   * read the tree), and files it found moved meanwhile, that held assets whose files were not
   * found: those assets were not removed (they may have moved, to where this run did not look);
   * a run after it sees the tree as it is now. A folder the scan may not read (`EACCES`) keeps its
   * assets the same way, without counting here.
   */
  vanished_while_read: number;
  /** The change that records the removals (`removed`): its undo puts them back once their files are. */
  removal_change_id: number | null;
  /** Files read and hashed in this run, and their bytes (unchanged files and renames are not). */
  hashed_files: number;
  hashed_bytes: number;
  ignored: number;
  legacy_sidecars: number;
  previews_pending: number;
  /** The first problems (20, unless the caller asks for more); `problems_total` counts them all. */
  problems: Array<{ path: string; error: string }>;
  /**
   * Every problem of the run: files skipped, sidecars not read, folders not read, paths that
   * moved while it read them, and (with `remove_stale` off) the files kept missing.
   */
  problems_total: number;
  orphaned_sidecar_paths: string[];
  assets_root: string;
  thumb_root: string;
  project_id: string;
  seconds: number;
}

/** Whether a folder is gone, or holds nothing but the registry's staging folder (its lock, made meanwhile). */
function holdsNothing(root: string): boolean {
  try {
    return fs.readdirSync(root).every((name) => name === '.staging');
  } catch {
    return true;
  }
}

export async function rebuildRegistry(
  registry: AssetRegistry,
  options: RebuildOptions = {},
): Promise<RebuildSummary> {
  const started = performance.now();
  const { store, pool, paths, previews } = registry.context;
  const projectId = registry.projectId;
  const root = paths.assetsRoot;
  const problemLimit = options.problemLimit ?? 20;
  const env = provenanceEnv();
  const summary: RebuildSummary = {
    processed: 0,
    skipped: 0,
    removed: 0,
    orphaned_sidecars: 0,
    missing_thumbnails: 0,
    created: 0,
    updated: 0,
    moved: 0,
    unchanged: 0,
    duplicates: 0,
    sidecar_updates: 0,
    missing_files: 0,
    vanished_while_read: 0,
    removal_change_id: null,
    root_empty: false,
    hashed_files: 0,
    hashed_bytes: 0,
    ignored: 0,
    legacy_sidecars: 0,
    previews_pending: 0,
    problems: [],
    problems_total: 0,
    orphaned_sidecar_paths: [],
    assets_root: root,
    thumb_root: paths.thumbsRoot,
    project_id: projectId,
    seconds: 0,
  };
  const problem = (rel: string, error: string): void => {
    summary.problems_total++;
    if (summary.problems.length < problemLimit) summary.problems.push({ path: rel, error });
  };

  const progress: RebuildProgress = {
    phase: 'scan',
    files_done: 0,
    files_total: 0,
    bytes_done: 0,
    bytes_total: 0,
  };
  let lastReport = 0;
  const report = (force = false): void => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastReport < 200)) return;
    lastReport = now;
    options.onProgress({ ...progress });
  };
  report(true);

  // The folders are read on the hashing threads while this one reads the rows they are compared
  // with (see scanAssets); between pages of rows it hands out the scan's next folders.
  const vacatedAtScan = registry.pathsVacated;
  const othersAtScan = store.othersCommitted;
  const scanning = options.paths
    ? scanPaths(root, options.paths)
    : scanAssets(root, options.scanFolder ?? ((dir, relDir) => pool.scanFolder(dir, relDir)));
  const byPath = new Map<string, FileState>();
  if (options.paths) {
    // Path-limited: the rows at those paths now, other rows by inode or hash when a file needs them.
    for (const rel of new Set(options.paths)) {
      const state = store.fileStateAt(projectId, rel);
      if (state) byPath.set(rel, state);
    }
  } else {
    for (const page of store.fileStatePages(projectId)) {
      for (const state of page) byPath.set(state.path, state);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const scan = await scanning;
  summary.ignored = scan.ignored;
  summary.legacy_sidecars = scan.legacySidecars;
  for (const { rel, error } of scan.unusable) {
    summary.skipped++;
    problem(rel, error);
  }
  progress.phase = 'files';
  progress.files_total = scan.files.length;
  progress.bytes_total = scan.files.reduce((n, f) => n + f.size, 0);
  report(true);

  // The rows by hash and by inode, for files at new paths (moves, copies): built when the first
  // such file comes (a warm rebuild of an unchanged tree never needs them). A path-limited run
  // asks the store instead.
  let rowMaps: { byHash: Map<string, FileState[]>; byInode: Map<number, FileState[]> } | undefined;
  const maps = (): NonNullable<typeof rowMaps> => {
    if (rowMaps) return rowMaps;
    rowMaps = { byHash: new Map(), byInode: new Map() };
    const add = <K>(map: Map<K, FileState[]>, key: K, state: FileState): void => {
      const list = map.get(key);
      if (list) list.push(state);
      else map.set(key, [state]);
    };
    if (!options.paths)
      for (const state of byPath.values()) {
        add(rowMaps.byHash, state.hash, state);
        if (state.file_ino !== null) add(rowMaps.byInode, state.file_ino, state);
      }
    return rowMaps;
  };
  // (A file it cannot register as named is there all the same: its sidecar is no orphan.)
  const onDisk = filesFound(scan);
  const claimed = new Set<string>(); // uids already matched to a path in this run
  // Paths files left (moved away, gone): a model naming one reads its facts again.
  const vacated = new Set<string>();

  // What a batch's or a file's commit changes in this run's own bookkeeping (claimed rows, rows
  // by hash, counters), so a rolled-back transaction or savepoint puts it back as it was too.
  let undo: Array<() => void> | undefined;
  const claim = (uid: string): void => {
    if (claimed.has(uid)) return;
    claimed.add(uid);
    undo?.push(() => claimed.delete(uid));
  };
  const setWithHash = (hash: string, states: FileState[]): void => {
    const before = maps().byHash.get(hash);
    maps().byHash.set(hash, states);
    undo?.push(() => (before ? maps().byHash.set(hash, before) : maps().byHash.delete(hash)));
  };
  /** Runs `fn` (database work in a transaction or savepoint); if it throws, undoes the bookkeeping. */
  const undoable = <T>(fn: () => T): T => {
    const counters = { ...summary };
    const steps: Array<() => void> = (undo = []);
    try {
      return fn();
    } catch (err) {
      for (const step of steps.reverse()) step();
      Object.assign(summary, counters);
      throw err;
    } finally {
      undo = undefined;
    }
  };
  const withHash = (hash: string): FileState[] => {
    let states = maps().byHash.get(hash);
    if (!states && options.paths) setWithHash(hash, (states = store.fileStatesWithHash(projectId, hash)));
    return states ?? [];
  };
  const gone = (state: FileState): boolean =>
    !onDisk.has(state.path) && !fs.existsSync(path.join(root, state.path));

  /**
   * A row whose file vanished and that recorded this file's inode, device, size and mtime: the
   * same file, renamed. (A copy is a new inode: it is found by hash below.)
   */
  const renamedFrom = (file: ScannedFile): FileState | undefined =>
    (options.paths
      ? store.fileStatesWithInode(projectId, file.ino)
      : (maps().byInode.get(file.ino) ?? [])
    ).find(
      (s) =>
        s.file_dev === file.dev &&
        s.bytes === file.size &&
        s.file_mtime_ms === file.mtimeMs &&
        s.path !== file.rel &&
        !claimed.has(s.uid) &&
        gone(s),
    );

  // Hashing ahead: while one batch is committed, the files after it that will need reading are
  // already hashing on the pool (bounded by count and bytes); small files go in groups, one task
  // each. Results are used in scan order, so every decision (moves, duplicates, edits) is taken as
  // in a one-file-at-a-time pass.
  const files = scan.files;
  const batchFiles = Math.max(1, options.batchFiles ?? 512);
  const batchBytes = batchFiles * 512 * 1024;
  const lookAhead = 2 * batchFiles;
  const lookAheadBytes = Math.max(256 * 1024 * 1024, 2 * batchBytes);
  // Files up to 8 MB go in groups of up to 32 MB, sized so every hash thread has two groups in the
  // look-ahead window (256 files from the CLI, 64 from the server). Each task wakes a sleeping
  // worker, which costs a VM exit on the reference machine: groups of 32 files and 4 MB (and a
  // task per file over 512 KB) made ~1,300 tasks for the 10,000-file bench tree, these ~100, for
  // 0.1-0.25 s less wall time in its cold rebuild (five alternated runs, 4.11 s against 3.93 s).
  const smallFile = 8 * 1024 * 1024;
  const groupFiles = Math.max(8, Math.min(256, Math.floor(lookAhead / (2 * pool.hashThreads))));
  const groupBytes = 32 * 1024 * 1024;
  const hashing = new Map<number, Promise<{ hash: string; bytes: number }>>();
  let aheadNext = 0;
  let aheadBytes = 0;
  /**
   * The same file as last read: size and mtime, and the inode once one was recorded (a file
   * replaced by another with the same size and mtime is another inode, so it is read again).
   */
  const sameFile = (file: ScannedFile, state: FileState | undefined): state is FileState =>
    state !== undefined && isRecordedFile(state, file);

  /** Whether a file will be read as things stand (an unchanged file or a rename is not). */
  const needsHash = (file: ScannedFile): boolean => {
    const state = byPath.get(file.rel);
    return state ? !sameFile(file, state) : renamedFrom(file) === undefined;
  };
  const hashAhead = (current: number): void => {
    if (aheadNext < current) aheadNext = current;
    const until = Math.min(files.length, current + lookAhead);
    // Wait for room for a whole group, unless the pool would sit idle.
    if (until - aheadNext < groupFiles && until < files.length && hashing.size > 0) return;
    let group: number[] = [];
    let groupSize = 0;
    const sendGroup = (): void => {
      const indices = group;
      group = [];
      groupSize = 0;
      if (!indices.length) return;
      const results = pool.hashMany(indices.map((i) => (files[i] as ScannedFile).abs));
      indices.forEach((index, k) => {
        const result = results.then((entries) => {
          const entry = entries[k];
          if (!entry || 'error' in entry) throw new Error(entry?.error ?? 'not hashed');
          return entry;
        });
        result.catch(() => undefined); // seen when the file is handled (or dropped if never needed)
        hashing.set(index, result);
      });
    };
    while (aheadNext < until && (aheadBytes < lookAheadBytes || hashing.size === 0)) {
      const index = aheadNext++;
      const file = files[index] as ScannedFile;
      if (!needsHash(file)) continue;
      aheadBytes += file.size;
      if (file.size <= smallFile) {
        group.push(index);
        groupSize += file.size;
        if (group.length >= groupFiles || groupSize >= groupBytes) sendGroup();
        continue;
      }
      const result = pool.hash(file.abs);
      result.catch(() => undefined);
      hashing.set(index, result);
    }
    sendGroup();
  };
  const dropAhead = (index: number): void => {
    if (hashing.delete(index)) aheadBytes -= (files[index] as ScannedFile).size;
  };

  const hashFile = async (file: ScannedFile, index: number): Promise<string> => {
    const result = await (hashing.get(index) ?? pool.hash(file.abs));
    summary.hashed_files++;
    summary.hashed_bytes += result.bytes;
    return result.hash;
  };

  // Rows from before inodes were kept, unchanged by size and mtime: their inodes, written in batches.
  let inodes: Array<{ uid: string; bytes: number; stamp: FileStamp }> = [];
  const flushInodes = (): void => {
    store.recordInodes(projectId, inodes);
    inodes = [];
  };

  /** A file read and ready to commit: what the registry knew of it and what is on disk now. */
  interface Prepared {
    file: ScannedFile;
    state: FileState | undefined;
    renamed: FileState | undefined;
    hash: string;
    sidecar: ReturnType<typeof readSidecarFile>;
    /** The sidecar's mtime when it was read (null: none), and its recorded one then. */
    sidecarMtimeMs: number | null;
    recordedMtimeMs: number | null;
    /** The row changed and no write of it was seen landing (an edit cut off by a crash). */
    sidecarDue: boolean;
    /** The row as it was when the sidecar was read. */
    rowAtRead: AssetRecord | undefined;
  }
  /** What follows a file's commit once its batch is committed: its sidecar, then its event. */
  interface Followup {
    file: ScannedFile;
    record: AssetRecord;
    announce: 'created' | 'updated' | 'none';
    /** A moved asset's old sidecar, removed before the new one is written. */
    oldPath?: string;
    /** A new asset's provenance: its sidecar is then written without reading the row back. */
    provenance?: ProvenanceRecord;
  }
  /**
   * A followup once its batch has committed: what its sidecar is written from, or null to keep
   * the one on disk (unparseable: the user's to fix, or enforce's to repair when asked).
   */
  type ToWrite = Followup & { sidecar: AssetRecord | CommittedSidecar | null };

  /**
   * Whether a file and its sidecar are as last recorded (then counted and claimed here). No
   * promise: most files of a warm rebuild end here.
   */
  const unchanged = (file: ScannedFile): boolean => {
    const state = byPath.get(file.rel);
    // (A row whose sidecar write never finished has no recorded mtime, or is due: it is redone in
    // `prepare`.)
    if (
      !sameFile(file, state) ||
      file.sidecarMtimeMs === null ||
      state.sidecar_mtime_ms !== file.sidecarMtimeMs ||
      state.sidecar_due
    )
      return false;
    summary.unchanged++;
    claimed.add(state.uid);
    if (state.file_ino === null) {
      inodes.push({ uid: state.uid, bytes: file.size, stamp: file });
      if (inodes.length >= 1000) flushInodes();
    }
    return true;
  };

  /** Reads what a changed or new file needs: its hash, its sidecar. */
  const prepare = async (file: ScannedFile, index: number): Promise<Prepared> => {
    const state = byPath.get(file.rel);
    const fileSame = sameFile(file, state);
    // A new path whose file is a vanished row's, renamed: not read. The row is claimed now, in
    // scan order, so no later file of the batch can take it.
    const renamed = state ? undefined : renamedFrom(file);
    if (renamed) claimed.add(renamed.uid);
    const hash = fileSame ? state.hash : renamed ? renamed.hash : await hashFile(file, index);
    let sidecarMtimeMs = file.sidecarMtimeMs;
    let recordedMtimeMs = state?.sidecar_mtime_ms ?? null;
    let sidecarDue = !!state?.sidecar_due;
    if (state && ((sidecarMtimeMs !== null && sidecarMtimeMs !== recordedMtimeMs) || sidecarDue)) {
      // Not the sidecar recorded when this run read the rows, or one still due: it may be a write
      // of this process (an API edit's) that landed since, not yet recorded, or is under way.
      // Wait for those, then look again.
      await registry.settleSidecars([state.uid]);
      const now = store.fileStateAt(projectId, file.rel);
      recordedMtimeMs = now?.sidecar_mtime_ms ?? null;
      sidecarDue = !!now?.sidecar_due;
      sidecarMtimeMs = statIfThere(file.abs + SIDECAR_SUFFIX)?.mtimeMs ?? null;
    }
    // Read at once (no await in between) with the row it is compared to.
    const rowAtRead = state && registry.get(state.uid);
    const sidecar = readSidecarFile(file.abs, rowAtRead?.meta, {
      sidecar: sidecarMtimeMs !== null,
      legacy: file.legacySidecar,
    });
    // (Left as it is: it may hold edits only its author can put right.)
    if (sidecar && 'error' in sidecar)
      problem(
        file.rel,
        `${sidecar.error}: its edits were not read; fix it by hand (it was left as it is), or rewrite it ` +
          'from the registry (`enforce --overwrite`, "Rewrite sidecars…" in the studio)',
      );
    return { file, state, renamed, hash, sidecar, sidecarMtimeMs, recordedMtimeMs, sidecarDue, rowAtRead };
  };

  /**
   * Commits one prepared file's row (inside its batch's transaction). `lookAgain`: files may have
   * been taken from their paths since the scan (see `commitBatch`).
   */
  const commit = (prepared: Prepared, lookAgain: boolean): Followup | undefined => {
    const { file, state, renamed, hash, sidecar, sidecarMtimeMs, recordedMtimeMs, sidecarDue } = prepared;
    const fromSidecar = sidecar && !('error' in sidecar) ? sidecar : undefined;
    const now = utcNow();
    if (state) {
      // Known path: content edited in place, or the sidecar edited by hand.
      const current = registry.get(state.uid);
      if (!current) return undefined;
      claim(current.uid);
      // A row changed since its sidecar was read was changed by an API call, which took in any
      // hand edit it found first: what was read is an older state then, not an edit.
      const handEdited = sidecarMtimeMs !== recordedMtimeMs && sameRow(current, prepared.rowAtRead);
      const edited =
        fromSidecar && handEdited ? metadataFromSidecar(current.meta, fromSidecar.meta) : undefined;
      const sidecarEdited = edited !== undefined;
      const meta = edited ?? current.meta;
      if (sidecarEdited) summary.sidecar_updates++;
      const contentChanged = hash !== current.hash;
      if (!contentChanged && !sidecarEdited) {
        store.setFileStamp(projectId, current.uid, file);
        summary.unchanged++;
        // A sidecar the registry did not write last (missing, or a write cut short before its
        // mirror), or older than the row (an edit whose write a crash cut off), is written again;
        // its mtime is recorded when that write lands, not before (recorded here, a kill before
        // the write left a missing mirror that no rebuild saw again). An unparseable one is left
        // for the user, unrecorded: read and reported every run until fixed.
        const sidecarStale = sidecarMtimeMs === null || sidecarMtimeMs !== recordedMtimeMs || sidecarDue;
        return sidecarStale && (fromSidecar || !sidecar)
          ? { file, record: current, announce: 'none' }
          : undefined;
      }
      let updated: AssetRecord = {
        ...current,
        hash,
        bytes: file.size,
        meta: { ...meta, version: normaliseVersion(current.meta.version) + 1 },
        updatedAt: now,
      };
      if (contentChanged) updated = registry.withPlannedPreview(updated);
      // (The update marks the row's sidecar due: a crash before the new one lands leaves the old
      // one at its recorded mtime, and the next rebuild writes it again from the row, instead of
      // taking it for a hand edit as when its mtime was cleared here.)
      store.update(updated, file);
      if (contentChanged && hasPreview(updated.path)) store.queuePreview(projectId, updated.uid, hash);
      summary.updated++;
      return { file, record: updated, announce: 'updated' };
    }

    // Taken away by a removal or a move since the scan saw it (read before it went).
    if (lookAgain && !fs.existsSync(file.abs)) return undefined;
    // Registered at this path by someone else (an API call) since this run read the rows.
    const raced = store.getByPath(projectId, file.rel);
    if (raced) {
      claim(raced.uid);
      summary.unchanged++;
      return undefined;
    }
    const movedFrom = renamed ?? withHash(hash).find((s) => !claimed.has(s.uid) && gone(s));
    if (movedFrom) {
      const current = registry.get(movedFrom.uid);
      if (!current) return undefined;
      claim(current.uid);
      // The sidecar moved along is an edit only if it is not the one the registry wrote last (a
      // hand move keeps its mtime): else an edit made since the move (whose sidecar could not be
      // written beside no file) would lose to it.
      const recorded = store.fileStateAt(projectId, current.path)?.sidecar_mtime_ms ?? null;
      const edited =
        fromSidecar &&
        (sidecarMtimeMs === null || sidecarMtimeMs !== recorded) &&
        metadataFromSidecar(current.meta, fromSidecar.meta);
      const meta = edited || current.meta;
      if (edited) summary.sidecar_updates++;
      // A type that was its folder's follows the file to its new folder, as a fresh rebuild would
      // type it there; one given explicitly (registered as `portrait` under `art/`) stays.
      const type = current.type === typeForPath(current.path) ? typeForPath(file.rel) : current.type;
      const moved = registry.withPlannedPreview({ ...current, type, path: file.rel, meta, updatedAt: now });
      store.update(moved, file); // (its sidecar due, as for an edit above)
      summary.moved++;
      vacated.add(current.path);
      // A model finds the files it names from where it is now.
      if (previewKind(file.rel) === 'model') store.queuePreview(projectId, moved.uid, moved.hash);
      return { file, record: moved, announce: 'updated', oldPath: current.path };
    }

    // A new asset. A sidecar that names this content keeps the id it recorded (lost database).
    const sidecarId =
      fromSidecar?.id && fromSidecar.hash === hash && !registry.get(fromSidecar.id)
        ? fromSidecar.id
        : undefined;
    const meta: JsonObject = fromSidecar ? { ...fromSidecar.meta } : { origin: 'registry.rebuild' };
    if (normaliseTags(meta.tags).length === 0) meta.tags = pathDerivedTags(file.rel);
    const created = registry.withPlannedPreview({
      projectId,
      uid: sidecarId ?? registry.allocateUid(hash),
      type: typeForPath(file.rel),
      path: file.rel,
      hash,
      bytes: file.size,
      meta: normaliseMetadata({ ...meta, version: meta.version ?? 1 }),
      createdAt: now,
      updatedAt: now,
      thumb: null,
    });
    store.insert(created, file);
    const provenance = store.addProvenance(
      projectId,
      buildProvenance(
        { source: 'registry.rebuild', inputs: { path: file.rel } },
        created.meta,
        created,
        now,
        env,
      ),
    );
    if (hasPreview(created.path)) store.queuePreview(projectId, created.uid, hash);
    claim(created.uid);
    if (withHash(hash).length) summary.duplicates++;
    setWithHash(hash, [
      ...withHash(hash),
      {
        uid: created.uid,
        path: file.rel,
        hash,
        bytes: file.size,
        file_mtime_ms: file.mtimeMs,
        file_ino: file.ino,
        file_dev: file.dev,
        sidecar_mtime_ms: null,
        sidecar_due: 1,
      },
    ]);
    summary.created++;
    return { file, record: created, announce: 'created', provenance };
  };

  const fileDone = (file: ScannedFile, error?: unknown): void => {
    if (error === undefined) summary.processed++;
    else {
      summary.skipped++;
      problem(
        file.rel,
        error instanceof Error ? error.message : typeof error === 'string' ? error : 'failed',
      );
    }
    progress.files_done++;
    progress.bytes_done += file.size;
    report();
  };

  /**
   * A batch's sidecars, written together with one durability barrier, then their events; a moved
   * asset's old sidecar is removed first. A file counts as done (processed, progress) once its
   * sidecar has landed.
   */
  const writeBatch = async (followups: readonly ToWrite[]): Promise<void> => {
    const announce = (record: AssetRecord, { announce }: Followup): void => {
      if (announce === 'created') registry.announceCreated(record);
      else if (announce === 'updated') registry.announceUpdated(record);
    };
    const ready: Array<ToWrite & { sidecar: AssetRecord | CommittedSidecar }> = [];
    for (const followup of followups) {
      try {
        if (followup.oldPath !== undefined) {
          // (An API write queued before the move was committed may have read the old path.)
          await registry.settleSidecars([followup.record.uid]);
          registry.context.sidecars.remove(followup.oldPath);
        }
      } catch (err) {
        fileDone(followup.file, err ?? 'the old sidecar could not be removed');
        continue;
      }
      const { sidecar } = followup;
      if (sidecar) ready.push({ ...followup, sidecar });
      else {
        announce(followup.record, followup);
        fileDone(followup.file);
      }
    }
    const errors = await registry.writeSidecars(
      ready.map((f) => f.sidecar),
      (record, i) => announce(record, ready[i] as Followup),
    );
    ready.forEach((followup, i) => fileDone(followup.file, errors[i]));
  };

  /**
   * Commits a batch's rows in one transaction (one WAL commit and one FTS flush instead of one
   * per file). A file whose row cannot be written rolls the batch back (its bookkeeping too), and
   * the batch is committed again with each file in its own savepoint, so that file alone is left
   * out. Savepoints are not the default: they are work per file that a batch whose rows all
   * succeed does not need (before migration 6, FTS5 also flushed at each: ~10 % of the main thread).
   */
  const commitBatch = (prepared: readonly Prepared[]): Array<Followup | undefined | Error> => {
    // Moved or removed by this process, or by another (which commits as it does so): a file
    // found may be gone. (Exact for the batch: it holds the file lease, and no other connection
    // commits during its transaction.)
    const lookAgain = registry.pathsVacated !== vacatedAtScan || store.othersCommitted !== othersAtScan;
    try {
      return undoable(() => store.transaction(() => prepared.map((ready) => commit(ready, lookAgain))));
    } catch {
      return store.transaction(() =>
        prepared.map((ready) => {
          try {
            return undoable(() => store.transaction(() => commit(ready, lookAgain)));
          } catch (err) {
            return err instanceof Error ? err : new Error('failed');
          }
        }),
      );
    }
  };

  // Files are taken in batches, in scan order: each batch's rows are committed together (see
  // `commitBatch`), then its sidecars are written in the background (see WRITES_IN_FLIGHT). A
  // row is committed before its sidecar is written: one whose write never landed has no recorded
  // sidecar mtime, so the next rebuild writes it (kill -9 safe).
  const writing = new Set<Promise<void>>();
  for (let start = 0; start < files.length;) {
    let end = start;
    for (let bytes = 0; end < files.length && end - start < batchFiles && bytes < batchBytes; end++)
      bytes += (files[end] as ScannedFile).size;
    const prepared: Prepared[] = [];
    for (let index = start; index < end; index++) {
      hashAhead(index);
      const file = files[index] as ScannedFile;
      try {
        if (unchanged(file)) fileDone(file);
        else prepared.push(await prepare(file, index));
      } catch (err) {
        fileDone(file, err ?? 'failed');
      } finally {
        dropAhead(index);
      }
    }
    const followups: ToWrite[] = [];
    // (Under the file lease: a move or removal in another process is all before or all after it.)
    const outcomes = prepared.length ? await registry.context.lease.hold(() => commitBatch(prepared)) : [];
    // What the database holds as of now (read once a batch: a pragma query, ~4 µs a file otherwise).
    const asOf = store.sidecarStateVersion;
    outcomes.forEach((outcome, i) => {
      const { file, sidecar } = prepared[i] as Prepared;
      if (outcome instanceof Error) fileDone(file, outcome);
      else if (outcome) {
        const { record, provenance } = outcome;
        // The asset's own sidecar is there but unparseable (reported in `prepare`): not overwritten.
        const keep = sidecar !== undefined && 'error' in sidecar && file.sidecarMtimeMs !== null;
        followups.push({
          ...outcome,
          sidecar: keep ? null : provenance ? { record, provenance, asOf } : record,
        });
      } else fileDone(file);
    });
    if (followups.some((f) => hasPreview(f.record.path))) previews.kick();
    if (followups.length) {
      const running = writeBatch(followups);
      writing.add(running);
      const settled = (): boolean => writing.delete(running);
      running.then(settled, settled);
      while (writing.size >= WRITES_IN_FLIGHT) await Promise.race(writing);
    }
    start = end;
  }
  await Promise.all(writing);
  flushInodes();
  previews.kick();

  // Rows whose file is gone (and that no move claimed).
  progress.phase = 'stale';
  report(true);
  const staleCandidates = options.paths
    ? [...new Set(options.paths)].flatMap((rel) => byPath.get(rel) ?? [])
    : [...byPath.values()];
  const gonePaths = staleCandidates.filter(
    (state) =>
      !onDisk.has(state.path) && !claimed.has(state.uid) && !fs.existsSync(path.join(root, state.path)),
  );
  // What the scan listed but could not read: a folder renamed while it was read had its files
  // moved to a name the scan did not see; their assets would have been removed, then registered
  // again by the next run (new rows, their previews made again: the live folder, a folder renamed
  // twice in a row, 4,000 of 5,000 assets). They are kept, for a run that sees the tree as it is.
  // (The root itself unread is an empty root, below.)
  const unread = scan.unread.filter(({ rel }) => rel !== '');
  const under = (top: string, rel: string): boolean => rel === top || rel.startsWith(`${top}/`);
  let missing = gonePaths.filter((state) => !unread.some(({ rel }) => under(rel, state.path)));
  // A file moved while the scan read the tree, from a folder it had not read yet into one it had
  // read (or made meanwhile), was seen at neither place. The tree is listed again for files it
  // did not see (only when some asset's file looks gone, and in full runs: the watcher's batches
  // name their paths): one with a gone file's inode is that file, moved, and its asset is kept.
  if (missing.length && !options.paths) {
    // (Inode, device, size and mtime, as a rename is told: an inode freed and reused is another file.)
    const stamp = (dev: number | null, ino: number | null, size: number, mtimeMs: number | null): string =>
      `${dev}:${ino}:${size}:${mtimeMs}`;
    const moved = new Map(
      (await unseenFiles(root, onDisk)).map(({ rel, stat }) => [
        stamp(stat.dev, stat.ino, stat.size, stat.mtimeMs),
        rel,
      ]),
    );
    missing = missing.filter((state) => {
      const to =
        state.file_ino === null
          ? undefined
          : moved.get(stamp(state.file_dev, state.file_ino, state.bytes, state.file_mtime_ms));
      if (to === undefined) return true;
      summary.vanished_while_read++;
      problem(
        state.path,
        `moved to ${to} while the rebuild read the tree: its asset was kept; run the rebuild again to ` +
          'bring it up to date',
      );
      return false;
    });
  }
  for (const { rel, code } of unread) {
    const kept = gonePaths.filter((state) => under(rel, state.path)).length;
    const keptText = kept ? `; the ${kept} asset(s) under it whose files were not found were kept` : '';
    // (A gone name that kept no asset, such as an editor's temp file, is no news.)
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      problem(rel, `could not be read (${code}): check its permissions${keptText}`);
    else if (kept) {
      summary.vanished_while_read++;
      problem(rel, `moved or removed while the rebuild read the tree${keptText}: run the rebuild again`);
    }
  }
  // A root with nothing at all in it, not even the registry's own `_meta`, is an unmounted drive or
  // the wrong folder, far more likely than a user who deleted every file: it would have removed
  // every asset.
  summary.root_empty = missing.length > 0 && holdsNothing(root);
  if (summary.root_empty)
    problem(
      '',
      `${root} holds no files, so none of the ${missing.length} registered assets was removed: is a drive ` +
        'not mounted, or is the assets root wrong? If their files are gone for good, remove the assets ' +
        'themselves (`asset-registry remove`, or the studio).',
    );
  if ((options.removeStale ?? true) && !summary.root_empty) {
    // (Looked at again there: a row may have moved or gone since the rebuild read them all.)
    const removal = await registry.removeIfFilesGone(missing, (done, total) => {
      progress.stale_done = done;
      progress.stale_total = total;
      report(done === total);
    });
    summary.removed += removal.removed;
    summary.removal_change_id = removal.changeId;
  } else {
    for (const state of missing) {
      if (registry.get(state.uid)?.path !== state.path) continue;
      summary.missing_files++;
      problem(state.path, `registered as ${state.uid}, but the file is missing`);
    }
  }

  for (const rel of scan.sidecars) {
    if (isOrphanedSidecar(root, rel, onDisk)) {
      summary.orphaned_sidecars++;
      if (summary.orphaned_sidecar_paths.length < 10) summary.orphaned_sidecar_paths.push(rel);
    }
  }

  // Previews: re-queue any whose files are gone, and any asset that never had one.
  // (A path-limited run leaves this to full rebuilds: it would read every row and the cache.)
  const names = new Set(
    !options.paths && fs.existsSync(paths.thumbsRoot) ? fs.readdirSync(paths.thumbsRoot) : [],
  );
  // (A preview whose writer was killed left its temp file here.)
  for (const name of names) if (removeIfLeftOver(paths.thumbsRoot, name)) names.delete(name);
  for (const record of options.paths ? [] : store.donePreviews(projectId)) {
    const kind = previewKind(record.path);
    if (!kind) continue;
    const expected =
      kind === 'waveform'
        ? [waveformName(record.uid)]
        : takesPoster(kind)
          ? [] // (facts only: no file; the poster is the studio's)
          : THUMB_SIZES.map((size) => thumbnailName(record.uid, size, record.path));
    const missing = expected.filter((n) => !names.has(n)).length;
    if (missing) {
      summary.missing_thumbnails += missing;
      store.queuePreview(projectId, record.uid, record.hash);
    }
  }
  // A model that lacked files it names looks for them again (put back since, say): after a full
  // pass every one, after a path-limited one (the live folder's batches, a model's files copied
  // in) those that lacked one of its paths (a folder copied in file by file: the model first).
  if (options.paths) registry.rereadModelsLacking(options.paths);
  else
    for (const model of store.modelsMissingFiles(projectId))
      store.queuePreview(projectId, model.uid, model.hash);
  for (const state of missing) vacated.add(state.path);
  registry.rereadModelsNaming(vacated);
  previews.recover();
  previews.kick();

  if (options.waitForThumbs ?? true) {
    progress.phase = 'previews';
    report(true);
    previews.start();
    await previews.idle(options.previewTimeoutMs ?? 10 * 60_000);
    await registry.context.sidecars.idle(); // the sidecars that record them
  }
  const counts = store.previewCounts();
  summary.previews_pending = counts.queued + counts.running;
  summary.seconds = Math.round((performance.now() - started) / 10) / 100;
  progress.phase = 'done';
  report(true);
  return summary;
}

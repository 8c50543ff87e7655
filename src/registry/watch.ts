/**
 * Live folder (`serve --watch`): files added, changed, moved or removed under the assets root
 * while the server runs reach the registry within seconds, through the rebuild itself
 * (`registry.rebuild({ paths })`), so the scanning rules, move detection, sidecar handling and
 * hook events are the rebuild's.
 *
 * - chokidar reports changes; names the scan passes over (hidden files, OS junk, `_meta`,
 *   `.staging`, atomic-write temp files, which are hidden) are not even watched, nor are the
 *   database and preview cache should they live under the root.
 * - A sidecar event (`x.asset.json`, legacy `x.json`) stands for its asset `x`, so a sidecar
 *   edited by hand is read back; the registry's own sidecar writes come back as such events but
 *   find nothing changed (the rebuild compares the sidecar's mtime with the one it recorded).
 * - Events are coalesced: a batch runs after a quiet window, or after a maximum wait during a
 *   long burst. A file goes into a batch once its size and mtime have held for a moment (still
 *   being written, it waits). That wait is the watcher's own, not chokidar's `awaitWriteFinish`:
 *   a file created and deleted within chokidar's wait is reported neither added nor removed, so
 *   when a batch had found it meanwhile (listing a new folder, reading a sidecar's event), its
 *   row outlived its file. chokidar reports nothing at all for a file that came and went before
 *   it looked: the registry tells the watcher of each file it puts somewhere (checked as an
 *   add), and an added path gone again by its batch counts as removed.
 * - A removal waits a grace period before it counts: a move is reported as unlink + add, and
 *   the add (whose bytes find the row whose file is gone) must be seen first to keep the id.
 * - Large batches, a removed or renamed folder, and the start (to catch up with changes made
 *   while nothing was watching) run a full, incremental rebuild instead of a path-limited one.
 * - Batches never overlap, and share the registry's rebuild lock with API rebuild jobs.
 */
import path from 'node:path';
import fs from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import { SIDECAR_SUFFIX } from '../domain/asset.js';
import { isSkippedName } from '../domain/asset-paths.js';
import type { JsonObject } from '../domain/json.js';
import { isInside } from '../files/safe-path.js';
import type { HookBus } from '../hooks/bus.js';
import { logger } from '../logging.js';
import { SERVER_REBUILD_BATCH, type RebuildSummary } from './rebuild.js';
import type { AssetRegistry } from './registry.js';
import { statIfThere } from '../files/if-there.js';

export interface WatchOptions {
  /** A batch runs once no event came for this long (ms). */
  quietMs?: number;
  /** …or at the latest this long after its first event, during a steady stream (ms). */
  maxWaitMs?: number;
  /** A removed file counts as removed only after this long, so a move is seen as a move (ms). */
  unlinkGraceMs?: number;
  /** A file is reported once its size has not changed for this long (ms). */
  stabilityMs?: number;
  /** Batches with more paths than this run a full (incremental) rebuild instead. */
  fullRebuildAbove?: number;
  /** Run a full rebuild once watching starts, to pick up what changed while nothing watched. */
  catchUp?: boolean;
  /** Poll every this many ms instead of using OS notifications (network drives, huge trees). */
  pollIntervalMs?: number;
}

/** A changed file's size and mtime (none: it was not there), and when they were last seen changing. */
interface FileStamp {
  size?: number;
  mtimeMs?: number;
  at: number;
}

export interface WatchBatch {
  job_id: string;
  /** The paths looked at, or `null` for a full rebuild. */
  paths: string[] | null;
  summary?: RebuildSummary;
  error?: string;
}

const DEFAULTS = {
  quietMs: 400,
  maxWaitMs: 3000,
  unlinkGraceMs: 1500,
  stabilityMs: 300,
  fullRebuildAbove: 2000,
  catchUp: true,
} satisfies WatchOptions;

/**
 * Where the live folder is: `starting` until the tree has been read (changes made meanwhile are
 * caught up once it has), then `watching`; `failed` if it could not watch at all.
 */
export type LiveFolderState = 'starting' | 'watching' | 'failed' | 'closed';

/** Watches the assets root of one registry (the server's default project). */
export class FolderWatcher {
  private readonly root: string;
  private readonly opts: Required<Omit<WatchOptions, 'pollIntervalMs'>> & { pollIntervalMs?: number };
  private watcher: FSWatcher | undefined;
  /** Added or changed paths, with their size and mtime when last seen changing (see `settled`). */
  private readonly changed = new Map<string, FileStamp>();
  /** Folders that appeared: their files are listed again when the batch runs (see `onEvent`). */
  private readonly newDirs = new Set<string>();
  /** Removed paths → when they become ready (insertion order is time order). */
  private readonly unlinked = new Map<string, number>();
  /** When a full rebuild is due, if one is. */
  private fullAt: number | undefined;
  private firstEventAt: number | undefined;
  private lastEventAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** Ends `start()`'s wait for the first read of the tree when closing before it is done. */
  private stopWaiting: (() => void) | undefined;
  private seq = 0;
  private currentState: LiveFolderState = 'starting';
  private readonly listeners = new Set<(batch: WatchBatch) => void>();
  private readonly stopHearingPlaced: () => void;

  constructor(
    private readonly registry: AssetRegistry,
    private readonly hooks: HookBus,
    options: WatchOptions = {},
  ) {
    this.root = registry.context.paths.assetsRoot;
    this.opts = { ...DEFAULTS, ...stripUndefined(options) };
    // The registry's own placements (uploads, moves, undos, imports) are checked as adds: the
    // watcher may never see a file a hand deletes the moment it lands (see `settled`).
    this.stopHearingPlaced = registry.onFilePlaced((rel) => this.onEvent('add', path.join(this.root, rel)));
  }

  /**
   * Starts watching; resolves once the tree has been read (changes from then on are seen), which
   * takes a while on a big tree. What changes meanwhile is picked up by the catch-up pass.
   */
  async start(): Promise<void> {
    if (this.watcher) return;
    try {
      await this.watchTree();
    } catch (err) {
      if (!this.closed) this.currentState = 'failed';
      throw err;
    }
  }

  /** What `/health` reports. */
  get state(): LiveFolderState {
    return this.currentState;
  }

  private async watchTree(): Promise<void> {
    const polling = this.opts.pollIntervalMs !== undefined;
    const watcher = watch(this.root, {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (abs: string) => this.ignored(abs),
      ...(polling ? { usePolling: true, interval: this.opts.pollIntervalMs } : {}),
    });
    this.watcher = watcher;
    watcher.on('all', (event, abs) => this.onEvent(event, abs));
    watcher.on('error', (err) =>
      logger.warn(
        { err },
        'live folder: the watcher reported an error (on Linux, a huge tree may need a higher ' +
          'fs.inotify.max_user_watches, or ASSET_REGISTRY_WATCH_POLL_MS); running a full rebuild',
      ),
    );
    watcher.on('error', () => this.requestFull(0));
    const started = Date.now();
    await new Promise<void>((resolve) => {
      watcher.once('ready', resolve);
      this.stopWaiting = resolve;
    });
    this.stopWaiting = undefined;
    if (this.closed) return;
    this.currentState = 'watching';
    logger.info({ assets_root: this.root, ms: Date.now() - started }, 'live folder: watching');
    if (this.opts.catchUp) this.requestFull(0);
  }

  /** Called after every batch (tests, logs). */
  onBatch(listener: (batch: WatchBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops watching, drops what is pending and waits for a running batch to finish. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopHearingPlaced();
    this.currentState = 'closed';
    this.stopWaiting?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.watcher?.close();
    await this.running;
  }

  // ------------------------------------------------------------------ events

  /** The watcher's filter: names the scan never registers, and the registry's own files. */
  private ignored(abs: string): boolean {
    const rel = path.relative(this.root, abs);
    if (!rel) return false;
    if (rel.startsWith('..') || path.isAbsolute(rel)) return true;
    const segments = rel.split(path.sep);
    if (segments.some((s) => isSkippedName(s) || s === '_meta')) return true;
    const { dbPath, thumbsRoot, metaRoot } = this.registry.context.paths;
    if (abs.startsWith(dbPath) && /^(-wal|-shm|-journal)?$/.test(abs.slice(dbPath.length))) return true;
    if (isInside(thumbsRoot, abs) || (metaRoot !== false && isInside(metaRoot, abs))) return true;
    return false;
  }

  private onEvent(event: string, abs: string): void {
    if (this.closed) return;
    const rel = path.relative(this.root, abs).split(path.sep).join('/');
    if (!rel || rel.startsWith('..')) return;
    const now = Date.now();
    switch (event) {
      case 'add':
      case 'change':
        this.touch(rel, now);
        break;
      case 'unlink':
        this.markGone(rel, now);
        break;
      case 'unlinkDir':
        // Files under a folder are reported one by one too; a full pass makes sure none is missed.
        this.requestFull(this.opts.unlinkGraceMs);
        break;
      case 'addDir':
        // Its files are reported as adds, except one created between chokidar's read of the new
        // folder and its watch on it (chokidar #1471: mkdir then write at once, as a copy or an
        // atomic save into a new folder does). The batch lists the folder itself.
        this.newDirs.add(rel);
        break;
      default:
        return;
    }
    // A sidecar (or legacy `<file>.json`) written or edited stands for its asset. (Not a removed
    // one: removing an asset but keeping its file deletes the sidecar, and must not bring the
    // file straight back; a full rebuild or enforce rewrites a sidecar deleted by hand.)
    const asset =
      event !== 'add' && event !== 'change'
        ? undefined
        : rel.endsWith(SIDECAR_SUFFIX)
          ? rel.slice(0, -SIDECAR_SUFFIX.length)
          : rel.endsWith('.json')
            ? rel.slice(0, -'.json'.length)
            : undefined;
    if (asset && fs.existsSync(path.join(this.root, asset))) this.touch(asset, now);
    this.lastEventAt = now;
    this.firstEventAt ??= now;
    this.arm();
  }

  /** The files under a folder of the root (relative, POSIX), but for what the watcher ignores. */
  private filesUnder(dir: string): string[] {
    const files: string[] = [];
    const pending = [path.join(this.root, dir)];
    for (let abs = pending.pop(); abs !== undefined; abs = pending.pop()) {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(abs, { withFileTypes: true });
      } catch {
        continue; // gone again, or not a folder any more: its events say what happened
      }
      for (const entry of entries) {
        const child = path.join(abs, entry.name);
        if (this.ignored(child)) continue;
        if (entry.isDirectory()) pending.push(child);
        else files.push(path.relative(this.root, child).split(path.sep).join('/'));
      }
    }
    return files;
  }

  private touch(rel: string, now: number): void {
    this.unlinked.delete(rel);
    this.changed.set(rel, { ...this.stampOf(rel), at: now });
    this.lastEventAt = now;
  }

  private stampOf(rel: string): { size: number; mtimeMs: number } | undefined {
    const stat = statIfThere(path.join(this.root, rel));
    return stat && { size: stat.size, mtimeMs: stat.mtimeMs };
  }

  /**
   * Takes the changed paths that are ready out of `changed`: those whose size and mtime have held
   * for `stabilityMs` since last seen changing (a file still being written waits; one that changed
   * since is stamped again). A path gone again counts as removed: chokidar reports no removal of
   * a file it never saw (one deleted before it looked), and a row may hold that path meanwhile
   * (a file the registry put there, one a batch found by listing a new folder).
   */
  private settled(now: number): string[] {
    const ready: string[] = [];
    for (const [rel, seen] of this.changed) {
      const stamp = this.stampOf(rel);
      if (!stamp) this.markGone(rel, now);
      else if (stamp.size !== seen.size || stamp.mtimeMs !== seen.mtimeMs)
        this.changed.set(rel, { ...stamp, at: now });
      else if (now - seen.at >= this.opts.stabilityMs) {
        ready.push(rel);
        this.changed.delete(rel);
      }
    }
    return ready;
  }

  private markGone(rel: string, now: number): void {
    this.changed.delete(rel);
    this.unlinked.delete(rel);
    this.unlinked.set(rel, now + this.opts.unlinkGraceMs);
  }

  private requestFull(delayMs: number): void {
    const at = Date.now() + delayMs;
    this.fullAt = this.fullAt === undefined ? at : Math.max(this.fullAt, at);
    this.firstEventAt ??= Date.now();
    this.arm();
  }

  /** Sets the timer for the next batch (nothing while one runs: it re-arms when done). */
  private arm(): void {
    if (this.closed || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const firstUnlink = this.unlinked.values().next();
    const added = this.changed.size + this.newDirs.size;
    if (!added && firstUnlink.done && this.fullAt === undefined) {
      this.firstEventAt = undefined;
      return;
    }
    const now = Date.now();
    let at = Math.min(this.lastEventAt + this.opts.quietMs, (this.firstEventAt ?? now) + this.opts.maxWaitMs);
    // Not before the first changed file can have settled (a file still being written).
    let settles = Infinity;
    for (const { at: seen } of this.changed.values())
      settles = Math.min(settles, seen + this.opts.stabilityMs);
    if (this.changed.size && !this.newDirs.size) at = Math.max(at, settles);
    if (!added) {
      // Only removals or a full pass are waiting: not before the first is due (removals wait for
      // a full pass when one is pending, see `flush`).
      const due = this.fullAt ?? (firstUnlink.done ? Infinity : firstUnlink.value);
      at = Math.max(at, due);
    }
    this.timer = setTimeout(() => this.flush(), Math.max(0, at - now));
    this.timer.unref();
  }

  private flush(): void {
    this.timer = undefined;
    if (this.closed || this.running) return;
    const now = Date.now();
    // A folder copied in reports each of its subfolders too: list each tree once, from its top.
    const listed: string[] = [];
    for (const dir of [...this.newDirs].sort()) {
      if (listed.some((top) => dir.startsWith(`${top}/`))) continue;
      listed.push(dir);
      for (const rel of this.filesUnder(dir)) this.touch(rel, now);
    }
    this.newDirs.clear();
    const paths = this.settled(now);
    // While a full pass is pending (a folder went), removals wait for it: the file of a path
    // gone may be in that folder's new place, whose adds chokidar may report seconds later (a
    // renamed folder of 5,000 files, while previews were made: its first 611 events ran as a
    // batch that removed 27 assets, registered again by the full pass that followed). The full
    // pass sees the whole tree and takes them all.
    for (const [rel, due] of this.fullAt === undefined ? this.unlinked : []) {
      if (due > now) break;
      paths.push(rel);
      this.unlinked.delete(rel);
    }
    let full = false;
    if (this.fullAt !== undefined && this.fullAt <= now) {
      full = true;
      this.fullAt = undefined;
      this.unlinked.clear();
    }
    if (paths.length > this.opts.fullRebuildAbove) full = true;
    this.firstEventAt = this.changed.size || this.unlinked.size || this.fullAt ? now : undefined;
    if (!full && !paths.length) return this.arm();
    this.running = this.runBatch(full ? null : paths).finally(() => {
      this.running = undefined;
      this.arm();
    });
  }

  private async runBatch(paths: string[] | null): Promise<void> {
    const jobId = `watch-${++this.seq}`;
    const batch: WatchBatch = { job_id: jobId, paths };
    try {
      const summary = await this.registry.rebuild({
        ...(paths ? { paths } : {}),
        // A file the user deleted under watch is unregistered (row, sidecar, mirror, previews).
        removeStale: true,
        waitForThumbs: false,
        batchFiles: SERVER_REBUILD_BATCH,
      });
      batch.summary = summary;
      // A folder moved while the batch read the tree: its assets were kept; another pass, once
      // quiet, takes the tree as it is now (the move's own events ask for one too).
      if (summary.vanished_while_read) this.requestFull(this.opts.quietMs);
      const changes =
        summary.created + summary.updated + summary.moved + summary.removed + summary.sidecar_updates;
      if (changes || summary.problems.length) {
        logger.info(
          {
            job_id: jobId,
            paths: paths?.length ?? 'all',
            created: summary.created,
            updated: summary.updated,
            moved: summary.moved,
            removed: summary.removed,
            sidecar_updates: summary.sidecar_updates,
            problems: summary.problems,
          },
          'live folder: registry updated',
        );
        this.hooks.emit(
          'rebuild_progress',
          {
            job_id: jobId,
            status: 'done',
            phase: 'done',
            files_done: summary.processed + summary.skipped,
            files_total: summary.processed + summary.skipped,
            bytes_done: 0,
            bytes_total: 0,
            summary: summary as unknown as JsonObject,
            trigger: 'watch',
          },
          this.registry.projectId,
        );
      }
    } catch (err) {
      batch.error = err instanceof Error ? err.message : String(err);
      logger.error({ err, job_id: jobId }, 'live folder: rebuild failed');
      this.hooks.emit(
        'rebuild_progress',
        {
          job_id: jobId,
          status: 'failed',
          phase: 'done',
          files_done: 0,
          files_total: paths?.length ?? 0,
          bytes_done: 0,
          bytes_total: 0,
          error: batch.error,
          trigger: 'watch',
        },
        this.registry.projectId,
      );
    }
    for (const listener of this.listeners) listener(batch);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

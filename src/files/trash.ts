/**
 * The registry's trash: files deleted through the registry are moved here instead of unlinked,
 * so that a removal that deleted them can be undone. It is the hidden folder `.trash` under the
 * assets root (the same file system, so a file goes in and comes back by a rename; hidden, so a
 * scan, a watch and every request path pass over it). Each removal puts its files in a batch
 * folder named after when it happened and its change (`20261127T153012Z-c12-3fa9`), keeping
 * their paths, each beside its sidecar as it was: a person can put one back by hand and a
 * rebuild takes its tags and licence in again. Batches older than the kept days are emptied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SIDECAR_SUFFIX } from '../domain/asset.js';
import { AppError } from '../domain/errors.js';
import { removeEmptyFolders } from './if-there.js';
import { moveFileNoReplace } from './move-file.js';
import { resolveUnder } from './safe-path.js';

export const TRASH_DIR = '.trash';

/** Days a trashed file is kept by default (`ASSET_REGISTRY_TRASH_DAYS`); 0 deletes files at once. */
export const TRASH_DAYS_DEFAULT = 30;

const DAY_MS = 86_400_000;

/** One removal's trashed files. */
export interface TrashBatch {
  /** The folder's name under `.trash`. */
  name: string;
  /** The change that removed them (null for orphaned sidecars, or a folder not named by the registry). */
  changeId: number | null;
  /** Orphaned sidecars taken away by enforce (`remove_orphans`): no change records them. */
  orphans: boolean;
  deletedAt: string;
  files: number;
  bytes: number;
}

/** A file in a batch: its path as it was under the assets root, and its size. */
export interface TrashedFile {
  path: string;
  bytes: number;
}

const totals = (files: readonly TrashedFile[]): { files: number; bytes: number } => ({
  files: files.length,
  bytes: files.reduce((n, f) => n + f.bytes, 0),
});

export const trashBatchNotFound = (name: string | undefined): AppError =>
  new AppError(
    404,
    'trash_batch_not_found',
    `No batch ${JSON.stringify(name)} in the trash (emptied, or kept past its days?): \`trash\` or GET /api/trash lists them.`,
  );

/** What {@link Trash.restoreOrphans} put back, and what it left in the trash and why. */
export interface OrphansRestored {
  restored: string[];
  kept: Array<{ path: string; reason: string }>;
}

export interface TrashEmptied {
  batches: number;
  files: number;
  bytes: number;
}

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-c(\d+))?(?:-orphans)?-[0-9a-f]+$/;

/** What marks a batch of orphaned sidecars (enforce's `remove_orphans`), whose sidecars are its files. */
const ORPHANS = '-orphans-';

/** `2026-11-27T15:30:12.345Z` → `20261127T153012Z`. */
const stampOf = (date: Date): string => `${date.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

export class Trash {
  constructor(
    /** The trash folder itself: `<assets root>/.trash`. */
    readonly root: string,
    /** Days a batch is kept; 0 means files are not trashed but deleted. */
    readonly keepDays: number,
    /** Bytes the trash may hold; past them the oldest batches go first (the newest always stays). */
    readonly maxBytes = Infinity,
  ) {}

  /** Whether deleted files go here (else they are deleted at once). */
  get enabled(): boolean {
    return this.keepDays > 0;
  }

  /** A new batch's name for a removal at `now` recorded as change `changeId`. */
  batchName(changeId: number | null, now = new Date()): string {
    const change = changeId === null ? '' : `-c${changeId}`;
    return `${stampOf(now)}${change}-${randomBytes(2).toString('hex')}`;
  }

  /** A new batch's name for orphaned sidecars taken away at `now` (see {@link putAlone}). */
  orphansBatchName(now = new Date()): string {
    return `${stampOf(now)}${ORPHANS}${randomBytes(2).toString('hex')}`;
  }

  /** The absolute path of a trashed file named `batch/path` (confined to the trash). */
  locate(trashed: string): string {
    return resolveUnder(this.root, trashed, 'trash path').abs;
  }

  /**
   * Moves the file at `abs` into `batch` as `rel`, with its sidecar (when there is one) beside it
   * under its usual name. Returns the trashed file's name, `batch/rel`.
   */
  put(batch: string, rel: string, abs: string, sidecar: string): string {
    const trashed = `${batch}/${rel}`;
    this.putAt(trashed, abs, sidecar);
    return trashed;
  }

  /**
   * Moves one file at `abs` into `batch` as `rel`, alone: an orphaned sidecar (see
   * registry/orphans.ts) into a batch named by {@link orphansBatchName}, which lists it as a file.
   */
  putAlone(batch: string, rel: string, abs: string): void {
    this.moveIn(`${batch}/${rel}`, abs);
  }

  /**
   * Undoes {@link takeBack}: the file at `abs`, and its sidecar, go back to `trashed` (for a
   * file brought back for an asset that then could not be registered again).
   */
  putBack(trashed: string, abs: string): void {
    this.putAt(trashed, abs, abs + SIDECAR_SUFFIX);
  }

  private putAt(trashed: string, abs: string, sidecar: string): void {
    const target = this.moveIn(trashed, abs);
    try {
      fs.renameSync(sidecar, target + SIDECAR_SUFFIX);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Moves the file at `abs` to `trashed` in the trash (never over a file there); returns where it went. */
  private moveIn(trashed: string, abs: string): string {
    const target = this.locate(trashed);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    moveFileNoReplace(abs, target);
    return target;
  }

  /**
   * Moves a trashed file back to `abs` (never over a file there: EEXIST), its sidecar first where
   * none is (so a watch or a rebuild that finds the file before the registry has put its row
   * back registers it with its id, tags and licence), and drops the folders left empty.
   */
  takeBack(trashed: string, abs: string): void {
    const from = this.locate(trashed);
    const sidecar = { from: from + SIDECAR_SUFFIX, to: abs + SIDECAR_SUFFIX };
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const sidecarBack = fs.existsSync(sidecar.from) && !fs.existsSync(sidecar.to);
    if (sidecarBack) fs.renameSync(sidecar.from, sidecar.to);
    try {
      moveFileNoReplace(from, abs);
    } catch (err) {
      if (sidecarBack) fs.renameSync(sidecar.to, sidecar.from); // (the file stays: so does its sidecar)
      throw err;
    }
    fs.rmSync(sidecar.from, { force: true });
    removeEmptyFolders(path.dirname(from), this.root);
  }

  /** Every batch, newest first, with how many files and bytes it holds (sidecars not counted). */
  list(): TrashBatch[] {
    return this.batchNames()
      .map((name) => ({ name, ...this.describe(name), ...totals(this.filesIn(path.join(this.root, name))) }))
      .sort((a, b) => b.deletedAt.localeCompare(a.deletedAt) || b.name.localeCompare(a.name));
  }

  /**
   * One batch with its files (their paths as they were, sizes), in path order; undefined when
   * there is no batch by that name (only a name the trash lists is looked at: nothing else can be
   * reached through it).
   */
  batch(name: string): (TrashBatch & { paths: TrashedFile[] }) | undefined {
    if (!this.batchNames().includes(name)) return undefined;
    const paths = this.filesIn(path.join(this.root, name));
    return { name, ...this.describe(name), ...totals(paths), paths };
  }

  /**
   * Puts the files of batch `name` (orphaned sidecars: registry/orphans.ts checks) back where they
   * were under `assetsRoot`, each only where no file is now (never over one: a sidecar the registry
   * wrote since for a file put back stays); those are kept in the batch, which goes once empty.
   * Undefined when there is no batch by that name. (A removal's batch comes back by the undo of its
   * change, with its assets.)
   */
  restoreOrphans(name: string, assetsRoot: string): OrphansRestored | undefined {
    if (!this.batchNames().includes(name)) return undefined;
    const dir = path.join(this.root, name);
    const restored: string[] = [];
    const kept: OrphansRestored['kept'] = [];
    for (const { path: rel } of this.filesIn(dir)) {
      const from = path.join(dir, rel);
      const to = resolveUnder(assetsRoot, rel, 'trash path').abs;
      try {
        fs.mkdirSync(path.dirname(to), { recursive: true });
        moveFileNoReplace(from, to);
        restored.push(rel);
        removeEmptyFolders(path.dirname(from), this.root);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        kept.push({
          path: rel,
          reason:
            code === 'EEXIST'
              ? 'a file is there now: it was left in the trash'
              : `could not be put back (${code ?? (err as Error).message})`,
        });
      }
    }
    return { restored, kept };
  }

  /** Deletes the batches older than `olderThanDays` (every batch when undefined). */
  empty(olderThanDays?: number, now = Date.now()): TrashEmptied {
    const cutoff = olderThanDays === undefined ? Infinity : now - olderThanDays * DAY_MS;
    return this.remove(
      this.batchNames().filter((name) => Date.parse(this.describe(name).deletedAt) < cutoff),
    );
  }

  /** Deletes one batch for good; undefined when there is none by that name. */
  emptyBatch(name: string): TrashEmptied | undefined {
    return this.batchNames().includes(name) ? this.remove([name]) : undefined;
  }

  private remove(names: readonly string[]): TrashEmptied {
    const emptied: TrashEmptied = { batches: 0, files: 0, bytes: 0 };
    for (const name of names) {
      const dir = path.join(this.root, name);
      const { files, bytes } = totals(this.filesIn(dir));
      fs.rmSync(dir, { recursive: true, force: true });
      emptied.batches += 1;
      emptied.files += files;
      emptied.bytes += bytes;
    }
    return emptied;
  }

  /**
   * Deletes the batches kept longer than {@link keepDays}, then, while the trash holds more than
   * {@link maxBytes}, the oldest ones; the newest batch stays whatever its size (it is the removal
   * just made: deleting it at once would make that removal the one that cannot be undone).
   */
  expire(now = Date.now()): TrashEmptied {
    const emptied = this.empty(this.keepDays, now);
    if (this.maxBytes === Infinity) return emptied;
    const batches = this.list(); // newest first
    let held = batches.reduce((n, b) => n + b.bytes, 0);
    const over = batches
      .slice(1)
      .reverse()
      .filter((b) => {
        if (held <= this.maxBytes) return false;
        held -= b.bytes;
        return true;
      });
    const trimmed = this.remove(over.map((b) => b.name));
    return {
      batches: emptied.batches + trimmed.batches,
      files: emptied.files + trimmed.files,
      bytes: emptied.bytes + trimmed.bytes,
    };
  }

  private batchNames(): string[] {
    try {
      return fs
        .readdirSync(this.root, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** When a batch was made and by which change: from its name, else (a folder put there by hand) its mtime. */
  private describe(name: string): { changeId: number | null; orphans: boolean; deletedAt: string } {
    const m = STAMP.exec(name);
    if (m) {
      const [, y, mo, d, h, mi, s, change] = m;
      return {
        changeId: change === undefined ? null : Number(change),
        orphans: name.includes(ORPHANS),
        deletedAt: `${y}-${mo}-${d}T${h}:${mi}:${s}Z`,
      };
    }
    return {
      changeId: null,
      orphans: false,
      deletedAt: fs.statSync(path.join(this.root, name)).mtime.toISOString(),
    };
  }

  /**
   * The files in a batch folder, by their paths as they were: sidecars not counted, but in a
   * batch of orphaned sidecars, whose files they are.
   */
  private filesIn(dir: string): TrashedFile[] {
    const sidecarsCount = path.basename(dir).includes(ORPHANS);
    return fs
      .readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && (sidecarsCount || !entry.name.endsWith(SIDECAR_SUFFIX)))
      .map((entry) => {
        const abs = path.join(entry.parentPath, entry.name);
        return { path: path.relative(dir, abs).split(path.sep).join('/'), bytes: fs.statSync(abs).size };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
  }
}

/** What the trash holds, as `GET /api/trash` and the CLI's `trash --json` show it. */
export function trashListing(trash: Trash) {
  const batches = trash.list();
  return {
    folder: TRASH_DIR,
    keep_days: trash.keepDays,
    max_bytes: trash.maxBytes === Infinity ? null : trash.maxBytes,
    files: batches.reduce((n, b) => n + b.files, 0),
    bytes: batches.reduce((n, b) => n + b.bytes, 0),
    batches: batches.map(batchPayload),
  };
}

/** One batch as the API shows it. */
export const batchPayload = (b: TrashBatch) => ({
  name: b.name,
  change_id: b.changeId,
  kind: b.changeId !== null ? 'removal' : b.orphans ? 'orphaned_sidecars' : 'other',
  deleted_at: b.deletedAt,
  files: b.files,
  bytes: b.bytes,
});

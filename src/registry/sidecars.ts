/**
 * Writes `<file>.asset.json` and its `_meta` mirror from the registry row. Writes for one asset
 * are serialised and each reads the row at write time, so the last write on disk always shows
 * the newest state even when updates race. The mirror is a hard link to the sidecar where the
 * file system allows (a copy elsewhere): the same bytes, without a second file to create and sync.
 */
import path from 'node:path';
import { buildSidecar, sidecarRelPath, type AssetRecord, type ProvenanceRecord } from '../domain/asset.js';
import { jsonText, writeFilesAtomic, type AtomicFile } from '../files/atomic-write.js';
import { FileLease } from '../files/file-lease.js';
import { removeEmptyFolders, unlinkIfThere } from '../files/if-there.js';
import { logger } from '../logging.js';

export interface SidecarTarget {
  /** Absolute path of the primary sidecar. */
  primary: string;
  /** Absolute path of the mirror, or undefined when mirroring is off. */
  mirror: string | undefined;
}

/**
 * The mirror keeps the whole file name (`_meta/images/hero.png.json`), fixing the reference's
 * collision where `hero.png` and `hero.jpg` shared `_meta/images/hero.json`.
 */
export function sidecarTargets(assetsRoot: string, metaRoot: string | false, relPath: string): SidecarTarget {
  return {
    primary: path.join(assetsRoot, sidecarRelPath(relPath)),
    mirror: metaRoot === false ? undefined : path.join(metaRoot, `${relPath}.json`),
  };
}

/** Why an asset's sidecar did not land, and the asset's path as the write read it. */
export type SidecarWriteError = NodeJS.ErrnoException & { assetPath?: string };

/** (A new error: one error may stand for a whole batch, a failed flush.) */
const sidecarWriteError = (err: Error, assetPath: string): SidecarWriteError =>
  Object.assign(new Error(err.message, { cause: err }), {
    code: (err as NodeJS.ErrnoException).code,
    assetPath,
  });

/** What a sidecar is written from: the asset's row and its latest provenance. */
export interface SidecarState {
  record: AssetRecord;
  provenance: ProvenanceRecord | undefined;
}

/** The state a sidecar is written from, read when the write runs; undefined when the asset is gone. */
export type SidecarLoad = () => SidecarState | undefined;

export interface SidecarWritten {
  record: AssetRecord;
  mtimeMs: number;
  /**
   * Whether no later write of this asset has been queued (asked when the landing is recorded):
   * then the sidecar shows the row as committed, since an edit queues its write as it commits.
   */
  latest: () => boolean;
}

/** Writes files atomically with one durability barrier for the lot (see `writeFilesAtomic`). */
export type BatchWriter = (files: AtomicFile[]) => Promise<Array<number | Error>>;

export class SidecarWriter {
  /** Per key with writes pending: the end of its last queued write. */
  private readonly chains = new Map<string, Promise<void>>();
  /** `_meta` folders a removed mirror may have left empty, removed once no write is under way. */
  private readonly emptied = new Set<string>();
  private pruning = false;

  constructor(
    private readonly assetsRoot: string,
    private readonly metaRoot: string | false,
    /**
     * Held from reading the states to their landing, so that another process cannot move or
     * remove an asset in between (its sidecar would land beside no file); none by default.
     */
    private readonly lease: FileLease = new FileLease(undefined),
    /** Where `writeMany` writes: in this thread by default, the worker pool's write thread in a service. */
    private readonly writeBatch: BatchWriter = writeFilesAtomic,
  ) {}

  /**
   * Queues a write of the current state of an asset. `load` is called when the write runs and
   * returns the record and its latest provenance (or undefined when the asset is gone). Written
   * in this thread, so a registration waits for one durable write and no thread hop.
   */
  write(key: string, load: SidecarLoad): Promise<SidecarWritten | undefined> {
    return this.enqueue([key], async (latest) => {
      const [written] = await this.writeStates(() => [load()], writeFilesAtomic, [latest]);
      if (written instanceof Error) throw written;
      return written;
    });
  }

  /**
   * Writes several assets' sidecars and mirrors with one durability barrier for the lot (the
   * rebuild's batches), each after that asset's earlier writes. `loadAll` is called when the
   * writes run and returns the state of each key (in order). Per key: what was written,
   * undefined (asset gone), or the error that kept its sidecar or mirror from landing.
   */
  writeMany(
    keys: readonly string[],
    loadAll: () => ReadonlyArray<SidecarState | undefined>,
  ): Promise<Array<SidecarWritten | undefined | Error>> {
    return this.enqueue(keys, (...latest) => this.writeStates(loadAll, this.writeBatch, latest));
  }

  /** Loads the states now, writes their sidecars and mirrors through `writeFiles`, and says how each went. */
  private writeStates(
    loadAll: () => ReadonlyArray<SidecarState | undefined>,
    writeFiles: BatchWriter,
    latest: ReadonlyArray<() => boolean>,
  ): Promise<Array<SidecarWritten | undefined | Error>> {
    // (Joining: a move or removal holding the lease may be waiting for this write.)
    return this.lease.hold(() => this.writeStatesNow(loadAll, writeFiles, latest), true);
  }

  private async writeStatesNow(
    loadAll: () => ReadonlyArray<SidecarState | undefined>,
    writeFiles: BatchWriter,
    latest: ReadonlyArray<() => boolean>,
  ): Promise<Array<SidecarWritten | undefined | Error>> {
    const files: AtomicFile[] = [];
    const owners: Array<{ entry: number; primary: boolean }> = [];
    const states = loadAll().map((state, i) => {
      if (!state) return undefined;
      const data = jsonText(buildSidecar(state.record, state.provenance));
      const targets = sidecarTargets(this.assetsRoot, this.metaRoot, state.record.path);
      // (Beside its file: none is written for a file gone, nor its folder made again.)
      files.push({ target: targets.primary, data, beside: path.join(this.assetsRoot, state.record.path) });
      owners.push({ entry: i, primary: true });
      if (targets.mirror) {
        files.push({ target: targets.mirror, sameAs: files.length - 1 });
        owners.push({ entry: i, primary: false });
      }
      return state;
    });
    const landed = await writeFiles(files);
    const mtimes = new Map<number, number>(); // the primary's: the one a rebuild compares
    const errors = new Map<number, Error>();
    landed.forEach((outcome, f) => {
      const { entry, primary } = owners[f] as { entry: number; primary: boolean };
      if (outcome instanceof Error) {
        if (!errors.has(entry)) errors.set(entry, outcome);
      } else if (primary) mtimes.set(entry, outcome);
    });
    return states.map(
      (state, i) =>
        (state && errors.has(i) ? sidecarWriteError(errors.get(i) as Error, state.record.path) : undefined) ??
        (state && {
          record: state.record,
          mtimeMs: mtimes.get(i) as number,
          latest: latest[i] as () => boolean,
        }),
    );
  }

  /**
   * Runs `job` after every earlier write of these keys; later writes of them wait for it. The job
   * gets, per key, whether it is still the last write queued for it.
   */
  private enqueue<T>(
    keys: readonly string[],
    job: (...latest: Array<() => boolean>) => Promise<T>,
  ): Promise<T> {
    const previous = keys.flatMap((key) => this.chains.get(key) ?? []);
    // Still this write's end in the map, or gone (every write of the key has finished, none
    // queued since). Asked after the job has run, when `tail` is set.
    const latest = keys.map((key) => () => (this.chains.get(key) ?? tail) === tail);
    const next = Promise.all(previous).then(() => job(...latest));
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    for (const key of keys) {
      this.chains.set(key, tail);
      void tail.then(() => {
        if (this.chains.get(key) === tail) this.chains.delete(key);
        this.pruneWhenIdle();
      });
    }
    return next;
  }

  /**
   * Deletes an asset's sidecar and mirror, with a blocking `unlink` each: a few microseconds, where
   * a promise's round trip through libuv's pool took ~0.25 ms a removal (thousands in a row when
   * a rebuild removes a deleted folder's assets).
   */
  remove(relPath: string): void {
    unlinkIfThere(sidecarTargets(this.assetsRoot, this.metaRoot, relPath).primary);
    this.removeMirror(relPath);
  }

  /**
   * Deletes an asset's mirror; the `_meta` folders it leaves empty go once no sidecar write of
   * this process is under way (an empty folder removed between a write's making it and its file
   * landing in it failed that write: a storm of uploads and removals answered 500), holding the
   * lease (nor another process's). The registry made those folders; a user's are never touched.
   */
  removeMirror(relPath: string): void {
    const { mirror } = sidecarTargets(this.assetsRoot, this.metaRoot, relPath);
    if (!mirror) return;
    unlinkIfThere(mirror);
    this.emptied.add(path.dirname(mirror));
    this.pruneWhenIdle();
  }

  private pruneWhenIdle(): void {
    const metaRoot = this.metaRoot;
    if (this.pruning || !this.emptied.size || this.chains.size || metaRoot === false) return;
    this.pruning = true;
    this.lease
      .hold(() => {
        if (this.chains.size) return; // (a write queued meanwhile: when the last one ends)
        for (const dir of this.emptied) removeEmptyFolders(dir, metaRoot);
        this.emptied.clear();
      })
      .catch((err: unknown) => logger.warn({ err }, 'empty _meta folders not removed'))
      .finally(() => {
        this.pruning = false;
        this.pruneWhenIdle();
      });
  }

  /** Resolves once every write of these keys queued so far has finished. */
  async settled(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.flatMap((key) => this.chains.get(key) ?? []));
  }

  /** Resolves once every queued write has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}

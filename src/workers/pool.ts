/**
 * The worker pools for heavy work: hashing (and staged copies), thumbnails and waveforms. Work
 * never runs on the thread that answers requests. Hashing has its own pool so a long audio
 * decode never holds up a registration.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import type { PictureColors } from '../domain/facets.js';
import type { HashManyEntry, HashResult, HashTask } from './hash-worker.js';
import type { ScanTask } from './scan-worker.js';
import type { ScanResult } from '../registry/scan.js';
import type { SearchPage, SearchTask } from './search-worker.js';
import type { SearchQuery } from '../store/sqlite-store.js';
import type { ThumbnailResult, ThumbnailTask } from './thumbnail-worker.js';
import type { WaveformResult, WaveformTask } from './waveform-worker.js';
import type { VideoResult, VideoTask } from './video-worker.js';
import type { ModelResult, ModelTask } from './model-worker.js';
import type { WriteResult, WriteTask } from './write-worker.js';
import type { AtomicFile } from '../files/atomic-write.js';

// Run from sources (tsx) the workers are .ts files; from the build they are .js beside this one.
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const workerUrl = (name: string): string => new URL(`./${name}${ext}`, import.meta.url).href;

/**
 * The threads' Node options: the process's, and `require(esm)` off where Node has it. Piscina
 * loads a task's file with `require()` first and `import()` when that fails; Node 20's
 * `require()` of an ES module aborted a CLI process once in a test run (an assertion in
 * `CreateRequiredModuleFacade`), so the threads take the `import()` path that ES modules are for.
 * Not from sources: there tsx loads the workers, and a thread of the preview pool then failed to
 * load its second worker file ("Unknown file extension .ts").
 */
const execArgv =
  ext === '.js' && process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module')
    ? [...process.execArgv, '--no-experimental-require-module']
    : process.execArgv;

type PreviewTask = ThumbnailTask | WaveformTask | VideoTask | ModelTask | string;

/** A preview task still running after this long is stopped: see {@link WorkerPool.preview}. */
const PREVIEW_TIMEOUT_MS = Number(process.env.ASSET_REGISTRY_PREVIEW_TIMEOUT_MS) || 180_000;

export class WorkerPool {
  /** Reading files: hashing, staged copies, and the folders of a rebuild's scan. */
  private readonly hashPool: Piscina<HashTask | ScanTask, HashResult | HashManyEntry[] | ScanResult>;
  private readonly previewPool: Piscina<
    PreviewTask,
    ThumbnailResult | WaveformResult | VideoResult | ModelResult | string
  >;
  /** One thread: batches of small writes, which mostly wait on the disk. */
  private readonly writePool: Piscina<WriteTask, WriteResult>;
  /** One thread: searches that scan rows, off the thread that answers requests. */
  private readonly searchPool: Piscina<SearchTask, SearchPage | string[]>;
  readonly previewThreads: number;
  /** Threads hashing at once (the rebuild hashes this many files ahead, and a few more). */
  readonly hashThreads: number;

  constructor(threads = Math.max(2, os.availableParallelism())) {
    this.previewThreads = threads;
    this.hashThreads = threads;
    this.hashPool = new Piscina({
      filename: workerUrl('hash-worker'),
      execArgv,
      minThreads: 1,
      maxThreads: threads,
      idleTimeout: 30_000,
    });
    this.previewPool = new Piscina({ minThreads: 0, maxThreads: threads, idleTimeout: 30_000, execArgv });
    this.writePool = new Piscina({
      filename: workerUrl('write-worker'),
      execArgv,
      minThreads: 0,
      maxThreads: 1,
      // The thread creates a batch's files while the one before waits for its durability barrier.
      concurrentTasksPerWorker: 2,
      idleTimeout: 30_000,
    });
    this.searchPool = new Piscina({
      filename: workerUrl('search-worker'),
      execArgv,
      minThreads: 0,
      maxThreads: 1,
      // Its connection keeps its page cache and search caches while people search.
      idleTimeout: 300_000,
    });
  }

  hash(source: string): Promise<HashResult> {
    return this.hashPool.run({ op: 'hash', source }) as Promise<HashResult>;
  }

  /** Hashes several files in one task (for small files, where a task per file costs more than the hash). */
  hashMany(sources: string[]): Promise<HashManyEntry[]> {
    return this.hashPool.run({ op: 'hashMany', sources }) as Promise<HashManyEntry[]>;
  }

  /** Streams `source` into a new file under `stagingDir` while hashing it. */
  stage(source: string, stagingDir: string): Promise<HashResult> {
    return this.hashPool.run({ op: 'stage', source, stagingDir }) as Promise<HashResult>;
  }

  /** Takes a file already in the staging folder as the staged copy (hashed and synced, not copied). */
  adopt(stagedFile: string): Promise<HashResult> {
    return this.hashPool.run({ op: 'adopt', source: stagedFile }) as Promise<HashResult>;
  }

  /** One folder below the assets root scanned on a hashing thread (a split rebuild scan). */
  scanFolder(dir: string, relDir: string): Promise<ScanResult> {
    return this.hashPool.run({ dir, relDir }, { filename: workerUrl('scan-worker') }) as Promise<ScanResult>;
  }

  /** `writeFilesAtomic` on the write thread: per file, its landed mtime or an Error. */
  async writeFiles(files: AtomicFile[]): Promise<Array<number | Error>> {
    const results = await this.writePool.run({ files });
    return results.map((r) =>
      typeof r === 'number' ? r : Object.assign(new Error(r.error), { code: r.code }),
    );
  }

  /** A search on the search thread's read-only connection to `dbPath`. */
  search(dbPath: string, query: SearchQuery): Promise<SearchPage> {
    return this.searchPool.run({ op: 'search', dbPath, query }) as Promise<SearchPage>;
  }

  /** `SqliteStore.searchIds` on the search thread. */
  searchIds(dbPath: string, query: SearchQuery, max: number): Promise<string[]> {
    return this.searchPool.run({ op: 'searchIds', dbPath, query, max }) as Promise<string[]>;
  }

  async thumbnail(task: ThumbnailTask): Promise<ThumbnailResult> {
    return (await this.preview(task, 'thumbnail-worker')) as ThumbnailResult;
  }

  /** A video's length and frame size from its container's headers (see the video worker). */
  async videoFacts(task: VideoTask): Promise<VideoResult> {
    return (await this.preview(task, 'video-worker')) as VideoResult;
  }

  /** A 3D model's facts from its JSON, and the files it needs that are missing (see the model worker). */
  async modelFacts(task: ModelTask): Promise<ModelResult> {
    return (await this.preview(task, 'model-worker')) as ModelResult;
  }

  /** A picture's difference hash and colours from its thumbnail file (see `fingerprint` in the thumbnail worker). */
  async fingerprint(thumbnail: string): Promise<{ dhash: string; colors: PictureColors }> {
    return (await this.preview(thumbnail, 'thumbnail-worker', 'fingerprint')) as {
      dhash: string;
      colors: PictureColors;
    };
  }

  async waveform(task: WaveformTask): Promise<WaveformResult> {
    return (await this.preview(task, 'waveform-worker')) as WaveformResult;
  }

  /**
   * A task on the preview threads, stopped (its thread ended) after {@link PREVIEW_TIMEOUT_MS}: a
   * decoder that loops on a damaged file must not hold a preview thread for good.
   */
  private async preview(task: PreviewTask, worker: string, name?: string): Promise<unknown> {
    try {
      return await this.previewPool.run(task, {
        filename: workerUrl(worker),
        ...(name ? { name } : {}),
        signal: AbortSignal.timeout(PREVIEW_TIMEOUT_MS),
      });
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
      throw new Error(
        `reading it took longer than ${PREVIEW_TIMEOUT_MS / 1000} s and was stopped (a damaged file?)`,
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all([
      this.hashPool.destroy(),
      this.previewPool.destroy(),
      this.writePool.destroy(),
      this.searchPool.destroy(),
    ]);
  }
}

/**
 * The preview job queue. Jobs are rows in the registry database (one per asset, keyed to its
 * content hash), so they survive restarts and any process may run them: a claim is one atomic
 * UPDATE. Work runs in the worker pool, a bounded number at a time; a failing job is recorded
 * as data and never stops the queue.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PictureColors } from '../domain/facets.js';
import { logger } from '../logging.js';
import type { PreviewJob, SqliteStore } from '../store/sqlite-store.js';
import type { WorkerPool } from '../workers/pool.js';
import type { ThumbnailResult } from '../workers/thumbnail-worker.js';
import type { ModelResult } from '../workers/model-worker.js';
import type { VideoResult } from '../workers/video-worker.js';
import type { WaveformResult } from '../workers/waveform-worker.js';
import {
  audioCodec,
  isFontFile,
  PREVIEW_EXTENSIONS,
  previewKind,
  THUMB_SIZES,
  thumbnailExt,
  type ThumbSize,
  thumbnailName,
  thumbnailOutputs,
  animationName,
  mayBeAnimated,
  waveformName,
} from './kinds.js';

export type PreviewOutcome =
  | { ok: true; kind: 'thumbnail'; result: ThumbnailResult }
  | { ok: true; kind: 'waveform'; result: WaveformResult }
  | { ok: true; kind: 'video'; result: VideoResult }
  | { ok: true; kind: 'model'; result: ModelResult }
  | { ok: false; error: string };

export interface PreviewQueueOptions {
  store: SqliteStore;
  pool: WorkerPool;
  assetsRoot: string;
  thumbsRoot: string;
  /** Identifies this process as the owner of the jobs it claims. */
  owner: string;
  /**
   * Applies an outcome to the asset (row, sidecar, events), calling `recorded` as the job's
   * status is written (with it, in one transaction), so the wave counts it when the counts do.
   */
  apply: (job: PreviewJob, outcome: PreviewOutcome, recorded: () => void) => Promise<void>;
  /** Images with more pixels are refused (decompression bombs). */
  maxImagePixels?: number;
}

const DEFAULT_MAX_PIXELS = 100_000_000;
const WAVEFORM_POINTS = 512;
/** A queue empty this long (ms) ends its wave: the next job starts a new one. */
const WAVE_GAP_MS = 3000;

/**
 * The previews this process has finished (made or failed) since its queue was last empty for a
 * while, and for how long: with the queue's counts, how far a rebuild's previews are and at what
 * rate (the studio's progress line). Kept across a short gap, such as between a rebuild's batches.
 */
export interface PreviewWave {
  finished: number;
  seconds: number;
}

function pidAlive(owner: string | null): boolean {
  const pid = Number(owner?.split('-')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A decoder's message on one line, each complaint once: libvips repeats its JPEG decoder's
 * warnings line after line ("premature end of JPEG image", five times over for a cut file).
 */
function oneLine(message: string): string {
  const kept: string[] = [];
  for (const line of message.split('\n').map((l) => l.trim()))
    if (line && !kept.some((k) => k.endsWith(line))) kept.push(line);
  return kept.join('; ');
}

/** Turns a decoder's message into one a user can act on. */
function explain(err: unknown, relPath: string): string {
  const message = oneLine(err instanceof Error ? err.message : String(err));
  if (previewKind(relPath) === 'video') {
    return `${relPath} could not be read as a video: it is corrupt, truncated, or not an MP4, MOV, WebM or Matroska file (${message})`;
  }
  if (isFontFile(relPath) && !/more than the/.test(message)) {
    return `${relPath} could not be read as a font: it is corrupt, truncated, or not a TrueType, OpenType, WOFF or WOFF2 font (${message})`;
  }
  if (/unsupported image format/i.test(message)) {
    return `${relPath} could not be decoded as an image: it is corrupt, truncated, or in a format the thumbnailer does not read (${message})`;
  }
  if (/pixel limit/i.test(message)) return `the image is too large to preview: ${message}`;
  return message;
}

export class PreviewQueue {
  private active = false;
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly concurrency: number;
  private wave: { startedAt: number; finished: number } | undefined;
  /** When the queue last ran out of work (undefined: it has work). */
  private emptySince: number | undefined = Date.now();

  constructor(private readonly options: PreviewQueueOptions) {
    this.concurrency = options.pool.previewThreads;
  }

  /**
   * Starts running jobs: re-queues jobs left running by a process that died, queues previews
   * missing for existing assets, then keeps polling for jobs other processes queue.
   */
  start(pollMs = 1000): void {
    if (this.active) return;
    this.active = true;
    this.recover();
    this.timer = setInterval(() => this.pump(), pollMs);
    this.timer.unref();
    this.pump();
    const fingerprinting = this.fingerprintPictures()
      .catch((err: unknown) => logger.error({ err }, 'fingerprinting pictures failed'))
      .finally(() => this.inFlight.delete(fingerprinting));
    this.inFlight.add(fingerprinting);
  }

  /**
   * Fingerprints the pictures previewed before fingerprints existed, from their largest
   * thumbnail (a few milliseconds each, against a full decode for a new preview), a page at a
   * time while the queue runs. A picture whose thumbnail is gone or unreadable gets the empty
   * fingerprint (none; its next preview makes one), so each picture is tried once, not at every
   * start.
   */
  private async fingerprintPictures(): Promise<void> {
    const { store, pool, thumbsRoot } = this.options;
    const largest = Math.max(...THUMB_SIZES) as ThumbSize;
    let after: { projectId: string; uid: string } | undefined;
    let done = 0;
    let failed = 0;
    while (this.active) {
      const page = store.unfingerprintedPictures(after, 32);
      const last = page[page.length - 1];
      if (!last) break;
      after = { projectId: last.project_id, uid: last.uid };
      await Promise.all(
        page.map(async (picture) => {
          const thumbnail = path.join(thumbsRoot, thumbnailName(picture.uid, largest, picture.path));
          let facts: { dhash: string; colors: PictureColors | 'none' } = { dhash: '', colors: 'none' };
          try {
            // Checked here: a cleared cache would otherwise send every picture to a thread to fail.
            if (fs.existsSync(thumbnail)) facts = await pool.fingerprint(thumbnail);
          } catch (err) {
            logger.debug({ err, uid: picture.uid }, 'no fingerprint from the thumbnail');
          }
          if (facts.dhash) done++;
          else failed++;
          // A fingerprint already taken stays (from the picture itself, not its JPEG thumbnail).
          if (picture.dhash !== null) facts.dhash = picture.dhash;
          if (this.active) store.setPictureFacts(picture.project_id, picture.uid, picture.hash, facts);
        }),
      );
    }
    if (done || failed)
      logger.info(
        { done, failed },
        'fingerprinted pictures from their thumbnails (failed: thumbnail missing or unreadable)',
      );
  }

  /** The wave under way, or null when the queue has been empty a while (see PreviewWave). */
  currentWave(now = Date.now()): PreviewWave | null {
    if (!this.wave || (this.emptySince !== undefined && now - this.emptySince > WAVE_GAP_MS)) return null;
    return { finished: this.wave.finished, seconds: (now - this.wave.startedAt) / 1000 };
  }

  /** Called after a job is queued in this process. */
  kick(): void {
    if (this.active) this.pump();
  }

  /** Stops claiming new jobs and waits for the running ones. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
  }

  /** Queues every preview that is missing, and re-queues failed ones when asked. */
  recover(): number {
    const { store, owner } = this.options;
    let queued = 0;
    for (const job of store.runningPreviews()) {
      if (job.owner !== owner && !pidAlive(job.owner)) {
        store.requeuePreview(job);
        queued++;
      }
    }
    // SQL keeps only files with a preview extension, a page at a time: at 1,000,000 assets,
    // listing every asset without a job (all non-media files) took ~150 MB of RSS at start-up.
    // previewKind() still decides (SQL's LIKE is a superset: e.g. a file named just `.png`).
    for (let after = 0; ;) {
      const page = store.assetsWithoutPreviewJob(PREVIEW_EXTENSIONS, after, 1000);
      if (!page.length) break;
      for (const asset of page) {
        if (previewKind(asset.path)) {
          store.queuePreview(asset.project_id, asset.uid, asset.hash);
          queued++;
        }
      }
      after = page[page.length - 1]?.rowid ?? Number.MAX_SAFE_INTEGER;
    }
    return queued;
  }

  /** Resolves when the preview jobs of these assets have finished (or `timeoutMs` passed). */
  async waitFor(projectId: string, uids: readonly string[], timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = uids.filter((uid) => {
        const status = this.options.store.previewJob(projectId, uid)?.status;
        return status === 'queued' || status === 'running';
      });
      if (!pending.length) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Resolves when no job is queued or running (in any process), or `timeoutMs` passed. */
  async idle(timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = this.options.store.previewCounts();
      if (!counts.queued && !counts.running && !this.running) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private pump(): void {
    if (!this.active) return;
    const free = this.concurrency - this.running;
    if (free <= 0) return;
    let jobs: PreviewJob[];
    try {
      jobs = this.options.store.claimPreviews(this.options.owner, free);
    } catch (err) {
      logger.warn({ err }, 'claiming preview jobs failed');
      return;
    }
    const now = Date.now();
    if (jobs.length) {
      if (!this.wave || (this.emptySince !== undefined && now - this.emptySince > WAVE_GAP_MS))
        this.wave = { startedAt: now, finished: 0 };
      this.emptySince = undefined;
    } else if (this.running === 0) this.emptySince ??= now;
    for (const job of jobs) {
      this.running++;
      const wave = this.wave;
      const recorded = (): void => {
        if (wave) wave.finished++;
      };
      const done = this.run(job, recorded)
        .catch((err: unknown) => logger.error({ err, uid: job.uid }, 'preview job crashed'))
        .finally(() => {
          this.running--;
          this.inFlight.delete(done);
          this.pump();
        });
      this.inFlight.add(done);
    }
  }

  private async run(job: PreviewJob, recorded: () => void): Promise<void> {
    const { store, pool, assetsRoot, thumbsRoot } = this.options;
    const asset = store.getByUid(job.project_id, job.uid);
    if (!asset || asset.hash !== job.hash) {
      if (store.finishPreview(job, 'failed', 'the asset changed or was removed before its preview was made'))
        recorded();
      return;
    }
    const source = path.join(assetsRoot, asset.path);
    const kind = previewKind(asset.path);
    let outcome: PreviewOutcome;
    try {
      if (!fs.existsSync(source)) throw new Error(`the file ${asset.path} is missing from the assets root`);
      if (kind === 'thumbnail') {
        const outputs = thumbnailOutputs(thumbsRoot, asset.uid, asset.path);
        const format = thumbnailExt(asset.path).slice(1) as 'png' | 'jpg' | 'webp';
        const result = await pool.thumbnail({
          source,
          outputs,
          format,
          limitInputPixels: this.options.maxImagePixels ?? DEFAULT_MAX_PIXELS,
          ...(mayBeAnimated(asset.path)
            ? { animation: path.join(thumbsRoot, animationName(asset.uid)) }
            : {}),
        });
        outcome = { ok: true, kind, result };
      } else if (kind === 'waveform') {
        const codec = audioCodec(asset.path);
        if (!codec) throw new Error('no decoder for this audio format');
        const out = path.join(thumbsRoot, waveformName(asset.uid));
        outcome = { ok: true, kind, result: await waveformWithFallback(pool, source, codec, out) };
      } else if (kind === 'video') {
        outcome = { ok: true, kind, result: await pool.videoFacts({ source }) };
      } else if (kind === 'model') {
        outcome = {
          ok: true,
          kind,
          result: await pool.modelFacts({ source, root: assetsRoot, relPath: asset.path }),
        };
      } else {
        throw new Error('this file type has no preview');
      }
    } catch (err) {
      outcome = { ok: false, error: explain(err, asset.path) };
    }
    await this.options.apply(job, outcome, recorded);
  }
}

/** `.ogg` may hold Opus rather than Vorbis: try the other decoder before giving up. */
async function waveformWithFallback(
  pool: WorkerPool,
  source: string,
  codec: NonNullable<ReturnType<typeof audioCodec>>,
  out: string,
): Promise<WaveformResult> {
  try {
    return await pool.waveform({ source, codec, out, points: WAVEFORM_POINTS });
  } catch (err) {
    if (codec !== 'vorbis') throw err;
    return pool.waveform({ source, codec: 'opus', out, points: WAVEFORM_POINTS }).catch(() => {
      throw err;
    });
  }
}

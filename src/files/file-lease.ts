/**
 * One process at a time changes where files are under an assets root: the server, a CLI command
 * and a script open the same database and the same folder, and a sidecar written by one from a row
 * it read just before another moved or removed that asset landed beside no file (a stray sidecar
 * and mirror, found by test/cli/cross-process-edits.test.ts). Moves, removals, undos and sidecar
 * writes hold this lease while they read their rows and work on the files, so each sees the
 * other's finished work.
 *
 * Within a process the lease is shared (its callers already serialise what must be, see
 * registry.ts `FileActivity`); across processes it is a lock directory (proper-lockfile: `mkdir`
 * is atomic on every file system, a holder killed with -9 leaves a lock that goes stale). A
 * process that has held it for a while lets its new callers wait until the current ones are done
 * and pauses before taking it again, so a busy server cannot starve a CLI command waiting for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { AppError } from '../domain/errors.js';
import { logger } from '../logging.js';

/** How long one process keeps the lease while callers keep coming, before it lets others in. */
const HOLD_MS = 1000;
/** How long it then waits before taking it again: longer than a waiter's retry interval. */
const YIELD_MS = 40;
/** How long a caller waits for another process's lease before giving up with a message. */
const WAIT_MS = 10 * 60_000;
/** A lock its holder stopped refreshing this long ago (killed) is taken over. */
const STALE_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class FileLease {
  private holders = 0;
  private release: (() => Promise<void>) | undefined;
  private since = 0;
  /** Set while the lease is being taken or given up. */
  private transition: Promise<void> | undefined;
  /** Set while the lease waits for its callers under way to be done, to hand it over. */
  private draining: Promise<void> | undefined;
  /** Told when the last caller under way is done, while draining. */
  private wake: (() => void) | undefined;

  /** `lockDir`: the lock directory (its parent is created when first needed); undefined: no lease (one process). */
  constructor(private readonly lockDir: string | undefined) {}

  /**
   * Runs `fn` holding the lease (shared with the other callers of this process). A caller that
   * others holding it may wait for (a sidecar write a removal waits for) passes `joining`: it is let
   * in while the lease waits to be handed over, which would otherwise wait for it in turn.
   */
  async hold<T>(fn: () => Promise<T> | T, joining = false): Promise<T> {
    await this.enter(joining);
    try {
      return await fn();
    } finally {
      this.leave();
    }
  }

  private async enter(joining: boolean): Promise<void> {
    if (!this.lockDir) return;
    for (;;) {
      if (this.release && (joining || !this.draining)) {
        if (joining || this.holders === 0 || Date.now() - this.since <= HOLD_MS) {
          this.holders++;
          return;
        }
        // Held long enough: the callers under way finish, then waiting processes get their turn.
        this.draining = this.handOver();
      }
      if (this.draining) await this.draining;
      else if (this.transition) await this.transition;
      else {
        this.transition = this.take().finally(() => (this.transition = undefined));
        await this.transition;
      }
    }
  }

  private leave(): void {
    if (!this.lockDir) return;
    this.holders--;
    if (this.holders > 0) return;
    if (this.draining) this.wake?.();
    else if (this.release) this.transition = this.giveUp().finally(() => (this.transition = undefined));
  }

  private async take(): Promise<void> {
    const lockDir = this.lockDir as string;
    fs.mkdirSync(path.dirname(lockDir), { recursive: true });
    try {
      this.release = await lockfile.lock(lockDir, {
        lockfilePath: lockDir,
        realpath: false,
        stale: STALE_MS,
        retries: { retries: Math.ceil(WAIT_MS / 20), minTimeout: 5, maxTimeout: 20, factor: 1.2 },
        // A holder whose lock was taken over (its event loop stalled past the stale time): said,
        // not thrown from a timer (that would end the process).
        onCompromised: (err) => logger.warn({ err, lockDir }, 'file lease taken over by another process'),
      });
    } catch (err) {
      throw new AppError(
        503,
        'registry_busy',
        `Another program has been changing files under the assets root for ${WAIT_MS / 60_000} minutes ` +
          `(${lockDir} is held): try again when it is done, or delete that folder if no such program runs.`,
        { cause: String(err) },
      );
    }
    this.since = Date.now();
  }

  /** Once the callers under way are done, gives the lease up and pauses, so that a waiting process gets it. */
  private async handOver(): Promise<void> {
    // (A caller let in meanwhile, see `hold`, is waited for too.)
    while (this.holders > 0) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    await this.giveUp();
    await sleep(YIELD_MS);
    this.draining = undefined;
  }

  private async giveUp(): Promise<void> {
    const release = this.release;
    this.release = undefined;
    await release?.().catch((err: unknown) => logger.warn({ err }, 'file lease not released cleanly'));
  }
}

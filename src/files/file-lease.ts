/**
 * One process at a time changes where files are under an assets root: the server, a CLI command
 * and a script open the same database and the same folder, and a sidecar written by one from a row
 * it read just before another moved or removed that asset landed beside no file (a stray sidecar
 * and mirror, found by test/cli/cross-process-edits.test.ts). Moves, removals, undos and sidecar
 * writes hold this lease while they read their rows and work on the files, so each sees the
 * other's finished work; so does each batch commit of a rebuild (a file it found, removed by
 * another process since, must not get a row).
 *
 * Within a process the lease is shared (its callers already serialise what must be, see
 * registry.ts `FileActivity`); across processes it is a lock directory (proper-lockfile: `mkdir`
 * is atomic on every file system, a holder killed with -9 leaves a lock that goes stale). A
 * process that has held it for a while, while another says it waits, lets its new callers wait
 * until the current ones are done and pauses before taking it again, so a busy server cannot
 * starve a CLI command waiting for it.
 *
 * A holder killed with -9 leaves its lock: proper-lockfile takes it over once it has not been
 * refreshed for `STALE_MS`. So that the command run right after a crash does not sit out those
 * seconds, each holder also notes who it is beside the lock (see `OWNER_MARK`: process id, the lock
 * directory's inode and birth time, host); a waiter that finds that process gone on this host, and
 * the lock the very one it made, ages the lock so that proper-lockfile takes it over at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { AppError } from '../domain/errors.js';
import { logger } from '../logging.js';
import { processGone } from './leftovers.js';

/** How long one process keeps the lease while callers keep coming, before it lets others in. */
const HOLD_MS = 1000;
/** How long an unused lease is kept for the next caller (a rebuild's next batch, the next edit). */
const LINGER_MS = 20;
/** How long it then waits before taking it again: longer than a waiter's retry interval. */
const YIELD_MS = 40;
/** How long a caller waits for another process's lease before giving up with a message. */
const WAIT_MS = 10 * 60_000;
/** How often a waiting process tries again (and says it waits, see `waitingMark`). */
const RETRY_MS = 15;
/** A waiting mark older than this is a waiter that gave up or died. */
const WAITING_FRESH_MS = 500;
/** A lock its holder stopped refreshing this long ago (killed) is taken over. */
const STALE_MS = 10_000;
/** After waiting this long, a caller says so once (a CLI command would otherwise seem hung). */
const NOTICE_AFTER_MS = 2000;

export interface FileLeaseOptions {
  /** Told once per wait that lasts `noticeAfterMs`: another process holds the lock. A log line by default. */
  onWaiting?: (lockDir: string) => void;
  noticeAfterMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const busy = (lockDir: string): AppError =>
  new AppError(
    503,
    'registry_busy',
    `Another program has been changing files under the assets root for ${WAIT_MS / 60_000} minutes ` +
      `(${lockDir} is held): try again when it is done, or delete that folder if no such program runs.`,
  );

/**
 * Who holds a lock: a folder beside it named `files.lock.owner~<pid>~<inode>~<birth>~<host>` (a
 * folder, not a file: lists of the files under the assets root stay those of the user and the
 * registry). One left by a holder that died is removed by the next holder.
 */
const OWNER_MARK = '.owner~';

interface OwnerMark {
  path: string;
  pid: number;
  ino: string;
  birth: string;
  host: string;
}

function ownerMarks(lockDir: string): OwnerMark[] {
  const prefix = `${path.basename(lockDir)}${OWNER_MARK}`;
  const marks: OwnerMark[] = [];
  for (const name of fs.readdirSync(path.dirname(lockDir))) {
    if (!name.startsWith(prefix)) continue;
    const [pid, ino, birth, ...host] = name.slice(prefix.length).split('~');
    if (pid && ino && birth && host.length)
      marks.push({
        path: path.join(path.dirname(lockDir), name),
        pid: Number(pid),
        ino,
        birth,
        host: host.join('~'),
      });
  }
  return marks;
}

const removeMark = (mark: string): void => {
  try {
    fs.rmdirSync(mark);
  } catch {
    // (gone already)
  }
};

/** The marks of this process's held locks, removed if it exits holding them (proper-lockfile releases those). */
const heldMarks = new Set<string>();
process.once('exit', () => heldMarks.forEach(removeMark));

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
  /** Set while no caller holds the lease and it is kept a moment for the next one. */
  private lingering: NodeJS.Timeout | undefined;

  /**
   * A file a waiting process touches each time it tries, so that the holder knows someone waits:
   * only then does a long hold end (a rebuild alone keeps the lease, and pays nothing).
   */
  private readonly waitingMark: string | undefined;
  /** The note of this process holding the lock (see {@link ownerMarks}), while it does. */
  private ownerMark: string | undefined;

  private readonly onWaiting: (lockDir: string) => void;
  private readonly noticeAfterMs: number;

  /** `lockDir`: the lock directory (its parent is created when first needed); undefined: no lease (one process). */
  constructor(
    private readonly lockDir: string | undefined,
    options: FileLeaseOptions = {},
  ) {
    this.waitingMark = lockDir && `${lockDir}.waiting`;
    this.onWaiting =
      options.onWaiting ??
      ((dir) =>
        logger.warn({ lockDir: dir }, 'waiting for another process changing files under the assets root'));
    this.noticeAfterMs = options.noticeAfterMs ?? NOTICE_AFTER_MS;
  }

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
        const turnOver = Date.now() - this.since > HOLD_MS && this.someoneWaits();
        // (A joining caller may be waited for by one holding it: let in while any does.)
        if (!turnOver || (joining && this.holders > 0)) {
          clearTimeout(this.lingering);
          this.lingering = undefined;
          this.holders++;
          return;
        }
        // Held long enough, and another process waits: the callers under way finish, then it gets its turn.
        this.draining ??= this.handOver();
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
    else if (this.release && !this.lingering) {
      this.lingering = setTimeout(() => {
        this.lingering = undefined;
        if (this.holders === 0 && this.release && !this.draining)
          this.transition = this.giveUp().finally(() => (this.transition = undefined));
      }, LINGER_MS);
      this.lingering.unref(); // (a lock still held at exit is removed then, see proper-lockfile)
    }
  }

  private async take(): Promise<void> {
    try {
      await this.takeOrWait();
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError(
        503,
        'lease_failed',
        `The registry cannot take its lock ${String(this.lockDir)} to change files: ${(err as Error).message}. ` +
          'Check that the assets folder is writable.',
      );
    }
  }

  private async takeOrWait(): Promise<void> {
    const lockDir = this.lockDir as string;
    fs.mkdirSync(path.dirname(lockDir), { recursive: true });
    const started = Date.now();
    const giveUpAt = started + WAIT_MS;
    let waited = false;
    let noticed = false;
    for (;;) {
      try {
        this.release = await lockfile.lock(lockDir, {
          lockfilePath: lockDir,
          realpath: false,
          stale: STALE_MS,
          // A holder whose lock was taken over (its event loop stalled past the stale time): said,
          // not thrown from a timer (that would end the process).
          onCompromised: (err) => logger.warn({ err, lockDir }, 'file lease taken over by another process'),
        });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
        if (Date.now() > giveUpAt) throw busy(lockDir);
        if (this.ageAbandonedLock(lockDir)) continue;
      }
      this.sayWaiting();
      waited = true;
      if (!noticed && Date.now() - started >= this.noticeAfterMs) {
        noticed = true;
        this.onWaiting(lockDir);
      }
      await sleep(RETRY_MS);
    }
    if (waited) fs.rmSync(this.waitingMark as string, { force: true });
    this.noteOwner(lockDir);
    this.since = Date.now();
  }

  /** Notes who holds the lock beside it (a folder, see {@link ownerMarks}), and clears marks of holders gone. */
  private noteOwner(lockDir: string): void {
    try {
      const lock = fs.statSync(lockDir, { bigint: true });
      const mark = `${lockDir}${OWNER_MARK}${process.pid}~${lock.ino}~${lock.birthtimeNs}~${os.hostname()}`;
      fs.mkdirSync(mark);
      this.ownerMark = mark;
      heldMarks.add(mark);
      for (const stale of ownerMarks(lockDir))
        if (stale.host === os.hostname() && processGone(stale.pid)) removeMark(stale.path);
    } catch (err) {
      // (Only the quick take-over after a crash depends on it.)
      logger.warn({ err, lockDir }, 'could not note who holds the file lease');
    }
  }

  private dropOwnerNote(): void {
    if (this.ownerMark === undefined) return;
    removeMark(this.ownerMark);
    heldMarks.delete(this.ownerMark);
    this.ownerMark = undefined;
  }

  /**
   * If the lock's holder is a process of this host that is gone (killed), and the lock is the one it
   * made (not one made since by another process), sets the lock's time back so that
   * proper-lockfile takes it over as stale on the next try; returns whether it did.
   */
  private ageAbandonedLock(lockDir: string): boolean {
    let fd: number | undefined;
    try {
      // Through a descriptor: the directory checked is the one aged, even if it is replaced meanwhile
      // (its inode cannot be reused while it is open).
      fd = fs.openSync(lockDir, 'r');
      const lock = fs.fstatSync(fd, { bigint: true });
      if (lock.birthtimeNs === 0n) return false;
      const owner = ownerMarks(lockDir).find(
        (mark) => mark.ino === String(lock.ino) && mark.birth === String(lock.birthtimeNs),
      );
      if (!owner || owner.host !== os.hostname() || !processGone(owner.pid)) return false;
      const longAgo = (Date.now() - 2 * STALE_MS) / 1000;
      fs.futimesSync(fd, longAgo, longAgo);
      removeMark(owner.path);
      logger.warn(
        { lockDir, pid: owner.pid },
        'taking over the file lease of a process that ended without giving it back',
      );
      return true;
    } catch {
      return false; // (the lock gone meanwhile: the usual retry)
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  private sayWaiting(): void {
    const mark = this.waitingMark as string;
    const now = new Date();
    try {
      fs.utimesSync(mark, now, now);
    } catch {
      fs.writeFileSync(mark, '');
    }
  }

  /** Whether another process has said lately that it waits for the lease. */
  private someoneWaits(): boolean {
    const mark = fs.statSync(this.waitingMark as string, { throwIfNoEntry: false });
    return mark !== undefined && Date.now() - mark.mtimeMs < WAITING_FRESH_MS;
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
    clearTimeout(this.lingering);
    this.lingering = undefined;
    const release = this.release;
    this.release = undefined;
    this.dropOwnerNote();
    await release?.().catch((err: unknown) => logger.warn({ err }, 'file lease not released cleanly'));
  }
}

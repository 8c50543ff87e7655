/**
 * Registry events cross process boundaries: each is written to the database's event log before
 * it is delivered in-process, and a process that follows the log (the server) re-delivers what
 * other processes (CLI commands, a second server) emitted. The log also backs the history route
 * and lets a reconnecting SSE client resume from `Last-Event-ID`.
 */
import { randomUUID } from 'node:crypto';
import type { HookBus, HookEnvelope, HookEvent, HookPayloads } from '../hooks/bus.js';
import { logger } from '../logging.js';
import type { SqliteStore, StoredEvent } from '../store/sqlite-store.js';

export class EventLog {
  /** Identifies this process's entries in the shared log. */
  readonly origin = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private lastSeq: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: SqliteStore,
    readonly bus: HookBus,
  ) {
    this.lastSeq = store.maxEventSeq();
  }

  publish<E extends HookEvent>(event: E, data: HookPayloads[E], projectId: string): HookEnvelope<E> {
    const envelope: HookEnvelope<E> = { event, ts: Date.now() / 1000, project_id: projectId, data };
    try {
      envelope.seq = this.store.appendEvent(envelope, this.origin);
    } catch (err) {
      logger.warn({ err, event }, 'registry event could not be written to the event log');
    }
    this.bus.deliver(envelope);
    return envelope;
  }

  /** Starts delivering events that other processes write to the log. */
  follow(intervalMs = 250): void {
    if (this.timer) return;
    this.lastSeq = this.store.maxEventSeq();
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private poll(): void {
    try {
      for (;;) {
        const rows = this.store.eventsAfter(this.lastSeq);
        for (const row of rows) {
          this.lastSeq = row.seq;
          if (row.origin !== this.origin) this.bus.deliver(toEnvelope(row));
        }
        if (rows.length < 500) break;
      }
    } catch (err) {
      logger.warn({ err }, 'reading the event log failed');
    }
  }

  /** The newest event's sequence number in the log (0: none yet). */
  latestSeq(): number {
    return this.store.maxEventSeq();
  }

  /** Events after `seq` from the log (all processes), oldest first. */
  since(seq: number, limit = 500): HookEnvelope[] {
    return this.store.eventsAfter(seq, limit).map(toEnvelope);
  }

  /** The newest `limit` events from the log, oldest first. */
  recent(limit: number): HookEnvelope[] {
    return this.store.lastEvents(limit).map(toEnvelope);
  }
}

function toEnvelope(row: StoredEvent): HookEnvelope {
  return {
    seq: row.seq,
    event: row.event as HookEvent,
    ts: row.ts,
    project_id: row.project_id,
    data: JSON.parse(row.data) as HookPayloads[HookEvent],
  };
}

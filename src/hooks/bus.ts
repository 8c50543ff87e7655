/**
 * The typed hook bus (the reference's registry hooks + modder bus, §5). Listeners run
 * synchronously in registration order with a copy of the payload; one that throws is logged and
 * never breaks the operation. Every envelope is kept in a bounded history. The registry persists
 * its events before delivering them, so other processes can follow (see registry/events.ts).
 */
import type { JsonObject } from '../domain/json.js';
import { logger } from '../logging.js';

export interface HookPayloads {
  asset_registered: {
    uid: string;
    type: string;
    path: string;
    meta: JsonObject;
    sidecar: string;
    bytes: number;
  };
  asset_meta_updated: { uid: string; type: string; meta: JsonObject; path: string; sidecar: string };
  asset_removed: {
    uid: string;
    type: string;
    path: string;
    sidecar: string;
    meta: JsonObject;
    bytes: number;
    /** Ours: where its file went when the removal deleted it (`.trash/<batch>/<path>`). */
    trashed?: string;
  };
  asset_sidecar_written: { uid: string; type: string; sidecar: string; rel_path: string };
  /** Ours, beyond the reference's four: a preview job changed state. */
  asset_preview_updated: { uid: string; type: string; path: string; status: string; error: string | null };
  /** Ours: progress of a rebuild job (throttled), and its end with the summary. */
  rebuild_progress: {
    job_id: string;
    status: 'running' | 'done' | 'failed';
    phase: string;
    files_done: number;
    files_total: number;
    bytes_done: number;
    bytes_total: number;
    /** In the `stale` phase: assets whose files are gone removed so far, of how many. */
    stale_done?: number;
    stale_total?: number;
    summary?: JsonObject;
    error?: string;
    /** `watch`: a batch of the live-folder watcher (`serve --watch`); absent for API jobs. */
    trigger?: 'watch';
  };
  /** Ours: progress of a bulk edit job (or a tag rename, or an undo: after each chunk of assets), and its end. */
  bulk_progress: {
    job_id: string;
    status: 'running' | 'done' | 'failed';
    /** Assets done (edited and their sidecars written, or found unchanged) of `total`. */
    done: number;
    total: number;
    /** `change_id`: the change the job recorded, to undo it (null when nothing changed). */
    summary?: {
      updated: number;
      missing: string[];
      change_id: number | null;
      /** An undo's: assets edited (or moved) since, left as they are, and moves back refused. */
      changed_since?: string[];
      failed?: Array<{ id: string; path: string; code: string; message: string }>;
    };
    error?: string;
  };
  /** Ours: an asset's file moved or renamed within the assets root (its id kept). */
  asset_moved: { uid: string; type: string; from: string; to: string };
  /** Ours: progress of a move of many assets (after each chunk), and its end. */
  move_progress: {
    job_id: string;
    status: 'running' | 'done' | 'failed';
    done: number;
    total: number;
    summary?: { moved: number; failed: number; missing: string[]; change_id: number | null };
    error?: string;
  };
  /** Ours: progress of a removal of many assets (after each chunk), and its end. */
  remove_progress: {
    job_id: string;
    status: 'running' | 'done' | 'failed';
    done: number;
    total: number;
    summary?: { removed: number; missing: string[]; files_deleted: number; change_id: number | null };
    error?: string;
  };
  /** Ours: progress of an enforce job (after each chunk of assets), and its end with the report. */
  enforce_progress: {
    job_id: string;
    status: 'running' | 'done' | 'failed';
    checked: number;
    total: number;
    report?: JsonObject;
    error?: string;
  };
  /** Ours: progress of an import job (at most every quarter second), and its end with its counts. */
  import_progress: {
    job_id: string;
    status: 'running' | 'done' | 'failed';
    phase: 'unpacking' | 'registering';
    files_done: number;
    files_total: number;
    summary?: { imported: number; existing: number; skipped: number; change_id: number | null };
    error?: string;
  };
  /** Ours: feature flags changed (through the API or in the settings file). */
  settings_updated: { features: Record<string, boolean> };
}

export type HookEvent = keyof HookPayloads;
export const HOOK_EVENTS: readonly HookEvent[] = [
  'asset_registered',
  'asset_meta_updated',
  'asset_removed',
  'asset_sidecar_written',
  'asset_preview_updated',
  'rebuild_progress',
  'bulk_progress',
  'remove_progress',
  'asset_moved',
  'move_progress',
  'enforce_progress',
  'import_progress',
  'settings_updated',
];

export interface HookEnvelope<E extends HookEvent = HookEvent> {
  /** Position in the registry's persisted event log, when it has one. */
  seq?: number;
  event: E;
  /** Epoch seconds, as the reference's envelopes. */
  ts: number;
  project_id: string;
  data: HookPayloads[E];
}

export type HookListener<E extends HookEvent> = (payload: HookPayloads[E], envelope: HookEnvelope<E>) => void;
export type EnvelopeListener = (envelope: HookEnvelope) => void;

function assertEvent(event: string): asserts event is HookEvent {
  if (!(HOOK_EVENTS as readonly string[]).includes(event)) {
    throw new Error(`Unsupported asset registry hook: ${event}`);
  }
}

export class HookBus {
  private readonly listeners = new Map<HookEvent, Array<HookListener<HookEvent>>>();
  private readonly watchers = new Set<EnvelopeListener>();
  private readonly ring: HookEnvelope[] = [];

  constructor(private readonly historySize = 200) {}

  subscribe<E extends HookEvent>(event: E, listener: HookListener<E>): () => void {
    assertEvent(event);
    const list = this.listeners.get(event) ?? [];
    const fn = listener as unknown as HookListener<HookEvent>;
    if (!list.includes(fn)) list.push(fn);
    this.listeners.set(event, list);
    return () => this.unsubscribe(event, listener);
  }

  unsubscribe<E extends HookEvent>(event: E, listener: HookListener<E>): void {
    assertEvent(event);
    const list = this.listeners.get(event);
    const index = list?.indexOf(listener as unknown as HookListener<HookEvent>) ?? -1;
    if (list && index >= 0) list.splice(index, 1);
  }

  /** Every envelope, whatever its event (the SSE stream and the studio use this). */
  watch(listener: EnvelopeListener): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  emit<E extends HookEvent>(event: E, data: HookPayloads[E], projectId = 'default'): HookEnvelope<E> {
    const envelope: HookEnvelope<E> = { event, ts: Date.now() / 1000, project_id: projectId, data };
    this.deliver(envelope);
    return envelope;
  }

  /** Hands a built envelope (one the registry persisted, or one from another process) to listeners. */
  deliver(envelope: HookEnvelope): void {
    assertEvent(envelope.event);
    this.ring.push(envelope);
    if (this.ring.length > this.historySize) this.ring.splice(0, this.ring.length - this.historySize);
    for (const listener of [...(this.listeners.get(envelope.event) ?? [])]) {
      try {
        listener({ ...envelope.data }, envelope);
      } catch (err) {
        logger.warn(
          { err, event: envelope.event, listener: describeListener(listener) },
          'hook listener failed',
        );
      }
    }
    for (const watcher of [...this.watchers]) {
      try {
        watcher(envelope);
      } catch (err) {
        logger.warn({ err, event: envelope.event }, 'hook watcher failed');
      }
    }
  }

  /** The newest `limit` envelopes seen by this process, oldest first. */
  history(limit = this.historySize): HookEnvelope[] {
    // slice(-0) would return everything, so an empty request is answered explicitly.
    return limit > 0 ? this.ring.slice(-limit) : [];
  }

  /** Bound listeners per event, stringified for debugging (every event always present). */
  describe(): Record<HookEvent, string[]> {
    const out = {} as Record<HookEvent, string[]>;
    for (const event of HOOK_EVENTS) out[event] = (this.listeners.get(event) ?? []).map(describeListener);
    return out;
  }
}

function describeListener(fn: (...args: never[]) => unknown): string {
  return `<function ${fn.name || 'anonymous'}>`;
}

/** The process-wide bus: registries use it unless given another, so scripts can `subscribe` here. */
export const hooks = new HookBus();
export const subscribe = hooks.subscribe.bind(hooks);
export const unsubscribe = hooks.unsubscribe.bind(hooks);
export const emit = hooks.emit.bind(hooks);

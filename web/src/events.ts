/**
 * The registry's live event stream (`GET /api/events`, Server-Sent Events). EventSource
 * reconnects by itself and sends Last-Event-ID, so the server replays what was missed; the first
 * connection asks for what came after the first answers (`x-event-seq`).
 */
import { useEffect, useRef, useState } from 'react';
import { eventsAfterFirstLoad } from './api';

export interface HookEnvelope {
  seq?: number;
  event: string;
  ts: number;
  project_id: string;
  data: Record<string, unknown>;
}

export type StreamState = 'connecting' | 'open' | 'closed';

const EVENTS = [
  'asset_registered',
  'asset_meta_updated',
  'asset_removed',
  'asset_preview_updated',
  'rebuild_progress',
  'settings_updated',
];

/** One stream per page; every listener gets every envelope. */
export function useEventStream(onEvent: (envelope: HookEnvelope) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const [attempt, setAttempt] = useState(0);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const lastSeq = useRef<number | undefined>(undefined);
  useEffect(() => {
    let source: EventSource | undefined;
    let retry: number | undefined;
    let stopped = false;
    const deliver = (e: MessageEvent<string>): void => {
      try {
        const envelope = JSON.parse(e.data) as HookEnvelope;
        if (envelope.seq !== undefined) lastSeq.current = envelope.seq;
        handler.current(envelope);
      } catch {
        /* a malformed frame is skipped */
      }
    };
    const open = (since: number | undefined): void => {
      const stream = new EventSource(`/api/events${since === undefined ? '' : `?since=${since}`}`);
      stream.onopen = () => setState('open');
      stream.onerror = () => {
        if (stream.readyState === EventSource.CLOSED) {
          // The browser gave up (e.g. the server answered an error): try again ourselves.
          setState('closed');
          retry = window.setTimeout(() => setAttempt((n) => n + 1), 3000);
        } else {
          setState('connecting');
        }
      };
      for (const name of EVENTS) stream.addEventListener(name, deliver);
      source = stream;
    };
    // A fresh EventSource has no Last-Event-ID, so a reconnect says where it stopped. The first
    // connection starts after the first answers' events: the page they drew may be older than the
    // stream, and what happened in between would otherwise never arrive.
    const start = lastSeq.current === undefined ? eventsAfterFirstLoad() : Promise.resolve(lastSeq.current);
    void start.then((since) => {
      if (!stopped) open(since);
    });
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      source?.close();
    };
  }, [attempt]);
  return state;
}

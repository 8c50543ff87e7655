/**
 * The hook bus over HTTP: `GET /api/events` is a Server-Sent Events stream of every registry
 * event (from this process and, through the event log, from CLI commands and other servers).
 * `Last-Event-ID` (or `?since=`) replays what a reconnecting client missed.
 */
import type { ServerResponse } from 'node:http';
import type { HookEnvelope } from '../../hooks/bus.js';
import type { RegistryService } from '../../registry/service.js';
import type { App } from '../app.js';
import { EventsQuery, HistoryQuery } from '../schemas.js';

const HEARTBEAT_MS = 15_000;

const frame = (envelope: HookEnvelope): string =>
  `${envelope.seq !== undefined ? `id: ${envelope.seq}\n` : ''}event: ${envelope.event}\ndata: ${JSON.stringify(envelope)}\n\n`;

export function registerEventRoutes(app: App, service: RegistryService): void {
  // Open streams never end by themselves: a closing server ends them (the browser reconnects to
  // the next server), or shutdown would wait for every open studio tab.
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
    streams.clear();
  });

  app.get(
    '/api/events',
    {
      schema: {
        tags: ['hooks'],
        summary: 'Live registry events (Server-Sent Events); resumes after Last-Event-ID',
        querystring: EventsQuery,
      },
    },
    (request, reply) => {
      const lastId = Number(request.headers['last-event-id'] ?? request.query.since ?? Number.NaN);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-request-id': String(request.id),
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n: connected\n\n');
      let lastSent = Number.isFinite(lastId) ? lastId : -1;
      const send = (envelope: HookEnvelope): void => {
        if (envelope.seq !== undefined) {
          if (envelope.seq <= lastSent) return;
          lastSent = envelope.seq;
        }
        res.write(frame(envelope));
      };
      if (Number.isFinite(lastId)) for (const envelope of service.events.since(lastId, 1000)) send(envelope);
      const stop = service.hooks.watch(send);
      const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      streams.add(res);
      const close = (): void => {
        clearInterval(heartbeat);
        stop();
        streams.delete(res);
      };
      request.raw.on('close', close);
      res.on('error', close);
    },
  );

  app.get(
    '/api/assets/debug/hooks',
    { schema: { tags: ['hooks'], summary: 'Listeners bound to each registry hook in this process' } },
    async () => ({ ok: true, hooks: service.hooks.describe() }),
  );

  app.get(
    '/api/assets/debug/history',
    {
      schema: {
        tags: ['hooks'],
        summary: 'The newest registry events, oldest first',
        querystring: HistoryQuery,
      },
    },
    async (request) => ({ ok: true, items: service.events.recent(request.query.limit ?? 15) }),
  );
}

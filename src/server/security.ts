/**
 * Request guards: only loopback (or configured) Host names (DNS rebinding), mutating requests
 * from a browser only from our own origin (CSRF), and an optional API token on every mutating
 * route.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';

export interface SecurityOptions {
  /** Extra Host names to accept, besides loopback ones. */
  allowedHosts: readonly string[];
  token: string | undefined;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const isLoopbackHost = (host: string): boolean =>
  LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host);

/** `example.com:8001` → `example.com`; `[::1]:8001` → `::1`. */
export function hostnameOf(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

function tokenMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const given = header.startsWith('Bearer ')
    ? header.slice(7).trim()
    : String(request.headers['x-api-token'] ?? '');
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function installSecurity(app: FastifyInstance, options: SecurityOptions): void {
  const allowed = new Set(options.allowedHosts.map((h) => hostnameOf(h)));
  app.addHook('onRequest', async (request, reply) => {
    const hostHeader = request.headers.host ?? '';
    const host = hostnameOf(hostHeader);
    if (!isLoopbackHost(host) && !allowed.has(host)) {
      return sendError(
        reply,
        403,
        'host_not_allowed',
        `Host ${JSON.stringify(hostHeader)} is not allowed. Use http://127.0.0.1, or start the server with --allowed-host ${host || '<name>'}.`,
      );
    }
    if (!MUTATING.has(request.method)) return;
    const origin = request.headers.origin;
    const fetchSite = request.headers['sec-fetch-site'];
    const crossSite = fetchSite === 'cross-site' || fetchSite === 'same-site';
    if ((origin && hostnameFromOrigin(origin) !== hostHeader.toLowerCase()) || crossSite) {
      return sendError(
        reply,
        403,
        'cross_origin_forbidden',
        `Changes are accepted only from this server's own pages; origin ${origin ?? fetchSite} is not allowed.`,
      );
    }
    if (options.token && !tokenMatches(request, options.token)) {
      return sendError(
        reply,
        401,
        'unauthorized',
        'This server requires an API token for changes: send "Authorization: Bearer <token>".',
      );
    }
  });
}

function hostnameFromOrigin(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

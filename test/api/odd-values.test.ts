/**
 * Every route against odd values: each path parameter, query parameter and top-level body field
 * of the OpenAPI document gets empty, huge, negative, non-finite, inexact, NUL, `..`, list and
 * object values, paths at or through a file, and every body route malformed bodies. None may answer 5xx, hang, or answer a 4xx
 * without the error envelope. (A first pass by hand found a search that hung the server and five
 * 500s; new routes are swept as they are added.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;

before(async () => {
  ws = makeWorkspace('areg-odd-values-');
  ws.file('data/assets/images/a.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
  ws.file('data/assets/notes/b.txt', 'odd values');
  server = await startServer(ws.dir);
  const rebuilt = await api(server.url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
  assert.equal(rebuilt.status, 200, rebuilt.text);
});
after(async () => {
  await server?.stop();
  ws?.cleanup();
});

/**
 * A file where a folder goes, and paths through it (from the workspace and from the assets root):
 * a path override at a file, or through one, was a 500.
 */
const FILE_AS_FOLDER = ['data/assets/notes/b.txt', 'data/assets/notes/b.txt/x', 'notes/b.txt/x'];
/** As text (a path segment, a query value). */
const ODD_TEXT = [
  '',
  ' ',
  'x'.repeat(3000),
  '../../etc/passwd',
  '/etc/passwd',
  ...FILE_AS_FOLDER,
  '\u0000',
  '-1',
  '1.5',
  '1e309',
  '99999999999999999999',
  'NaN',
  'true',
  '[]',
  '😀',
];
/** As JSON (a body field). */
const ODD_JSON: unknown[] = [
  null,
  true,
  -1,
  1.5,
  1e308,
  2 ** 53 + 2,
  '',
  'x'.repeat(3000),
  '../../etc/passwd',
  ...FILE_AS_FOLDER,
  '\u0000',
  [],
  [null],
  ['x'.repeat(300)],
  {},
  { a: { b: [1] } },
];
/** The metadata keys the registry reads (tags, licence, version...) and the ones it maintains. */
const METADATA_KEYS = [
  'tags',
  'license',
  'licence',
  'title',
  'origin',
  'notes',
  'version',
  'preview',
  'thumbnails',
];
/** Whole bodies: not JSON, not an object, JSON Infinity. */
const ODD_BODIES = ['{"a":', '[]', '"text"', '{"x": 1e309}', 'null'];

/** The product's error envelope, with a message that says something. */
function isEnvelope(text: string): boolean {
  try {
    const body = JSON.parse(text) as { ok?: unknown; code?: unknown; message?: unknown };
    return body.ok === false && typeof body.code === 'string' && String(body.message).length >= 10;
  } catch {
    return false;
  }
}

interface Operation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}

test(
  'no route answers an odd value with a 5xx, a hang, or an error without its envelope',
  {
    timeout: 300_000,
  },
  async () => {
    const doc = (await api(server.url, 'GET', '/docs/json')).body as {
      paths: Record<string, Record<string, Operation>>;
    };
    const found = await api(server.url, 'GET', '/api/assets/search?limit=2&fields=uid');
    const id = found.body.items[0].uid as string;
    const problems: string[] = [];
    let sent = 0;

    const send = async (method: string, route: string, body?: string): Promise<void> => {
      sent++;
      const what = `${method} ${route.slice(0, 120)}${body === undefined ? '' : ` ${body.slice(0, 80)}`}`;
      try {
        const res = await fetch(server.url + route, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body ?? null,
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        if (res.status >= 500) problems.push(`${res.status} ${what}: ${text.slice(0, 200)}`);
        else if (res.status >= 400 && !isEnvelope(text))
          problems.push(`${res.status} without the envelope ${what}: ${text.slice(0, 200)}`);
      } catch (err) {
        problems.push(`no answer (${(err as Error).name}) ${what}`);
      }
    };

    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [verb, operation] of Object.entries(operations)) {
        const method = verb.toUpperCase();
        // The event stream never ends (its own tests cover it).
        if (template === '/api/events') continue;
        const params = operation.parameters ?? [];
        const route = (value?: string): string =>
          template.replace(/\{(\w+)\}/g, (_, name: string) =>
            encodeURIComponent(value ?? (name === 'id' ? id : 'x')),
          );
        const hasBody = method !== 'GET' && method !== 'DELETE';
        const emptyBody = hasBody ? '{}' : undefined;
        if (params.some((p) => p.in === 'path')) {
          for (const value of ODD_TEXT) await send(method, route(value), emptyBody);
          // A broken escape, as sent (the router refuses it before any route).
          await send(method, template.replace(/\{(\w+)\}/g, '%zz'), emptyBody);
        }
        for (const { name } of params.filter((p) => p.in === 'query'))
          for (const value of ODD_TEXT)
            await send(method, `${route()}?${name}=${encodeURIComponent(value)}`, emptyBody);
        const fields = Object.keys(
          operation.requestBody?.content?.['application/json']?.schema?.properties ?? {},
        );
        if (!hasBody || (!fields.length && !operation.requestBody)) continue;
        for (const body of ODD_BODIES) await send(method, route(), body);
        for (const field of fields)
          for (const value of ODD_JSON) await send(method, route(), JSON.stringify({ [field]: value }));
        // Metadata is free-form, but the registry reads some of its keys.
        if (fields.includes('metadata'))
          for (const key of METADATA_KEYS)
            for (const value of ODD_JSON)
              await send(method, route(), JSON.stringify({ metadata: { [key]: value } }));
      }
    }
    assert.deepEqual(problems, [], `${problems.length} of ${sent} requests`);
    assert.ok(sent > 1000, `${sent} requests: the document lists the routes`);
    assert.equal((await api(server.url, 'GET', '/health')).status, 200);
  },
);

/** Several search terms at once (`q` repeated): each a substring, all must match. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
const ids: Record<string, string> = {};

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  for (const [name, title] of [
    ['castle-night.txt', 'Keep at dusk'],
    ['castle-day.txt', 'Keep at noon'],
    ['forest-night.txt', 'Woods'],
  ] as const) {
    ws.file(`incoming/${name}`, name);
    const res = await api(server.url, 'POST', '/api/assets/register', {
      path: `incoming/${name}`,
      asset_type: 'backgrounds',
      metadata: { title },
    });
    assert.equal(res.status, 200, res.text);
    ids[name] = res.body.asset_id;
  }
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

const search = async (query: string): Promise<{ paths: string[]; body: Record<string, unknown> }> => {
  const res = await api(server.url, 'GET', `/api/assets/search?${query}`);
  assert.equal(res.status, 200, res.text);
  const items = res.body.items as Array<{ path: string }>;
  return { paths: items.map((i) => i.path).sort(), body: res.body };
};

test('q repeated: every term must match, anywhere, in any order; one q works as before', async () => {
  const both = await search('q=castle&q=night');
  assert.deepEqual(both.paths, ['backgrounds/castle-night.txt']);
  assert.equal(both.body.total, 1);
  assert.deepEqual((both.body.filters as { q: unknown }).q, ['castle', 'night']);
  assert.deepEqual((await search('q=night&q=CASTLE')).paths, ['backgrounds/castle-night.txt']);
  assert.deepEqual((await search('q=keep&q=dusk')).paths, ['backgrounds/castle-night.txt'], 'the title too');
  const one = await search('q=castle%20night');
  assert.deepEqual(one.paths, [], 'one q is one substring, as the reference');
  assert.equal((one.body.filters as { q: unknown }).q, 'castle night');
  assert.deepEqual((await search('text=castle&text=day')).paths, ['backgrounds/castle-day.txt']);
  // A 1-character term tests rows (on the search thread), the others use the index.
  assert.deepEqual((await search('q=night&q=w')).paths, ['backgrounds/forest-night.txt']);
  assert.deepEqual((await search('q=castle&q=&q=%20')).paths.length, 2, 'empty terms are ignored');
  const ids1 = await api(server.url, 'GET', '/api/assets/ids?q=castle&q=night');
  assert.equal(ids1.status, 200, ids1.text);
  assert.deepEqual(ids1.body.ids, [ids['castle-night.txt']]);
});

test('more than 16 terms is a 422 that says so', async () => {
  const res = await api(
    server.url,
    'GET',
    `/api/assets/search?${Array.from({ length: 17 }, (_, i) => `q=t${i}`).join('&')}`,
  );
  assert.equal(res.status, 422, res.text);
  assert.equal(res.body.ok, false);
  assert.match(res.body.message, /querystring\/q must NOT have more than 16 items/);
});

test('the CLI takes -q more than once', async () => {
  const res = await runCli(['search', '-q', 'castle', '-q', 'night'], ws.dir);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(
    (res.json.items as Array<{ path: string }>).map((i) => i.path),
    ['backgrounds/castle-night.txt'],
  );
});

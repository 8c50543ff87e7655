/** `GET /api/assets/search?fields=`: the lighter listing the studio's grid asks for (additive). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  ws.file('incoming/a.txt', 'alpha');
  const res = await api(server.url, 'POST', '/api/assets/register', {
    path: 'incoming/a.txt',
    metadata: { title: 'Alpha', tags: ['one'], license: 'cc0', notes: 'long text the grid never shows' },
  });
  assert.equal(res.status, 200, res.text);
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

test('without fields, items are full records (the default shape is unchanged)', async () => {
  const res = await api(server.url, 'GET', '/api/assets/search');
  assert.equal(res.status, 200);
  const [item] = res.body.items;
  for (const key of ['id', 'uid', 'hash', 'metadata', 'links', 'sidecar', 'urls', 'created_at'])
    assert.ok(key in item, key);
  assert.equal(item.metadata.notes, 'long text the grid never shows');
});

test('fields picks item keys and single keys of object fields, in the same envelope', async () => {
  const full = (await api(server.url, 'GET', '/api/assets/search')).body;
  const res = await api(
    server.url,
    'GET',
    '/api/assets/search?fields=uid,type,tags,license,metadata.title,urls.file,preview_status',
  );
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.total, full.total);
  assert.deepEqual(res.body.filters, full.filters);
  assert.deepEqual(res.body.items, [
    {
      uid: full.items[0].uid,
      type: full.items[0].type,
      tags: ['one'],
      license: 'cc0',
      metadata: { title: 'Alpha' },
      urls: { file: full.items[0].urls.file },
    },
  ]);
});

test('a whole object named next to one of its keys stays whole; missing keys are left out', async () => {
  const res = await api(server.url, 'GET', '/api/assets/search?fields=urls,urls.file,metadata.nothing');
  assert.equal(res.status, 200, res.text);
  const full = (await api(server.url, 'GET', '/api/assets/search')).body;
  assert.deepEqual(res.body.items, [{ urls: full.items[0].urls }]);
});

test('unknown or malformed field names are a 400 that says what is allowed', async () => {
  for (const fields of ['uid,nope', 'metadata.', 'a.b.c', ',']) {
    const res = await api(server.url, 'GET', `/api/assets/search?fields=${encodeURIComponent(fields)}`);
    assert.equal(res.status, 400, fields);
    assert.match(res.body.message, /field/);
  }
});

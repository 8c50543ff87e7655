/**
 * The smoke check `asset-registry check --profile p5_assets_gallery --base URL` (reference §9,
 * adapted): JSON on stdout, exit 0 against a healthy server, exit 2 when nothing answers or a
 * required route is missing, and `--deep` doing a real round trip.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { listFiles, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;

before(async () => {
  ws = makeWorkspace('areg-check-');
  server = await startServer(ws.dir);
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

/** A port on loopback where nothing listens (bound, then released). */
async function deadPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const check = (args: string[]) => runCli(['check', '--profile', 'p5_assets_gallery', ...args], ws.dir);

describe('asset-registry check', () => {
  test('passes against a running server: JSON with flags, routes (OPTIONS probes) and files; exit 0', async () => {
    const res = await check(['--base', server.url]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const out = res.json;
    assert.equal(out.pass, true);
    assert.equal(out.profile, 'p5_assets_gallery');
    assert.equal(out.base, server.url);
    assert.deepEqual(out.tried, [server.url]);
    assert.ok(!Number.isNaN(Date.parse(out.ts)));
    assert.deepEqual(out.flags, [
      { key: 'enable_asset_gallery', expect: false, got: false, ok: true, required: true },
    ]);
    const routes = Object.fromEntries(
      (out.routes as Array<Record<string, any>>).map((r) => [`${r.method} ${r.path}`, r]),
    );
    assert.equal(routes['GET /api/assets/search']?.status, 200);
    for (const route of ['/api/assets/enforce', '/api/assets/rebuild']) {
      const probe = routes[`OPTIONS ${route}`];
      assert.equal(probe?.status, 204, route);
      assert.match(probe?.allow ?? '', /POST/);
      assert.equal(probe?.ok, true);
    }
    assert.equal(routes['OPTIONS /api/assets/enforce']?.required, true);
    assert.ok(out.files.length >= 2);
    for (const file of out.files) assert.equal(file.exists, true, file.path);
    assert.ok(out.files.some((f: { path: string }) => f.path === ws.assets));
    assert.equal(out.deep, undefined, 'no round trip without --deep');
  });

  test('--deep registers a real file, finds it, fetches its thumbnail and removes it again', async () => {
    const before = listFiles(ws.assets);
    const res = await check(['--base', server.url, '--deep']);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.equal(res.json.pass, true);
    const steps = res.json.deep as Array<{ step: string; ok: boolean; status: number }>;
    assert.deepEqual(
      steps.map((s) => s.step),
      ['register (upload)', 'search', 'thumbnail', 'remove'],
    );
    for (const step of steps) assert.equal(step.ok, true, JSON.stringify(step));
    // It leaves nothing behind: no row, no file, no sidecar.
    const search = await api(server.url, 'GET', '/api/assets/search?q=smoke');
    assert.equal(search.body.total, 0);
    assert.deepEqual(listFiles(ws.assets), before);
  });

  test('a port with nothing listening: pass false, the note, exit 2', async () => {
    const base = `http://127.0.0.1:${await deadPort()}`;
    const res = await check(['--base', base]);
    assert.equal(res.code, 2, res.stdout + res.stderr);
    assert.equal(res.json.pass, false);
    assert.equal(res.json.base, null);
    assert.deepEqual(res.json.tried, [base]);
    assert.deepEqual(res.json.notes, ['No reachable server base discovered.']);
  });

  test('a server without the enforce route fails the required probe: exit 2', async () => {
    // Something that answers /health and search, but not the maintenance routes.
    const stub = http.createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/health' || req.url?.startsWith('/api/assets/search'))) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, total: 0, items: [] }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, code: 'not_found', message: 'Not found' }));
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    try {
      const res = await check(['--base', base]);
      assert.equal(res.code, 2, res.stdout + res.stderr);
      assert.equal(res.json.pass, false);
      const enforce = (res.json.routes as Array<Record<string, any>>).find(
        (r) => r.path === '/api/assets/enforce',
      );
      assert.equal(enforce?.status, 404);
      assert.equal(enforce?.ok, false);
      const rebuild = (res.json.routes as Array<Record<string, any>>).find(
        (r) => r.path === '/api/assets/rebuild',
      );
      assert.equal(rebuild?.required, false);
      assert.ok(
        (res.json.warnings as string[]).some((w) => w.includes('/api/assets/rebuild')),
        'the optional route is a warning',
      );
    } finally {
      await new Promise<void>((resolve) => stub.close(() => resolve()));
    }
  });

  test('the feature flag set in the flags file fails the profile: exit 2', async () => {
    const flags = path.join(ws.dir, 'config', 'flags-on.json');
    fs.mkdirSync(path.dirname(flags), { recursive: true });
    fs.writeFileSync(flags, JSON.stringify({ features: { enable_asset_gallery: true } }));
    const on = await check(['--base', server.url, '--flags-file', flags]);
    assert.equal(on.code, 2, on.stdout);
    assert.equal(on.json.pass, false);
    assert.equal(on.json.flags[0].got, true);
    assert.equal(on.json.flags[0].ok, false);
  });
});

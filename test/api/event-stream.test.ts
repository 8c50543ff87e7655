/**
 * The hook bus: in-process listeners (order, payloads, failing listeners) and the live SSE
 * stream, including events emitted by another process (the CLI).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HookBus, type HookEnvelope } from '../../src/hooks/bus.js';
import { RegistryService } from '../../src/registry/service.js';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { openStream } from '../helpers/sse.js';
import { REFERENCE_EVENTS } from '../helpers/contract.js';

describe('in-process hook bus', () => {
  let ws: Workspace;
  let service: RegistryService;
  let bus: HookBus;
  const seen: Array<{ event: string; data: Record<string, unknown> }> = [];

  before(() => {
    ws = makeWorkspace();
    bus = new HookBus();
    service = RegistryService.open({ workspace: ws.dir, hooks: bus });
    for (const event of REFERENCE_EVENTS) {
      bus.subscribe(event, (data) => seen.push({ event, data: data }));
    }
  });
  after(async () => {
    await service.close();
    ws.cleanup();
  });

  test('order and payloads of register, update, bulk edit and remove', async () => {
    const registry = service.project();
    ws.file('a.txt', 'bus a');
    const { record } = await registry.register({ path: 'a.txt', metadata: { tags: ['x'] } });
    await registry.updateMetadata(record.uid, { title: 't' });
    await registry.bulkEdit([record.uid], { addTags: ['y'] });
    await registry.remove(record.uid);
    assert.deepEqual(
      seen.map((s) => s.event),
      [
        'asset_sidecar_written',
        'asset_registered',
        'asset_sidecar_written',
        'asset_meta_updated',
        'asset_sidecar_written',
        'asset_meta_updated',
        'asset_removed',
      ],
    );
    assert.deepEqual(Object.keys(seen[1]!.data).sort(), ['bytes', 'meta', 'path', 'sidecar', 'type', 'uid']);
    assert.deepEqual(Object.keys(seen[3]!.data).sort(), ['meta', 'path', 'sidecar', 'type', 'uid']);
    assert.deepEqual(Object.keys(seen[6]!.data).sort(), ['bytes', 'meta', 'path', 'sidecar', 'type', 'uid']);
    assert.equal(seen[0]!.data.sidecar, `${ws.assets}/generic/a.txt.asset.json`);
    assert.equal(seen[0]!.data.rel_path, 'generic/a.txt');
    assert.deepEqual((seen[5]!.data.meta as { tags: string[] }).tags, ['x', 'y']);
  });

  test('a listener that throws is logged and breaks nothing; unsubscribe stops delivery', async () => {
    const registry = service.project();
    const thrower = (): void => {
      throw new Error('listener bug');
    };
    let calls = 0;
    const counter = (): void => {
      calls++;
    };
    bus.subscribe('asset_registered', thrower);
    bus.subscribe('asset_registered', counter);
    ws.file('b.txt', 'bus b');
    const { record } = await registry.register({ path: 'b.txt' });
    assert.ok(registry.get(record.uid));
    assert.ok(ws.exists('data/assets/generic/b.txt.asset.json'));
    assert.equal(calls, 1, 'later listeners still run');
    bus.unsubscribe('asset_registered', counter);
    ws.file('c.txt', 'bus c');
    await registry.register({ path: 'c.txt' });
    assert.equal(calls, 1);
    assert.throws(
      () => bus.subscribe('nope' as 'asset_registered', counter),
      /Unsupported asset registry hook: nope/,
    );
    assert.ok(bus.history(2).every((e) => e.event));
    assert.deepEqual(Object.keys(bus.describe()).slice(0, 4), REFERENCE_EVENTS);
  });
});

describe('SSE stream /api/events', () => {
  let ws: Workspace;
  let server: RunningServer;
  before(async () => {
    ws = makeWorkspace();
    server = await startServer(ws.dir);
  });
  after(async () => {
    await server.stop();
    ws.cleanup();
  });

  test('register, PATCH and DELETE over HTTP arrive in order with their payloads', async () => {
    const stream = await openStream(server.url);
    ws.file('in/s.txt', 'stream me');
    const reg = await api(server.url, 'POST', '/api/assets/register', { path: 'in/s.txt' });
    const id = reg.body.asset_id as string;
    await api(server.url, 'PATCH', `/api/assets/${id}`, { metadata: { title: 'x' } });
    await api(server.url, 'DELETE', `/api/assets/${id}`);
    const frames = await stream.until((f) => f.some((x) => x.event === 'asset_removed'));
    await stream.close();
    const mine = frames.filter((f) => f.data.data.uid === id).map((f) => f.event);
    assert.deepEqual(mine, [
      'asset_sidecar_written',
      'asset_registered',
      'asset_sidecar_written',
      'asset_meta_updated',
      'asset_removed',
    ]);
    assert.ok(frames.every((f) => f.id && Number(f.id) === f.data.seq));
  });

  test('a registration by the CLI (another process) reaches the open stream', async () => {
    const stream = await openStream(server.url);
    ws.file('in/cli.txt', 'from the cli');
    const res = await runCli(['register', 'in/cli.txt'], ws.dir);
    assert.equal(res.code, 0, res.stderr);
    const frames = await stream.until((f) =>
      f.some((x) => x.event === 'asset_registered' && x.data.data.uid === res.json.asset_id),
    );
    await stream.close();
    assert.ok(frames.length >= 2);
  });

  test('Last-Event-ID replays only what came later; history is oldest first', async () => {
    const history = await api(server.url, 'GET', '/api/assets/debug/history?limit=3');
    const items = history.body.items as HookEnvelope[];
    assert.equal(items.length, 3);
    assert.ok(items[0]!.seq! < items[2]!.seq!);
    const from = items[0]!.seq!;
    const stream = await openStream(server.url, { 'last-event-id': String(from) });
    const frames = await stream.until((f) => f.length >= 2);
    await stream.close();
    assert.deepEqual(
      frames.slice(0, 2).map((f) => f.data.seq),
      items.slice(1).map((i) => i.seq),
    );
  });

  test('a search says the last event it may not show yet, and the stream resumes after it', async () => {
    const [last] = (await api(server.url, 'GET', '/api/assets/debug/history?limit=1')).body
      .items as HookEnvelope[];
    const page = await api(server.url, 'GET', '/api/assets/search?limit=1');
    assert.equal(page.headers.get('x-event-seq'), String(last!.seq));
    // A change after that answer, then a stream opened with it: the change is replayed.
    ws.file('in/late.txt', 'late');
    const reg = await api(server.url, 'POST', '/api/assets/register', { path: 'in/late.txt' });
    assert.equal(reg.status, 200, reg.text);
    const stream = await openStream(server.url, { 'last-event-id': page.headers.get('x-event-seq')! });
    const frames = await stream.until((f) => f.some((x) => x.event === 'asset_registered'));
    await stream.close();
    assert.equal(frames[0]!.data.seq, last!.seq! + 1);
    assert.equal(frames.find((f) => f.event === 'asset_registered')!.data.data.uid, reg.body.asset_id);
  });
});

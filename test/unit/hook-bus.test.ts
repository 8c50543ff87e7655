/** The hook bus (§5.1): subscription rules, delivery, isolation of failures, history and describe(). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  HOOK_EVENTS,
  HookBus,
  type HookEnvelope,
  type HookEvent,
  type HookPayloads,
} from '../../src/hooks/bus.js';
import { REFERENCE_EVENTS } from '../helpers/contract.js';

const registered = (uid: string): HookPayloads['asset_registered'] => ({
  uid,
  type: 'images',
  path: `images/${uid}.png`,
  meta: { tags: ['a'] },
  sidecar: `images/${uid}.png.asset.json`,
  bytes: 3,
});

describe('HookBus subscriptions', () => {
  test('a subscribed listener gets the payload and the envelope', () => {
    const bus = new HookBus();
    const seen: Array<[HookPayloads['asset_registered'], HookEnvelope]> = [];
    bus.subscribe('asset_registered', (payload, envelope) => seen.push([payload, envelope]));
    const before = Date.now() / 1000;
    const env = bus.emit('asset_registered', registered('u1'), 'proj');
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0]?.[0], registered('u1'));
    assert.equal(seen[0]?.[1], env);
    assert.equal(env.event, 'asset_registered');
    assert.equal(env.project_id, 'proj');
    assert.ok(env.ts >= before - 1 && env.ts <= Date.now() / 1000 + 1, 'ts is epoch seconds');
  });

  test('the project defaults to "default"', () => {
    assert.equal(new HookBus().emit('asset_registered', registered('u')).project_id, 'default');
  });

  test('listeners only receive the event they subscribed to', () => {
    const bus = new HookBus();
    const calls: string[] = [];
    bus.subscribe('asset_removed', () => calls.push('removed'));
    bus.emit('asset_registered', registered('u'));
    assert.deepEqual(calls, []);
  });

  test('listeners run synchronously in registration order', () => {
    const bus = new HookBus();
    const calls: string[] = [];
    bus.subscribe('asset_registered', () => calls.push('first'));
    bus.subscribe('asset_registered', () => calls.push('second'));
    bus.subscribe('asset_registered', () => calls.push('third'));
    bus.emit('asset_registered', registered('u'));
    assert.deepEqual(calls, ['first', 'second', 'third']);
  });

  test('an unknown event throws "Unsupported asset registry hook: <event>"', () => {
    const bus = new HookBus();
    const bad = 'asset_exploded' as HookEvent;
    assert.throws(() => bus.subscribe(bad, () => undefined), {
      message: 'Unsupported asset registry hook: asset_exploded',
    });
    assert.throws(() => bus.unsubscribe(bad, () => undefined), {
      message: 'Unsupported asset registry hook: asset_exploded',
    });
    assert.throws(() => bus.emit(bad, registered('u')), {
      message: 'Unsupported asset registry hook: asset_exploded',
    });
  });

  test('the same listener is never added twice', () => {
    const bus = new HookBus();
    let calls = 0;
    const listener = (): void => {
      calls++;
    };
    bus.subscribe('asset_registered', listener);
    bus.subscribe('asset_registered', listener);
    bus.emit('asset_registered', registered('u'));
    assert.equal(calls, 1);
    assert.equal(bus.describe().asset_registered.length, 1);
  });

  test('unsubscribe (directly or through the returned function) stops delivery', () => {
    const bus = new HookBus();
    const calls: string[] = [];
    const a = (): void => {
      calls.push('a');
    };
    const stopB = bus.subscribe('asset_registered', () => calls.push('b'));
    bus.subscribe('asset_registered', a);
    bus.unsubscribe('asset_registered', a);
    stopB();
    bus.emit('asset_registered', registered('u'));
    assert.deepEqual(calls, []);
  });

  test('unsubscribing a listener that is not there is silent', () => {
    const bus = new HookBus();
    assert.doesNotThrow(() => bus.unsubscribe('asset_removed', () => undefined));
  });
});

describe('HookBus delivery', () => {
  test('a throwing listener does not stop the others nor the emit', () => {
    const bus = new HookBus();
    const calls: string[] = [];
    bus.subscribe('asset_registered', () => calls.push('before'));
    bus.subscribe('asset_registered', function broken() {
      throw new Error('listener bug');
    });
    bus.subscribe('asset_registered', () => calls.push('after'));
    const watched: string[] = [];
    bus.watch((env) => watched.push(env.event));
    let env: HookEnvelope | undefined;
    assert.doesNotThrow(() => {
      env = bus.emit('asset_registered', registered('u'));
    });
    assert.deepEqual(calls, ['before', 'after']);
    assert.deepEqual(watched, ['asset_registered']);
    assert.equal(env?.event, 'asset_registered');
    assert.equal(bus.history().length, 1);
  });

  test('each listener gets its own copy of the payload', () => {
    const bus = new HookBus();
    const seenBySecond: Array<Record<string, unknown>> = [];
    bus.subscribe('asset_registered', (payload) => {
      const p = payload as unknown as Record<string, unknown>;
      p.uid = 'tampered';
      p.extra = true;
    });
    bus.subscribe('asset_registered', (payload) => seenBySecond.push({ ...payload }));
    const data = registered('orig');
    const env = bus.emit('asset_registered', data);
    assert.equal(seenBySecond[0]?.uid, 'orig');
    assert.ok(!('extra' in (seenBySecond[0] ?? {})));
    assert.equal(data.uid, 'orig', 'the emitter’s payload is untouched');
    assert.equal(env.data.uid, 'orig', 'the recorded envelope is untouched');
  });

  test('watchers see every event; a throwing watcher does not break delivery', () => {
    const bus = new HookBus();
    const seen: string[] = [];
    bus.watch(() => {
      throw new Error('watcher bug');
    });
    const stop = bus.watch((env) => seen.push(env.event));
    bus.emit('asset_registered', registered('u'));
    bus.emit('asset_removed', { ...registered('u') });
    stop();
    bus.emit('asset_registered', registered('v'));
    assert.deepEqual(seen, ['asset_registered', 'asset_removed']);
  });

  test('deliver hands an envelope from elsewhere (with its seq) to listeners', () => {
    const bus = new HookBus();
    const seqs: Array<number | undefined> = [];
    bus.subscribe('asset_meta_updated', (_p, env) => seqs.push(env.seq));
    bus.deliver({
      seq: 42,
      event: 'asset_meta_updated',
      ts: 1,
      project_id: 'default',
      data: { uid: 'u', type: 't', meta: {}, path: 'p', sidecar: 'p.asset.json' },
    });
    assert.deepEqual(seqs, [42]);
    assert.equal(bus.history()[0]?.seq, 42);
  });
});

describe('HookBus history', () => {
  test('keeps the newest entries up to its size, oldest first', () => {
    const bus = new HookBus(3);
    for (const uid of ['a', 'b', 'c', 'd', 'e']) bus.emit('asset_registered', registered(uid));
    const uids = bus.history().map((e) => (e.data as { uid: string }).uid);
    assert.deepEqual(uids, ['c', 'd', 'e']);
  });

  test('history(limit) returns the newest `limit` entries, oldest first', () => {
    const bus = new HookBus();
    for (const uid of ['a', 'b', 'c']) bus.emit('asset_registered', registered(uid));
    assert.deepEqual(
      bus.history(2).map((e) => (e.data as { uid: string }).uid),
      ['b', 'c'],
    );
    assert.deepEqual(bus.history(0), []);
  });

  test('the default history holds 200 entries', () => {
    const bus = new HookBus();
    for (let i = 0; i < 250; i++) bus.emit('asset_registered', registered(String(i)));
    const history = bus.history();
    assert.equal(history.length, 200);
    assert.equal((history[0]?.data as { uid: string }).uid, '50');
    assert.equal((history[199]?.data as { uid: string }).uid, '249');
  });

  test('events with no listeners are still recorded', () => {
    const bus = new HookBus();
    bus.emit('asset_sidecar_written', { uid: 'u', type: 't', sidecar: '/abs/p.asset.json', rel_path: 'p' });
    assert.deepEqual(
      bus.history().map((e) => e.event),
      ['asset_sidecar_written'],
    );
  });
});

describe('HookBus describe()', () => {
  test('lists the four reference events even with no listeners', () => {
    const described = new HookBus().describe();
    for (const event of REFERENCE_EVENTS) {
      assert.deepEqual(described[event], [], event);
    }
    assert.deepEqual(Object.keys(described).sort(), [...HOOK_EVENTS].sort());
  });

  test('names bound listeners per event', () => {
    const bus = new HookBus();
    bus.subscribe('asset_removed', function onRemoved() {});
    bus.subscribe('asset_removed', () => undefined);
    const described = bus.describe();
    assert.deepEqual(described.asset_removed, ['<function onRemoved>', '<function anonymous>']);
    assert.deepEqual(described.asset_registered, []);
  });
});

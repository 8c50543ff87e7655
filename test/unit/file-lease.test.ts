/**
 * The file lease (files/file-lease.ts): shared within a process, one process at a time. Two leases
 * on one lock directory stand for two processes (the lock is a directory made with `mkdir`, the
 * same between processes as within one; test/cli/cross-process-edits.test.ts runs real ones).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { AppError } from '../../src/domain/errors.js';
import { FileLease } from '../../src/files/file-lease.js';
import { eventually } from '../helpers/eventually.js';
import { runScript } from '../helpers/killed-script.js';
import { makeWorkspace } from '../helpers/workspace.js';

const ws = makeWorkspace('areg-lease-');
after(() => ws.cleanup());
let dirs = 0;
/** Two "processes" on one fresh lock directory. */
const pair = (): { lockDir: string; server: FileLease; cli: FileLease } => {
  const lockDir = path.join(ws.dir, `lease-${++dirs}`, 'files.lock');
  return { lockDir, server: new FileLease(lockDir), cli: new FileLease(lockDir) };
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('one process at a time; within one, callers share it; the lock goes when the last is done', async () => {
  const { lockDir, server, cli } = pair();
  const log: string[] = [];
  const work = (lease: FileLease, name: string, ms: number): Promise<void> =>
    lease.hold(async () => {
      log.push(`${name} in`);
      await sleep(ms);
      log.push(`${name} out`);
    });
  const first = work(server, 'server 1', 150);
  await sleep(20);
  const waiting = work(cli, 'cli', 10);
  await sleep(20);
  const second = work(server, 'server 2', 50); // shares the server's lease, does not queue behind the CLI
  await Promise.all([first, waiting, second]);
  assert.deepEqual(log, ['server 1 in', 'server 2 in', 'server 2 out', 'server 1 out', 'cli in', 'cli out']);
  await eventually('the lock directory removed', () => !fs.existsSync(lockDir), 2000);
});

test(
  'a process that keeps the lease busy hands it over to one waiting, then takes it back',
  { timeout: 20_000 },
  async () => {
    const { server, cli } = pair();
    const log: string[] = [];
    let stop = false;
    // Server callers overlapping without a gap for 3 s: the lease never falls free by itself.
    const busy = (async () => {
      const running: Array<Promise<void>> = [];
      while (!stop) {
        running.push(server.hold(() => sleep(30)));
        await sleep(10);
      }
      await Promise.all(running);
    })();
    await sleep(50);
    await cli.hold(() => log.push(`cli in while the server was busy: ${String(!stop)}`));
    await sleep(100);
    let serverAgain = false;
    await server.hold(() => (serverAgain = true));
    stop = true;
    await busy;
    assert.deepEqual(log, ['cli in while the server was busy: true']);
    assert.ok(serverAgain);
  },
);

test(
  'a caller let in while the lease waits to be handed over: a removal waiting for its sidecar write ends',
  { timeout: 20_000 },
  async () => {
    const { server, cli } = pair();
    const log: string[] = [];
    let later: Promise<unknown> = Promise.resolve();
    const removal = server.hold(async () => {
      await sleep(1200); // past the time after which new callers wait for a hand-over
      later = server.hold(() => log.push('next move')); // waits for the hand-over
      await sleep(20);
      await server.hold(() => log.push('sidecar write'), true); // the removal waits for it
      log.push('removal done');
    });
    await sleep(50);
    const other = cli.hold(() => log.push('cli'));
    await removal;
    await Promise.all([later, other]);
    assert.deepEqual(log.slice(0, 2), ['sidecar write', 'removal done']);
    assert.deepEqual(log.slice(2).sort(), ['cli', 'next move']);
  },
);

test('a caller that waits long for another process says so, once; a short wait says nothing', async () => {
  const { lockDir, server } = pair();
  const told: string[] = [];
  const cli = new FileLease(lockDir, { onWaiting: (dir) => told.push(dir), noticeAfterMs: 150 });
  let short: Promise<string> | undefined;
  await server.hold(async () => {
    short = cli.hold(() => 'short');
    await sleep(50);
  });
  assert.equal(await short, 'short');
  // (The server's 50 ms were over before the notice was due.)
  assert.deepEqual(told, []);
  await eventually('the lease given up', () => !fs.existsSync(lockDir), 2000);
  let held = true;
  const long = server.hold(() => sleep(600).then(() => (held = false)));
  await sleep(20);
  const waited = await cli.hold(() => held);
  await long;
  assert.equal(waited, false);
  assert.deepEqual(told, [lockDir]);
});

test('a lock that cannot be made is a 503 that says which and why, and runs nothing', async () => {
  const blocker = ws.file('not-a-folder', 'a file where the lock folder would go');
  let ran = false;
  await assert.rejects(
    new FileLease(path.join(blocker, 'files.lock')).hold(() => (ran = true)),
    (err: unknown) =>
      err instanceof AppError &&
      err.status === 503 &&
      err.code === 'lease_failed' &&
      err.message.includes('not-a-folder/files.lock'),
  );
  assert.equal(ran, false);
});

// A real process that takes the lease and kills itself holding it (SIGKILL: no clean-up).
const HOLD_AND_DIE = `
import { FileLease } from ${JSON.stringify(path.resolve('src/files/file-lease.ts'))};
await new FileLease(process.argv[2]).hold(() => process.kill(process.pid, 'SIGKILL'));
`;

test('a lease left by a process killed while holding it is taken over at once, not after the stale time', async () => {
  const { lockDir } = pair();
  const script = ws.file('hold-and-die.mts', HOLD_AND_DIE);
  const { signal, stderr } = await runScript(ws.dir, script, [lockDir]);
  assert.equal(signal, 'SIGKILL', stderr);
  assert.ok(fs.existsSync(lockDir), 'the killed holder left its lock');
  const told: string[] = [];
  // Waiting would be told after 3 s (the stale time is 10 s): a take-over says nothing.
  const next = new FileLease(lockDir, { onWaiting: (dir) => told.push(dir), noticeAfterMs: 3000 });
  assert.equal(await next.hold(() => 'in'), 'in');
  assert.deepEqual(told, []);
  // Once given up, no note of either holder is left beside the lock.
  await eventually('the lock given up', () => !fs.existsSync(lockDir), 2000);
  assert.deepEqual(fs.readdirSync(path.dirname(lockDir)), []);
});

test("a dead process's note does not take over a lock another process made since", async () => {
  const { lockDir, server } = pair();
  let release!: () => void;
  const held = server.hold(() => new Promise<void>((resolve) => (release = resolve)));
  await eventually('the lock made', () => fs.existsSync(lockDir), 2000);
  // A note left by a killed holder of an earlier lock at that place (another inode, another birth).
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  fs.mkdirSync(`${lockDir}.owner~${dead}~1~1~${os.hostname()}`);
  const told: string[] = [];
  const waiter = new FileLease(lockDir, { onWaiting: (dir) => told.push(dir), noticeAfterMs: 200 });
  let inside = false;
  const waiting = waiter.hold(() => (inside = true));
  await eventually('the waiter says it waits', () => told.length === 1, 3000);
  assert.equal(inside, false, 'the live lock was not taken over');
  release();
  await held;
  await waiting;
  assert.equal(inside, true);
});

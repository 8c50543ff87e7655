/**
 * A rebuild killed with SIGKILL part-way leaves a registry that the next rebuild completes:
 * every file registered exactly once, sidecars whole and matching the rows, no temp files left.
 * Real CLI processes on a real tree of a few hundred files.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CLI_ARGS, runCli } from '../helpers/server.js';
import { listFiles, makeWorkspace, type Workspace } from '../helpers/workspace.js';

// Enough files that a rebuild cannot finish between two looks at the tree (sidecars land up to
// 512 at a time).
const FILES = 2400;

let ws: Workspace;
const tree = new Map<string, Buffer>();

before(() => {
  ws = makeWorkspace('areg-interrupt-');
  for (let i = 0; i < FILES; i++) {
    const rel = `folder-${i % 12}/sub-${i % 5}/file-${i}.txt`;
    // Mixed sizes (up to ~48 KB); every tenth file repeats an earlier one's bytes (duplicates).
    const content =
      i % 10 === 9 ? tree.get(`folder-${(i - 1) % 12}/sub-${(i - 1) % 5}/file-${i - 1}.txt`)! : randomText(i);
    tree.set(rel, content);
    ws.file(`data/assets/${rel}`, content);
  }
});
after(() => ws.cleanup());

function randomText(i: number): Buffer {
  const size = 200 + ((i * 7919) % 48_000);
  return Buffer.from(`file ${i} `.padEnd(size, String.fromCharCode(97 + (i % 26))));
}

const sidecarsOnDisk = (): number => listFiles(ws.assets).filter((f) => f.endsWith('.asset.json')).length;

/** Starts `rebuild` and kills it (SIGKILL) once `killAfter` more sidecars exist than at the start. */
async function killedRebuild(killAfter: number): Promise<{ killed: boolean; stderr: string }> {
  const start = sidecarsOnDisk();
  const proc = spawn(process.execPath, [...CLI_ARGS, 'rebuild', '--no-wait-for-thumbs'], {
    cwd: ws.dir,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let killed = false;
  while (proc.exitCode === null && proc.signalCode === null) {
    if (sidecarsOnDisk() - start >= killAfter) {
      killed = proc.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 15));
  }
  await exited;
  return { killed: killed && proc.signalCode === 'SIGKILL', stderr };
}

test('a rebuild killed part-way is completed by the next one, with nothing lost or doubled', async () => {
  // Kill twice at different points, so the second kill hits a registry that is already half done.
  const first = await killedRebuild(25);
  assert.ok(first.killed, `the first rebuild was killed part-way (stderr: ${first.stderr})`);
  assert.ok(sidecarsOnDisk() < FILES, 'it was interrupted before it finished');
  // (Sidecars land 512 at a time: one more batch is enough. With 700 the run once finished its
  // last sidecars between two looks at the tree, in a full run under load.)
  const second = await killedRebuild(200);
  assert.ok(second.killed, `the second rebuild was killed part-way (stderr: ${second.stderr})`);
  assert.ok(sidecarsOnDisk() < FILES, 'it was interrupted before it finished');

  const done = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(done.code, 0, done.stderr);
  assert.equal(done.json.summary.skipped, 0);
  assert.equal(done.json.summary.processed, FILES);
  // The progress bar (files, bytes, rate, ETA) goes to stderr, the JSON summary to stdout.
  assert.match(
    done.stderr,
    new RegExp(`done .*\\| ${FILES}/${FILES} files \\| [\\d.]+/[\\d.]+ MB \\| [\\d.]+ MB/s \\| ETA`),
  );

  // Every file registered exactly once, with its own id, the right hash and a whole sidecar.
  const items: Array<{ id: string; path: string; hash: string; sidecar: string }> = [];
  for (let offset = 0; offset < FILES; offset += 500) {
    const search = await runCli(['search', '--limit', '500', '--offset', String(offset)], ws.dir);
    assert.equal(search.code, 0, search.stderr);
    assert.equal(search.json.total, FILES);
    items.push(...(search.json.items as typeof items));
  }
  assert.deepEqual(items.map((r) => r.path).sort(), [...tree.keys()].sort());
  assert.equal(new Set(items.map((r) => r.id)).size, FILES, 'ids are unique');
  for (const row of items) {
    const content = tree.get(row.path)!;
    assert.equal(row.hash, createHash('sha256').update(content).digest('hex'), row.path);
    for (const rel of [`data/assets/${row.path}.asset.json`, `data/assets/_meta/${row.path}.json`]) {
      let doc: Record<string, unknown>;
      try {
        doc = ws.json(rel);
      } catch (err) {
        assert.fail(`${rel} is whole JSON: ${(err as Error).message}`);
      }
      assert.equal(doc.id, row.id, rel);
      assert.equal(doc.path, row.path, rel);
      assert.equal(doc.hash, row.hash, rel);
    }
  }

  // Nothing half-written is left: no temp files or staged copies anywhere under the root.
  const leftovers = listFiles(ws.assets).filter(
    (f) => !f.endsWith('.asset.json') && !(f.startsWith('_meta/') && f.endsWith('.json')) && !tree.has(f),
  );
  assert.deepEqual(leftovers, []);

  // And the registry is settled: one more rebuild finds nothing to do.
  const warm = await runCli(['rebuild', '--no-wait-for-thumbs'], ws.dir);
  assert.equal(warm.code, 0, warm.stderr);
  assert.equal(warm.json.summary.unchanged, FILES);
  assert.equal(warm.json.summary.created + warm.json.summary.updated + warm.json.summary.moved, 0);
});

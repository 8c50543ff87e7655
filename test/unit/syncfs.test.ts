/**
 * The syncfs helper (src/files/syncfs.ts): a long-lived shell flushes a file system on request.
 * Run in a child process, so a helper that held the event loop open would show as a hang.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeWorkspace } from '../helpers/workspace.js';

const moduleUrl = new URL('../../src/files/syncfs.ts', import.meta.url).href;
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const script = `
import fs from 'node:fs';
import { syncFileSystems } from ${JSON.stringify(moduleUrl)};
const dir = process.argv[1];
const dirs = new Map([[fs.statSync(dir).dev, dir]]);
/** Our child processes, from /proc. */
const children = () => fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).filter((p) => {
  try { return fs.readFileSync('/proc/' + p + '/stat', 'utf8').split(') ')[1].split(' ')[1] === String(process.pid); }
  catch { return false; }
});
fs.writeFileSync(dir + '/a.txt', 'a');
await syncFileSystems(dirs);
const helpers = children();
console.log('helpers', helpers.length);
for (const pid of helpers) process.kill(Number(pid), 'SIGKILL');
await new Promise((r) => setTimeout(r, 200));
fs.writeFileSync(dir + '/b.txt', 'b');
await syncFileSystems(dirs);
console.log('flushed after the helper was killed');
`;

test('flushes, replaces a killed helper, and never keeps the process alive', () => {
  const ws = makeWorkspace('areg-syncfs-');
  try {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, ws.dir],
      {
        cwd: repo,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(run.signal, null, `the process ended by itself (stderr: ${run.stderr})`);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^helpers 1$/m, 'one helper shell for one file system');
    assert.match(run.stdout, /flushed after the helper was killed/);
  } finally {
    ws.cleanup();
  }
});

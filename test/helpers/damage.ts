/**
 * Damaged copies of a file for decoder tests: cut short at about 60 points, and with a few bytes
 * overwritten (seeded, so a failure can be replayed). The decoders run in a child process with a
 * time limit (`runDamageScript`), so one stuck in a loop fails its test instead of hanging it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { REPO } from './server.js';

export interface DamageTally {
  decoded: number;
  refused: number;
}

/**
 * Runs `attempt` on the whole file (which must decode), then on the damaged copies. `attempt`
 * answers true when the copy decoded, false when it was refused as a decoder should refuse it
 * (and throws for anything else). The whole file must decode again at the end: a decoder left in
 * a broken state by a damaged file would fail every later file on its thread.
 */
export async function damageRounds(
  whole: Buffer,
  attempt: (bytes: Buffer) => Promise<boolean>,
  rounds = 150,
): Promise<DamageTally> {
  const tally: DamageTally = { decoded: 0, refused: 0 };
  const count = async (bytes: Buffer): Promise<void> => {
    if (await attempt(bytes)) tally.decoded++;
    else tally.refused++;
  };
  if (!(await attempt(whole))) throw new Error('the whole file did not decode');
  for (let cut = 0; cut < whole.length; cut += Math.max(1, Math.floor(whole.length / 60)))
    await count(whole.subarray(0, cut));
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let round = 0; round < rounds; round++) {
    const bytes = Buffer.from(whole);
    for (let n = 0; n < 4; n++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    await count(bytes);
  }
  if (!(await attempt(whole))) throw new Error('the whole file no longer decoded after the damaged ones');
  return tally;
}

/**
 * Runs an ES module `script` (which prints a JSON object of tallies by format) in a child process
 * and returns the tallies, after checking that each format refused some of its damaged files.
 */
export function runDamageScript(script: string, seconds: number): Record<string, DamageTally> {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: seconds * 1000,
  });
  assert.equal(run.signal, null, `a decoder did not finish within ${seconds} s (${run.stderr.slice(-500)})`);
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  const counts = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Record<string, DamageTally>;
  // (The whole file decoded, twice: `damageRounds`. Some damaged files may all be refused.)
  for (const [format, { decoded, refused }] of Object.entries(counts))
    assert.ok(refused > 0, `${format}: no damaged file was refused (${decoded} decoded)`);
  return counts;
}

/** An import specifier for a repository module, for scripts run by `runDamageScript`. */
export const moduleUrl = (relative: string): string =>
  JSON.stringify(new URL(`../../${relative}`, import.meta.url).href);

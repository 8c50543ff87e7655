/** A script of the workspace that kills itself at a chosen step (SIGKILL: a real crash, no clean-up). */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO } from './server.js';

const TSX = path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs');

/** Runs `file` (TypeScript, in `cwd`) with `args`: how it ended, and what it said on stderr. */
export async function runScript(
  cwd: string,
  file: string,
  args: readonly string[],
): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', TSX, file, ...args], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    proc.once('exit', (_code, s) => resolve(s)),
  );
  return { signal, stderr };
}

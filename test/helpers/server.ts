/**
 * A real server process (the CLI's `serve`, see {@link CLI_ARGS}) on a free loopback port, and a
 * small HTTP client for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO, 'src', 'cli', 'main.ts');
const TSX = path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs');

/**
 * `node`'s arguments that run `asset-registry`: the build in `dist/` (what `npm start` runs) when
 * the test script has just made it (ASSET_REGISTRY_TEST_BUILT=1: a process starts in half the
 * time, with no TypeScript to compile in it and its worker threads), else the sources through tsx
 * (a test file run by hand after an edit).
 */
export const CLI_ARGS: readonly string[] =
  process.env.ASSET_REGISTRY_TEST_BUILT === '1'
    ? [path.join(REPO, 'dist', 'cli', 'main.js')]
    : ['--import', TSX, CLI];

export interface RunningServer {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  stop: () => Promise<void>;
}

export async function startServer(
  cwd: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<RunningServer> {
  const proc = spawn(process.execPath, [...CLI_ARGS, 'serve', '--port', '0', ...args], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  proc.stdout?.resume();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A server that never said it listens must not outlive the test run.
      proc.kill('SIGKILL');
      reject(new Error(`server did not start:\n${stderr}`));
    }, 60_000);
    const onData = (): void => {
      const match = /listening on (http:\/\/\S+) /.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        proc.stderr?.off('data', onData);
        resolve(match[1]);
      }
    };
    proc.stderr?.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    proc,
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** The text's JSON, or undefined when it is not JSON. */
function jsonOrUndefined(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export async function api(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + route, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: jsonOrUndefined(text), text };
}

/**
 * A multipart POST of one file (an upload, a zip import) with form `fields`; the answer as
 * {@link api} gives it (its JSON parsed when it is JSON). A hung answer fails after 20 s.
 */
export async function postFile(
  base: string,
  route: string,
  fields: Record<string, string>,
  file: Uint8Array,
  name: string,
): Promise<ApiResponse> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('file', new Blob([new Uint8Array(file)]), name);
  const res = await fetch(base + route, { method: 'POST', body: form, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: jsonOrUndefined(text), text };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/** Runs `asset-registry <args>` (see {@link CLI_ARGS}), with stdout not a terminal (JSON output). */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [...CLI_ARGS, ...args], {
      cwd,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.on('exit', (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}

/** The escape character that starts a terminal's control sequences. */
export const ESC = String.fromCharCode(27);
const CONTROL_SEQUENCE = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]|${ESC}[78]`, 'g');

/** What a terminal shows of `output`: each line as its last redraw left it, escape codes out. */
function shownText(output: string): string {
  return output
    .split('\n')
    .map((line) => (line.split(`${ESC}[1G`).pop() ?? '').replace(CONTROL_SEQUENCE, ''))
    .join('\n');
}

/**
 * Runs the CLI in a terminal (a pseudo-terminal from util-linux's `script`, 120 columns), where it
 * writes text rather than JSON: what a user reads. Its output and its errors come as one stream:
 * `output` as written (a progress bar's every redraw), `shown` as the terminal ends up showing it.
 */
export function runCliInTerminal(
  args: string[],
  cwd: string,
): Promise<{ code: number; output: string; shown: string }> {
  const quote = (arg: string): string => `'${arg.replace(/'/g, "'\\''")}'`;
  const command = ['stty cols 120;', ...[process.execPath, ...CLI_ARGS, ...args].map(quote)].join(' ');
  return new Promise((resolve) => {
    const proc = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      cwd,
      env: { ...process.env, LOG_LEVEL: 'warn', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
    proc.on('exit', (code) => {
      const text = output.replace(/\r\n/g, '\n');
      resolve({ code: code ?? -1, output: text, shown: shownText(text) });
    });
  });
}

/**
 * Registers a file written in place under the workspace's assets root (`copy: false`), typed by
 * its first folder unless `metadata` or the file's place says otherwise; returns its id.
 */
export async function registerInPlace(
  base: string,
  ws: { file(rel: string, content: string | Uint8Array): string },
  rel: string,
  bytes: Buffer | string,
  metadata: Record<string, unknown> = {},
  typed = true,
): Promise<string> {
  ws.file(`data/assets/${rel}`, bytes);
  const res = await api(base, 'POST', '/api/assets/register', {
    path: `data/assets/${rel}`,
    copy: false,
    ...(typed ? { asset_type: rel.split('/')[0] } : {}),
    metadata,
    wait: true,
  });
  if (res.status !== 200) throw new Error(`registering ${rel}: HTTP ${res.status} ${res.text}`);
  return res.body.asset_id as string;
}

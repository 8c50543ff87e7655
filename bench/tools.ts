/** Shared bench helpers: reference tools from Debian (installed on demand), timing, percentiles, servers. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const has = (binary: string): boolean => {
  try {
    execFileSync('bash', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Makes sure a reference tool is on PATH, installing its Debian package when we are root. */
export function ensureTool(binary: string, debianPackage: string): void {
  if (has(binary)) return;
  if (process.getuid?.() !== 0) throw new Error(`${binary} is missing: apt-get install ${debianPackage}`);
  process.stderr.write(`installing ${debianPackage} for the reference tool ${binary}...\n`);
  execFileSync(
    'bash',
    ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${debianPackage}`],
    {
      stdio: 'ignore',
    },
  );
  if (!has(binary)) throw new Error(`${binary} is still missing after installing ${debianPackage}`);
}

const removedAtExit: string[] = [];

/**
 * Removes a bench workspace when the run ends instead of now. On this machine's file system (ext4
 * without a journal) a file made within minutes of a mass deletion costs several times the kernel
 * time (the allocator skips every inode freed lately), so deleting one bench's tree just before the
 * next makes its files would charge the next one for it (bench/RESULTS.md, twenty-eighth session).
 */
export function removeAtExit(dir: string): void {
  if (!removedAtExit.length)
    process.once('exit', () => {
      for (const each of removedAtExit) fs.rmSync(each, { recursive: true, force: true });
    });
  removedAtExit.push(dir);
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function latencySummary(samples: number[]): {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Starts the built server (or the sources through tsx) in `cwd` on a free port. */
export async function startBenchServer(
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ url: string; pid: number; stop: () => void }> {
  const built = path.join(REPO, 'dist', 'cli', 'main.js');
  const args = fs.existsSync(built)
    ? [built, 'serve', '--port', '0']
    : ['--import', 'tsx', path.join(REPO, 'src', 'cli', 'main.ts'), 'serve', '--port', '0'];
  const proc = spawn(process.execPath, args, { cwd, env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/\S+) /.exec(stderr);
      if (m?.[1]) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  return { url, pid: proc.pid ?? 0, stop: () => proc.kill('SIGTERM') };
}

/** Resident and peak resident memory of a process, in MiB (Linux `/proc`). */
export function processMemory(pid: number): { rssMb: number; peakMb: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: Number.NaN, peakMb: Number.NaN };
  }
}

export interface Timed {
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds (user + system) of every process the command ran: a figure load moves less. */
  cpuSeconds: number;
  stdout: string;
}

/**
 * Times a shell command (its output discarded unless returned; its stderr too unless it fails).
 * `args` are passed to the command as "$@".
 */
export function timeShell(
  command: string,
  options: { args?: readonly string[]; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Timed {
  const t0 = performance.now();
  // bash's `times` prints the shell's and then its children's user and system time.
  const run = spawnSync(
    'bash',
    ['-c', `${command}\nstatus=$?; times >&2; exit $status`, 'bench', ...(options.args ?? [])],
    {
      cwd: options.cwd,
      env: options.env,
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const stderr = run.stderr.toString();
  if (run.status !== 0)
    throw new Error(`${command} failed (${run.status ?? run.signal}): ${stderr.slice(-2000)}`);
  const children = stderr.trim().split('\n').pop() ?? '';
  const cpuSeconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, [, minutes, secs]) => sum + Number(minutes) * 60 + Number(secs),
    0,
  );
  return { seconds, cpuSeconds, stdout: run.stdout.toString() };
}

/** Seeded PRNG (mulberry32): the same seed gives the same corpus on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keeps searching the server until `stop()` and returns the latencies in ms. */
export function searchProber(url: string, queries: string[]): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const t0 = performance.now();
      const res = await fetch(`${url}/api/assets/search?${queries[i % queries.length]}`);
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}

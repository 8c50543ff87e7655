/** Shared bench helpers: reference tools from Debian (installed on demand), timing, percentiles, servers. */
import { execFileSync, spawn } from 'node:child_process';
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
export async function startBenchServer(cwd: string): Promise<{ url: string; stop: () => void }> {
  const built = path.join(REPO, 'dist', 'cli', 'main.js');
  const args = fs.existsSync(built)
    ? [built, 'serve', '--port', '0']
    : ['--import', 'tsx', path.join(REPO, 'src', 'cli', 'main.ts'), 'serve', '--port', '0'];
  const proc = spawn(process.execPath, args, { cwd, env: { ...process.env, LOG_LEVEL: 'warn' } });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/\S+) /.exec(stderr);
      if (m?.[1]) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  return { url, stop: () => proc.kill('SIGTERM') };
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

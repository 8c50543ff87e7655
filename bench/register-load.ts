/**
 * Registration under load: N small files registered through the HTTP API by concurrent clients,
 * while a prober keeps searching. Reports registration throughput, search latency percentiles
 * during the load, and a reference in the same run: `sha256sum` + `cp` over the same files
 * (the least work any registry must do: read, hash, copy).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latencySummary, processMemory, removeAtExit, searchProber, startBenchServer } from './tools.js';

export interface RegisterLoadResult {
  files: number;
  clients: number;
  seconds: number;
  assetsPerSecond: number;
  referenceSeconds: number;
  /** Server memory after the load (resident, and its peak during the run), MiB. */
  serverRssMb: number;
  serverPeakRssMb: number;
  search: { count: number; p50: number; p95: number; p99: number; max: number };
}

export async function registerLoad(files: number, clients = 8): Promise<RegisterLoadResult> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'areg-bench-'));
  try {
    const incoming = path.join(ws, 'incoming');
    const names: string[] = [];
    for (let i = 0; i < files; i++) {
      const dir = path.join(incoming, `set${i % 50}`);
      if (i < 50) fs.mkdirSync(dir, { recursive: true });
      const name = `set${i % 50}/file-${i}.bin`;
      fs.writeFileSync(path.join(incoming, name), randomBytes(1024 + (i % 7) * 1024));
      names.push(name);
    }

    // Reference: hash and copy the same files with coreutils, in this process tree.
    const refOut = path.join(ws, 'ref-copy');
    const refStart = performance.now();
    execFileSync('bash', [
      '-c',
      `cd "${incoming}" && find . -type f -print0 | xargs -0 sha256sum >/dev/null && cp -r . "${refOut}"`,
    ]);
    const referenceSeconds = (performance.now() - refStart) / 1000;

    const server = await startBenchServer(ws);
    const prober = searchProber(server.url, [
      'q=file-1',
      'tags=bench&limit=50',
      'q=set4',
      'type=bench&sort=path&order=asc',
    ]);

    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < names.length) {
          const name = names[next++] as string;
          const res = await fetch(`${server.url}/api/assets/register`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              path: `incoming/${name}`,
              asset_type: 'bench',
              dest_path: `bench/${path.dirname(name)}`,
              metadata: { tags: ['bench', path.dirname(name)], license: 'CC0', notes: `bench file ${name}` },
            }),
          });
          if (res.status !== 200) throw new Error(`register ${name}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const latencies = await prober.stop();
    const memory = processMemory(server.pid);
    server.stop();
    return {
      files,
      clients,
      seconds,
      assetsPerSecond: files / seconds,
      referenceSeconds,
      serverRssMb: memory.rssMb,
      serverPeakRssMb: memory.peakMb,
      search: latencySummary(latencies),
    };
  } finally {
    removeAtExit(ws);
  }
}

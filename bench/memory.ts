/**
 * Memory with one big file (issue 6: "registering a 2 GB file keeps RSS under 150 MB"). The built
 * server registers (a) a file under its workspace with `POST /api/assets/register` (copy: true)
 * and (b) a same-size file of other bytes sent to `POST /api/assets/upload` as multipart, streamed
 * from disk by the client. The server's RSS (`/proc/<pid>/status` VmRSS, main thread and worker
 * threads together) is sampled every 50 ms during each operation. Reference in the same run:
 * `sha256sum` and `cp` of the same file under `/usr/bin/time -v` (time and peak RSS).
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ensureTool, processMemory, seededRandom, startBenchServer } from './tools.js';

const BLOCK = 64 * 1024 * 1024;
const PAGE = 4096;
const MiB = 1024 * 1024;

export interface MemoryRun {
  seconds: number;
  mbPerSecond: number;
  /** Server RSS just before the request, MiB. */
  baselineRssMb: number;
  /** Highest sampled VmRSS during the request, MiB. */
  peakRssMb: number;
  /** VmHWM (the kernel's own high-water mark since the server started) after the request, MiB. */
  hwmMb: number;
  samples: number;
  /** Upload only: seconds until the client had written the whole body (the rest is the server's register). */
  bodySentSeconds?: number;
  hash: string;
  hashMatches: boolean;
}

export interface MemoryBenchResult {
  bytes: number;
  generateSeconds: number;
  register: MemoryRun;
  upload: MemoryRun;
  reference: {
    sha256sumSeconds: number;
    sha256sumPeakMb: number;
    cpSeconds: number;
    cpPeakMb: number;
  };
}

/**
 * Writes `size` bytes of seeded pseudo-random data quickly: one 64 MiB random block, written
 * again and again with the block number and page number stamped into every 4 KiB page, so no two
 * pages are equal (nothing to dedupe) and the bytes stay incompressible.
 */
function writeBigFile(file: string, size: number, seed: number): void {
  const rand = seededRandom(seed);
  const block = Buffer.allocUnsafe(BLOCK);
  const words = new Uint32Array(block.buffer, block.byteOffset, BLOCK / 4);
  for (let i = 0; i < words.length; i++) words[i] = (rand() * 4294967296) >>> 0;
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0, n = 0; done < size; done += BLOCK, n++) {
      for (let p = 0; p < BLOCK; p += PAGE) {
        block.writeUInt32LE(n, p);
        block.writeUInt32LE(seed, p + 4);
      }
      const length = Math.min(BLOCK, size - done);
      for (let off = 0; off < length;) off += fs.writeSync(fd, block, off, length - off);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Samples a process's VmRSS every `intervalMs` until `stop()`; returns the peak and count. */
function rssSampler(pid: number, intervalMs = 50): { stop: () => { peakMb: number; samples: number } } {
  let peak = 0;
  let samples = 0;
  const sample = (): void => {
    const { rssMb } = processMemory(pid);
    if (Number.isFinite(rssMb)) {
      peak = Math.max(peak, rssMb);
      samples++;
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { peakMb: peak, samples };
    },
  };
}

/** Runs a command under `/usr/bin/time -v` (its report goes to `report`): wall seconds and peak RSS in MiB. */
function timed(command: string[], report: string): { seconds: number; peakMb: number; stdout: string } {
  const t0 = performance.now();
  const stdout = execFileSync('bash', ['-c', '/usr/bin/time -v -o "$0" "$@"', report, ...command], {
    encoding: 'utf8',
    maxBuffer: 16 * MiB,
  });
  const seconds = (performance.now() - t0) / 1000;
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(fs.readFileSync(report, 'utf8'))?.[1]);
  return { seconds, peakMb: kb / 1024, stdout };
}

/** Streams a multipart body (fields, then the file from disk) with node:http; never buffers the file. */
async function uploadMultipart(
  url: string,
  file: string,
  fields: Record<string, string>,
): Promise<{ status: number; body: string; sentMs: number }> {
  const boundary = `----bench${Date.now().toString(16)}`;
  let head = '';
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  head +=
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${path.basename(file)}"\r\n` +
    'content-type: application/octet-stream\r\n\r\n';
  const tail = `\r\n--${boundary}--\r\n`;
  const size = fs.statSync(file).size;
  const req = http.request(`${url}/api/assets/upload`, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': Buffer.byteLength(head) + size + Buffer.byteLength(tail),
    },
  });
  const t0 = performance.now();
  let sentMs = Number.NaN;
  const response = new Promise<{ status: number; body: string; sentMs: number }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sentMs }));
      res.on('error', reject);
    });
  });
  const send = (async () => {
    req.write(head);
    for await (const chunk of fs.createReadStream(file, { highWaterMark: MiB })) {
      if (!req.write(chunk as Buffer)) await once(req, 'drain');
    }
    req.end(tail, () => (sentMs = performance.now() - t0));
  })();
  // An early answer (e.g. 413) ends the exchange even if the body was not all sent (EPIPE).
  send.catch(() => undefined);
  return response;
}

const stripHash = (hash: string): string => hash.replace(/^sha256:/, '');

export async function memoryBench(bytes: number): Promise<MemoryBenchResult> {
  ensureTool('/usr/bin/time', 'time');
  ensureTool('sha256sum', 'coreutils');
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'areg-bench-mem-'));
  const report = path.join(ws, 'time-report.txt');
  const server: { stop?: () => void } = {};
  try {
    const incoming = path.join(ws, 'incoming');
    fs.mkdirSync(incoming);
    const registerFile = path.join(incoming, 'big-register.bin');
    const uploadFile = path.join(incoming, 'big-upload.bin');
    const g0 = performance.now();
    writeBigFile(registerFile, bytes, 0x2b_0001);
    writeBigFile(uploadFile, bytes, 0x2b_0002);
    const generateSeconds = (performance.now() - g0) / 1000;

    // Reference: the least work any registry must do with the file — read and hash it, copy it.
    const sha = timed(['sha256sum', registerFile], report);
    const expectedRegister = sha.stdout.split(/\s+/)[0] as string;
    const refCopy = path.join(ws, 'ref-copy.bin');
    const cp = timed(['cp', '--reflink=never', registerFile, refCopy], report);
    fs.rmSync(refCopy, { force: true });
    const expectedUpload = execFileSync('sha256sum', [uploadFile], { encoding: 'utf8' }).split(
      /\s+/,
    )[0] as string;

    const s = await startBenchServer(ws);
    server.stop = s.stop;
    // One small request first, so the baseline is a server that has answered something.
    await (await fetch(`${s.url}/api/assets/search?limit=1`)).arrayBuffer();
    await new Promise((r) => setTimeout(r, 500));

    const measure = async (
      send: () => Promise<{ status: number; body: string; sentMs?: number }>,
      expected: string,
      what: string,
    ): Promise<MemoryRun> => {
      const baselineRssMb = processMemory(s.pid).rssMb;
      const sampler = rssSampler(s.pid, 50);
      const t0 = performance.now();
      const res = await send();
      const seconds = (performance.now() - t0) / 1000;
      const { peakMb, samples } = sampler.stop();
      if (res.status !== 200) throw new Error(`${what}: ${res.status} ${res.body.slice(0, 500)}`);
      const json = JSON.parse(res.body) as { asset?: { hash?: string } };
      const hash = stripHash(String(json.asset?.hash ?? ''));
      return {
        seconds,
        mbPerSecond: bytes / MiB / seconds,
        baselineRssMb,
        peakRssMb: peakMb,
        hwmMb: processMemory(s.pid).peakMb,
        samples,
        ...(res.sentMs !== undefined ? { bodySentSeconds: res.sentMs / 1000 } : {}),
        hash,
        hashMatches: hash === expected,
      };
    };

    const register = await measure(
      async () => {
        const res = await fetch(`${s.url}/api/assets/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ path: 'incoming/big-register.bin', asset_type: 'bench', copy: true }),
        });
        return { status: res.status, body: await res.text() };
      },
      expectedRegister,
      'register',
    );
    // Free the disk before the next copy: the registered copy is no longer needed.
    fs.rmSync(registerFile, { force: true });
    await new Promise((r) => setTimeout(r, 500));

    const upload = await measure(
      () => uploadMultipart(s.url, uploadFile, { asset_type: 'bench', dest_path: 'uploads' }),
      expectedUpload,
      'upload',
    );

    return {
      bytes,
      generateSeconds,
      register,
      upload,
      reference: {
        sha256sumSeconds: sha.seconds,
        sha256sumPeakMb: sha.peakMb,
        cpSeconds: cp.seconds,
        cpPeakMb: cp.peakMb,
      },
    };
  } finally {
    server.stop?.();
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

/**
 * Thumbnails: a generated corpus of photo-sized JPEG and PNG images.
 * 1. Throughput of our worker pool (both sizes from one decode, all cores) against
 *    `vipsthumbnail` (Debian libvips-tools) run once per size over the same files (over an even
 *    sample of at most 250 of them: the reference is ~5× slower and its rate is what counts).
 * 2. Search latency of a live server while its preview queue works through the same corpus.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { WorkerPool } from '../src/workers/pool.js';
import { ensureTool, latencySummary, removeAtExit, searchProber, startBenchServer } from './tools.js';

export interface ThumbnailBenchResult {
  images: number;
  oursSeconds: number;
  /** Images the reference thumbnailed (a sample) and its time for them. */
  vipsImages: number;
  vipsSeconds: number;
  serverSeconds: number;
  search: ReturnType<typeof latencySummary>;
}

/** Deterministic photo-like content: smooth gradients with seeded grain (compresses like a photo). */
async function makeImage(file: string, width: number, height: number, seed: number): Promise<void> {
  const channels = 3;
  const data = Buffer.alloc(width * height * channels);
  let state = seed * 2654435761;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      state = (state * 1103515245 + 12345) >>> 0;
      const grain = (state >>> 24) % 24;
      const i = (y * width + x) * channels;
      data[i] = ((x * 255) / width + seed * 13 + grain) & 255;
      data[i + 1] = ((y * 255) / height + seed * 7 + grain) & 255;
      data[i + 2] = (((x + y) * 128) / (width + height) + seed * 29 + grain) & 255;
    }
  }
  const image = sharp(data, { raw: { width, height, channels } });
  await (file.endsWith('.png') ? image.png({ compressionLevel: 6 }) : image.jpeg({ quality: 88 })).toFile(
    file,
  );
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The same pixels with a unique comment (a JPEG COM segment or a PNG tEXt chunk), so every file
 * has its own hash and the registry does not dedupe the corpus away.
 */
function uniqueCopy(source: Buffer, png: boolean, label: string): Buffer {
  const text = Buffer.from(label, 'latin1');
  if (!png) {
    const com = Buffer.alloc(4);
    com.writeUInt16BE(0xfffe, 0);
    com.writeUInt16BE(text.length + 2, 2);
    return Buffer.concat([source.subarray(0, 2), com, text, source.subarray(2)]);
  }
  const body = Buffer.concat([Buffer.from('tEXt'), Buffer.from('Comment\0'), text]);
  const chunk = Buffer.alloc(body.length + 8);
  chunk.writeUInt32BE(body.length - 4, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), body.length + 4);
  const ihdrEnd = 8 + 25; // signature + IHDR chunk
  return Buffer.concat([source.subarray(0, ihdrEnd), chunk, source.subarray(ihdrEnd)]);
}

export async function thumbnailBench(count: number): Promise<ThumbnailBenchResult> {
  ensureTool('vipsthumbnail', 'libvips-tools');
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'areg-thumbs-'));
  try {
    const corpus = path.join(ws, 'data', 'assets', 'photos');
    fs.mkdirSync(corpus, { recursive: true });
    // 16 distinct 12 MP / 6 MP sources, each file a unique copy of one (decode work is the same).
    const variants: string[] = [];
    for (let v = 0; v < 16; v++) {
      const file = path.join(ws, `variant-${v}.${v % 4 === 0 ? 'png' : 'jpg'}`);
      await makeImage(file, v % 2 ? 4000 : 3000, v % 2 ? 3000 : 2000, v + 1);
      variants.push(file);
    }
    const sources = variants.map((file) => fs.readFileSync(file));
    const files: string[] = [];
    for (let i = 0; i < count; i++) {
      const src = variants[i % variants.length] as string;
      const file = path.join(corpus, `photo-${String(i).padStart(5, '0')}${path.extname(src)}`);
      fs.writeFileSync(
        file,
        uniqueCopy(sources[i % sources.length] as Buffer, src.endsWith('.png'), `bench ${i}`),
      );
      files.push(file);
    }

    // Ours: the preview worker pool, both sizes from one decode.
    const outDir = path.join(ws, 'ours');
    fs.mkdirSync(outDir);
    const pool = new WorkerPool();
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: pool.previewThreads }, async () => {
        while (next < files.length) {
          const file = files[next++] as string;
          const base = path.join(outDir, path.basename(file, path.extname(file)));
          const format = file.endsWith('.png') ? 'png' : 'jpg';
          await pool.thumbnail({
            source: file,
            outputs: { '256': `${base}_256.${format}`, '512': `${base}_512.${format}` },
            format,
            limitInputPixels: 100_000_000,
          });
        }
      }),
    );
    const oursSeconds = (performance.now() - t0) / 1000;
    await pool.close();

    // Reference: vipsthumbnail, once per size, over the same files (it threads internally).
    const vipsOut = path.join(ws, 'vips');
    fs.mkdirSync(vipsOut);
    const step = Math.max(1, Math.floor(files.length / 250));
    const sample = files.filter((_, i) => i % step === 0);
    const t1 = performance.now();
    for (const size of [256, 512]) {
      for (let i = 0; i < sample.length; i += 200) {
        execFileSync('vipsthumbnail', [
          '--size',
          `${size}x${size}`,
          '-o',
          `${vipsOut}/%s_${size}.png`,
          ...sample.slice(i, i + 200),
        ]);
      }
    }
    const vipsSeconds = (performance.now() - t1) / 1000;

    // A live server making the same previews while it answers searches.
    const server = await startBenchServer(ws);
    const prober = searchProber(server.url, ['q=photo-00', 'type=photos&limit=50', 'q=jpg&sort=bytes']);
    const t2 = performance.now();
    for (let i = 0; i < files.length; i += 25) {
      await Promise.all(
        files.slice(i, i + 25).map(async (file) => {
          const res = await fetch(`${server.url}/api/assets/register`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              path: path.relative(ws, file),
              copy: false,
              metadata: { tags: ['bench'] },
            }),
          });
          await res.arrayBuffer();
        }),
      );
    }
    for (;;) {
      const status = (await (await fetch(`${server.url}/api/previews`)).json()) as {
        counts: Record<string, number>;
      };
      if (!status.counts.queued && !status.counts.running) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const serverSeconds = (performance.now() - t2) / 1000;
    const latencies = await prober.stop();
    server.stop();
    return {
      images: count,
      oursSeconds,
      vipsImages: sample.length,
      vipsSeconds,
      serverSeconds,
      search: latencySummary(latencies),
    };
  } finally {
    removeAtExit(ws);
  }
}

/**
 * `npm run bench [-- --quick]`: runs the benchmarks and prints a table of figures and ratios
 * against reference tools run in the same invocation. Never part of the test suite.
 */
import os from 'node:os';
import { registerLoad } from './register-load.js';
import { thumbnailBench } from './thumbnails.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const rows: string[][] = [];
const ms = (v: number): string => `${v.toFixed(1)} ms`;

if (!only || only === 'register') {
  const files = quick ? 2_000 : 10_000;
  process.stderr.write(`register: ${files} files through the API (8 clients) while searching...\n`);
  const r = await registerLoad(files, 8);
  rows.push([
    `register ${r.files} small files via API`,
    `${r.seconds.toFixed(2)} s (${r.assetsPerSecond.toFixed(0)} assets/s)`,
    `sha256sum + cp: ${r.referenceSeconds.toFixed(2)} s`,
    `${(r.seconds / r.referenceSeconds).toFixed(1)}× slower`,
  ]);
  rows.push([
    `search while registering (${r.search.count} queries)`,
    `p50 ${ms(r.search.p50)}, p95 ${ms(r.search.p95)}, p99 ${ms(r.search.p99)}`,
    'target: p95 < 50 ms',
    r.search.p95 < 50 ? 'met' : 'NOT met',
  ]);
}

if (!only || only === 'thumbnails') {
  const images = quick ? 100 : 1_000;
  process.stderr.write(`thumbnails: ${images} photo-sized images, ours vs vipsthumbnail...\n`);
  const t = await thumbnailBench(images);
  rows.push([
    `thumbnail ${t.images} images (256 + 512)`,
    `${(t.images / t.oursSeconds).toFixed(1)} images/s (${t.oursSeconds.toFixed(1)} s)`,
    `vipsthumbnail ×2 sizes: ${(t.images / t.vipsSeconds).toFixed(1)} images/s (${t.vipsSeconds.toFixed(1)} s)`,
    `${(t.vipsSeconds / t.oursSeconds).toFixed(2)}× the reference's speed`,
  ]);
  rows.push([
    `search while the server makes ${t.images} previews (${t.search.count} queries, ${t.serverSeconds.toFixed(1)} s)`,
    `p50 ${ms(t.search.p50)}, p95 ${ms(t.search.p95)}, p99 ${ms(t.search.p99)}`,
    'target: p95 < 50 ms',
    t.search.p95 < 50 ? 'met' : 'NOT met',
  ]);
}

console.log(
  `\nAsset Registry benchmarks — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}\n`,
);
console.log('| benchmark | ours | reference (same run) | ratio / target |');
console.log('| --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

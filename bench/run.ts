/**
 * `npm run bench [-- --quick]`: runs the benchmarks and prints a table of figures and ratios
 * against reference tools run in the same invocation. Never part of the test suite.
 */
import os from 'node:os';
import { registerLoad } from './register-load.js';

const quick = process.argv.includes('--quick');

function row(cells: Array<string | number>): string {
  return `| ${cells.map((c) => (typeof c === 'number' ? c.toFixed(c < 10 ? 2 : 0) : c)).join(' | ')} |`;
}

const files = quick ? 2_000 : 10_000;
process.stderr.write(`registering ${files} files through the API (8 clients) while searching...\n`);
const load = await registerLoad(files, 8);

console.log(`\nAsset Registry benchmarks — ${new Date().toISOString()} — ${os.cpus().length} cores, node ${process.version}\n`);
console.log(row(['benchmark', 'figure', 'reference', 'ratio (ours / reference)']));
console.log(row(['---', '---', '---', '---']));
console.log(
  row([
    `register ${load.files} files via API`,
    `${load.seconds.toFixed(2)} s (${load.assetsPerSecond.toFixed(0)} assets/s)`,
    `sha256sum + cp: ${load.referenceSeconds.toFixed(2)} s`,
    `${(load.seconds / load.referenceSeconds).toFixed(1)}×`,
  ]),
);
console.log(
  row([
    `search during registration (${load.search.count} queries)`,
    `p50 ${load.search.p50.toFixed(1)} ms, p95 ${load.search.p95.toFixed(1)} ms, p99 ${load.search.p99.toFixed(1)} ms`,
    'target p95 < 50 ms',
    load.search.p95 < 50 ? 'met' : 'NOT met',
  ]),
);

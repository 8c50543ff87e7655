/**
 * Damaged files against every decoder the previews run in JavaScript (BMP, TGA, PSD, DDS,
 * OpenEXR): each file cut short at many points, and with bytes overwritten, must decode or be
 * refused with an error, never hang (parse-exr looped for good on a cut file). Run in a child
 * process with a time limit, so a decoder stuck in a loop fails the test instead of hanging it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const decoder = new URL('../../src/previews/decode-image.ts', import.meta.url).href;
const media = new URL('../helpers/media.ts', import.meta.url).href;

const script = `
import { decodeImage } from ${JSON.stringify(decoder)};
import { makeBmp, makeDds, makeExr, makePsd, makeTga } from ${JSON.stringify(media)};
const top = { r: 200, g: 40, b: 10 };
const bottom = { r: 10, g: 60, b: 220 };
const files = {
  '.bmp': makeBmp(24, 16, top, bottom),
  '.tga': makeTga(24, 16, top, bottom),
  '.psd': makePsd(24, 16, top, bottom),
  '.dds': makeDds(24, 16, (_x, y) => (y < 8 ? top : bottom), 'dxt1'),
  '.exr': makeExr(24, 16, (x) => ({ r: x / 24, g: 0.5, b: 0.1 })),
};
files['.dds32'] = makeDds(24, 16, (_x, y) => (y < 8 ? top : bottom), 'bgra32');
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const counts = {};
for (const [key, whole] of Object.entries(files)) {
  const ext = key.slice(0, 4);
  const tally = (counts[key] = { decoded: 0, refused: 0 });
  const attempt = async (bytes) => {
    try {
      await decodeImage(ext, bytes, 1e6);
      tally.decoded++;
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('not a readable')) throw err;
      tally.refused++;
    }
  };
  await attempt(whole);
  if (tally.decoded !== 1) throw new Error(key + ': the whole file did not decode');
  for (let cut = 0; cut < whole.length; cut += Math.max(1, Math.floor(whole.length / 60))) await attempt(whole.subarray(0, cut));
  for (let round = 0; round < 150; round++) {
    const bytes = Buffer.from(whole);
    for (let n = 0; n < 4; n++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    await attempt(bytes);
  }
}
process.stdout.write(JSON.stringify(counts));
`;

test('BMP, TGA, PSD, DDS and OpenEXR decoders refuse damaged files with a reason, and never hang', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(run.signal, null, `a decoder did not finish within 120 s (${run.stderr.slice(-500)})`);
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  const counts = JSON.parse(run.stdout) as Record<string, { decoded: number; refused: number }>;
  for (const [format, { decoded, refused }] of Object.entries(counts)) {
    assert.ok(refused > 0, `${format}: no damaged file was refused (${decoded} decoded)`);
    assert.ok(decoded > 0, `${format}: the whole file did not decode`);
  }
});

/**
 * Photoshop files previewed from their merged image alone (previews/psd.ts): the same pixels as
 * ag-psd reading the whole file, its transparency kept (the white matte taken out of its edges),
 * a large layer section never read, and a file cut short refused saying so.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeImage } from '../../src/previews/decode-image.js';
import { psdWithoutLayers } from '../../src/previews/psd.js';
import { makePsd } from '../helpers/media.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
before(() => (ws = makeWorkspace()));
after(() => ws.cleanup());

const top = { r: 200, g: 40, b: 10 };
const bottom = { r: 10, g: 60, b: 220 };

/** The pixels ag-psd makes of the whole file, and of what psdWithoutLayers reads of it. */
async function bothWays(
  name: string,
  bytes: Buffer,
): Promise<{ whole: Uint8Array; slim: Uint8Array; read: number }> {
  const file = ws.file(name, bytes);
  const slim = await psdWithoutLayers(file, 1e9);
  return {
    whole: (await decodeImage('.psd', bytes, 1e8)).data,
    slim: (await decodeImage('.psd', slim, 1e8)).data,
    read: slim.length,
  };
}

test('the merged image alone decodes to the same pixels as the whole file', async () => {
  const { whole, slim } = await bothWays('plain.psd', makePsd(24, 16, top, bottom));
  assert.deepEqual(slim, whole);
  assert.deepEqual([...slim.subarray(0, 4)], [200, 40, 10, 255]);
});

test('a merged image with transparency keeps it, edges unmatted as from the whole file', async () => {
  const { whole, slim } = await bothWays('sprite.psd', makePsd(24, 16, top, bottom, { alpha: 128 }));
  assert.deepEqual(slim, whole);
  // Half opaque, and the colour unmatted from white (not the stored 200, 40, 10 over white).
  assert.equal(slim[3], 128);
  assert.notDeepEqual([...slim.subarray(0, 3)], [200, 40, 10]);
});

test("Photoshop's large document format (PSB) too", async () => {
  const sprite = await bothWays('sprite.psb', makePsd(24, 16, top, bottom, { alpha: 128, large: true }));
  assert.deepEqual(sprite.slim, sprite.whole);
  assert.equal(sprite.slim[3], 128);
  const layered = await bothWays(
    'layered.psb',
    makePsd(24, 16, top, bottom, { layerBytes: 1 << 20, large: true }),
  );
  assert.deepEqual(layered.slim, layered.whole);
  assert.ok(layered.read < 4096);
});

test('a large layer section is skipped, not read', async () => {
  const layerBytes = 20 * 1024 * 1024;
  const bytes = makePsd(24, 16, top, bottom, { layerBytes });
  const { whole, slim, read } = await bothWays('layered.psd', bytes);
  assert.deepEqual(slim, whole);
  assert.ok(bytes.length > layerBytes && read < 4096, `${read} of ${bytes.length} bytes read`);
});

test('a file cut short, or no PSD, is refused saying so', async () => {
  const bytes = makePsd(24, 16, top, bottom, { layerBytes: 4096 });
  for (const cut of [10, 28, 40, 2000, 4096 + 30]) {
    const file = ws.file(`cut-${cut}.psd`, bytes.subarray(0, cut));
    await assert.rejects(
      psdWithoutLayers(file, 1e9),
      /^Error: not a readable PSD image: it is cut short/,
      `cut at ${cut}`,
    );
  }
  await assert.rejects(
    psdWithoutLayers(ws.file('not.psd', Buffer.from('GIF89a and more bytes than a header holds')), 1e9),
    /does not start with "8BPS"/,
  );
  const big = ws.file('big.psd', makePsd(24, 16, top, bottom));
  await assert.rejects(
    psdWithoutLayers(big, 100),
    /its merged image is \d+ bytes, more than the 100 previewed/,
  );
  assert.ok(fs.existsSync(path.join(ws.dir, 'big.psd')));
});

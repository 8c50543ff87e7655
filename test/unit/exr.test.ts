/**
 * OpenEXR files cut short anywhere are refused with the reason, never handed to the decoder
 * (which reads a damaged file in a loop that does not end): previews/exr.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeImage } from '../../src/previews/decode-image.js';
import { makeExr } from '../helpers/media.js';

test('an OpenEXR file cut at any point fails saying so; whole, it decodes', async () => {
  const whole = makeExr(8, 20, (x) => ({ r: x / 8, g: 0.5, b: 0 }));
  const image = await decodeImage('.exr', whole, 1e8);
  assert.deepEqual([image.width, image.height, image.data.length], [8, 20, 8 * 20 * 4]);
  for (let cut = 0; cut < whole.length; cut += 37) {
    await assert.rejects(
      decodeImage('.exr', whole.subarray(0, cut), 1e8),
      /^Error: not a readable OpenEXR image: (it does not start|its header is cut short|its chunk table is cut short|its pixel data is cut short)/,
      `cut at ${cut} of ${whole.length}`,
    );
  }
  const tiled = Buffer.from(whole);
  tiled.writeUInt32LE(2 | 0x200, 4);
  await assert.rejects(
    decodeImage('.exr', tiled, 1e8),
    /tiled, deep and multi-part OpenEXR files are not previewed/,
  );
});

test('a header attribute of a type the decoder does not know is skipped without a word on the console', async () => {
  const exr = makeExr(4, 4, () => ({ r: 1, g: 1, b: 1 }), false, [
    { name: 'studioNotes', type: 'studioBlob', value: Buffer.from('kept by a pipeline tool') },
  ]);
  const written: unknown[] = [];
  const { warn, error } = console;
  console.warn = console.error = (...args: unknown[]): void => void written.push(args);
  try {
    const image = await decodeImage('.exr', exr, 1e8);
    assert.deepEqual([image.width, image.height, image.data[0]], [4, 4, 255]);
  } finally {
    console.warn = warn;
    console.error = error;
  }
  assert.deepEqual(written, [], 'parse-exr wrote to the console');
  assert.equal(console.warn, warn, 'the console is given back');
});

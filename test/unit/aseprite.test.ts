/**
 * Aseprite sprites' first frame (src/previews/aseprite.ts), from files written by the format's
 * specification (test/helpers/media.ts): visible layers composed bottom to top with their
 * opacities, hidden layers and hidden groups left out, raw and compressed cels, RGBA, grayscale
 * and indexed sprites, and damaged files refused with a reason.
 */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { test } from 'node:test';
import { refusal } from '../helpers/refusal.js';
import { asepritePixels } from '../../src/previews/aseprite.js';
import { fill, makeAseprite } from '../helpers/media.js';

/** What asepritePixels says of a file it refuses ('decoded' when it does not). */
const refused = (file: Buffer): string => refusal(() => asepritePixels(file));

const at = (image: { width: number; data: Uint8Array }, x: number, y: number): number[] => [
  ...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4),
];

test('RGBA: visible layers over each other, opacities applied; hidden layers and hidden groups left out', () => {
  const image = asepritePixels(
    makeAseprite({
      width: 8,
      height: 6,
      depth: 32,
      layers: [
        { name: 'paper', background: true },
        { name: 'sketch', visible: false },
        { name: 'ink', opacity: 128 },
        { name: 'old', group: true, visible: false },
        { name: 'inside', level: 1 },
      ],
      cels: [
        { layer: 0, x: 0, y: 0, width: 8, height: 6, pixels: fill(48, 200, 0, 0, 255) },
        { layer: 1, x: 0, y: 0, width: 8, height: 6, pixels: fill(48, 0, 255, 0, 255) },
        // Half the layer's opacity: blue half over red.
        { layer: 2, x: 3, y: 2, width: 2, height: 2, pixels: fill(4, 0, 0, 255, 255), compressed: true },
        { layer: 4, x: 0, y: 0, width: 1, height: 1, pixels: fill(1, 255, 255, 255, 255) },
      ],
    }),
  );
  assert.deepEqual([image.width, image.height, image.frames], [8, 6, undefined], 'one frame: a still');
  assert.deepEqual(at(image, 0, 0), [200, 0, 0, 255], 'the hidden group and the hidden layer are not drawn');
  assert.deepEqual(at(image, 7, 5), [200, 0, 0, 255]);
  // 128/255 of blue over red: (0 × 0.502 + 200 × 0.498, 0, 255 × 0.502 + 0).
  assert.deepEqual(at(image, 3, 2), [100, 0, 128, 255]);
  assert.deepEqual(at(image, 4, 3), [100, 0, 128, 255]);
  assert.deepEqual(at(image, 5, 3), [200, 0, 0, 255]);
});

test('indexed: the palette gives the colours, the transparent index shows what is below', () => {
  const image = asepritePixels(
    makeAseprite({
      width: 4,
      height: 1,
      depth: 8,
      palette: [
        [0, 0, 0, 0],
        [250, 20, 20, 255],
        [20, 20, 250, 255],
      ],
      transparentIndex: 0,
      layers: [{ name: 'ground', background: true }, { name: 'sprite' }],
      cels: [
        { layer: 0, x: 0, y: 0, width: 4, height: 1, pixels: Buffer.from([2, 2, 2, 0]) },
        { layer: 1, x: 0, y: 0, width: 4, height: 1, pixels: Buffer.from([1, 0, 1, 0]), compressed: true },
      ],
    }),
  );
  // On the sprite layer index 0 is transparent: the pixel below shows (the ground's blue, or its
  // own index 0, whose palette entry is clear).
  assert.deepEqual(
    [0, 1, 2, 3].map((x) => at(image, x, 0)),
    [
      [250, 20, 20, 255],
      [20, 20, 250, 255],
      [250, 20, 20, 255],
      [0, 0, 0, 0],
    ],
  );
});

test('grayscale: value and alpha; a cel partly off the canvas is cut', () => {
  const image = asepritePixels(
    makeAseprite({
      width: 3,
      height: 3,
      depth: 16,
      frames: 3,
      layers: [{ name: 'shade' }],
      cels: [{ layer: 0, x: 1, y: 1, width: 4, height: 4, pixels: fill(16, 90, 255) }],
    }),
  );
  assert.equal(image.frames, 3, 'an animation says how many frames it has (the first is drawn)');
  assert.deepEqual(at(image, 0, 0), [0, 0, 0, 0]);
  assert.deepEqual(at(image, 1, 1), [90, 90, 90, 255]);
  assert.deepEqual(at(image, 2, 2), [90, 90, 90, 255]);
});

test('a cel whose data inflates past its size, a file cut short or no sprite at all is refused with the reason', () => {
  const sprite = (pixels: Buffer): Buffer =>
    makeAseprite({
      width: 4,
      height: 4,
      depth: 32,
      layers: [{ name: 'a' }],
      cels: [{ layer: 0, x: 0, y: 0, width: 2, height: 2, pixels, compressed: true }],
    });
  // 2 × 2 RGBA is 16 bytes: a stream of a megabyte is refused as it inflates.
  assert.match(
    refused(sprite(Buffer.alloc(1 << 20))),
    /^a cel's compressed pixels do not inflate to its size/,
  );
  assert.ok(zlib.deflateSync(Buffer.alloc(1 << 20)).length < 2000, '(a small file)');
  const whole = sprite(fill(4, 1, 2, 3, 255));
  assert.equal(refused(whole), 'decoded');
  assert.match(refused(whole.subarray(0, 150)), /^a chunk at byte 144 runs past its frame$/);
  assert.equal(refused(whole.subarray(0, 100)), 'the file is too short to hold an Aseprite header');
  assert.equal(refused(Buffer.alloc(200)), 'it has no Aseprite header (magic number 0xA5E0)');
});

/**
 * Aseprite sprites' frames (src/previews/aseprite.ts), from files written by the format's
 * specification (test/helpers/media.ts): visible layers composed bottom to top with their
 * opacities, hidden layers and hidden groups left out, raw, compressed and linked cels, frame
 * durations, RGBA, grayscale and indexed sprites, and damaged files refused with a reason.
 */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { test } from 'node:test';
import { refusal } from '../helpers/refusal.js';
import { asepriteFrames, asepriteImage } from '../../src/previews/aseprite.js';
import { framesToPlay, loopSeconds } from '../../src/previews/animation.js';
import { fill, makeAseprite } from '../helpers/media.js';

/** What asepriteImage says of a file it refuses ('decoded' when it does not). */
const refused = (file: Buffer): string => refusal(() => asepriteImage(file));

const at = (image: { width: number; data: Uint8Array }, x: number, y: number): number[] => [
  ...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4),
];

test('RGBA: visible layers over each other, opacities applied; hidden layers and hidden groups left out', () => {
  const image = asepriteImage(
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
  const image = asepriteImage(
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
  const image = asepriteImage(
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

test("an animation: each frame its own cels, a linked cel repeating an earlier frame's, each frame its duration", () => {
  const red = fill(16, 200, 0, 0, 255);
  const sprite = makeAseprite({
    width: 4,
    height: 4,
    depth: 32,
    duration: 80,
    layers: [{ name: 'body', background: true }, { name: 'eyes' }],
    cels: [
      { layer: 0, x: 0, y: 0, width: 4, height: 4, pixels: red },
      { layer: 1, x: 1, y: 1, width: 1, height: 1, pixels: fill(1, 0, 0, 255, 255) },
    ],
    later: [
      // The body unchanged (linked to frame 0), the eyes moved one pixel right.
      {
        duration: 120,
        cels: [
          { layer: 0, link: 0 },
          { layer: 1, x: 2, y: 1, width: 1, height: 1, pixels: fill(1, 0, 255, 0, 255) },
        ],
      },
      // The eyes only: no body cel in this frame, so no body is drawn.
      { duration: 0, cels: [{ layer: 1, link: 1 }] },
    ],
    frames: 5,
  });
  const all = asepriteFrames(sprite, 10);
  assert.deepEqual([all.total, all.delays], [5, [80, 120, 0, 100, 100]]);
  assert.equal(all.data.length, 5 * 4 * 4 * 4, 'five frames decoded, one below the other');
  const frame = (n: number) => ({ width: 4, data: all.data.subarray(n * 64, (n + 1) * 64) });
  assert.deepEqual(
    [at(frame(0), 1, 1), at(frame(0), 2, 1)],
    [
      [0, 0, 255, 255],
      [200, 0, 0, 255],
    ],
  );
  assert.deepEqual(
    [at(frame(1), 1, 1), at(frame(1), 2, 1)],
    [
      [200, 0, 0, 255],
      [0, 255, 0, 255],
    ],
  );
  assert.deepEqual(
    [at(frame(2), 0, 0), at(frame(2), 2, 1)],
    [
      [0, 0, 0, 0],
      [0, 255, 0, 255],
    ],
  );
  assert.deepEqual(at(frame(4), 2, 1), [0, 0, 0, 0], 'an empty frame is empty');

  const image = asepriteImage(sprite);
  assert.equal(image.data.length, 64, 'the first frame is the picture');
  assert.equal(image.frames, 5);
  // 0 ms plays as 100 ms, as browsers play GIFs: 80 + 120 + 100 + 100 + 100.
  assert.deepEqual([image.animation?.delays, image.animation?.duration], [[80, 120, 100, 100, 100], 0.5]);

  // Cut inside its third frame: the first two play, the sprite still previews.
  const cut = asepriteFrames(sprite.subarray(0, sprite.length - 16 * 2 - 10), 10);
  assert.deepEqual([cut.total, cut.data.length, cut.delays], [5, 2 * 64, [80, 120]]);
  assert.equal(asepriteImage(sprite.subarray(0, sprite.length - 16 * 2 - 10)).animation?.data.length, 128);

  const firstTwo = asepriteFrames(sprite, 2);
  assert.equal(firstTwo.data.length, 2 * 64, 'only the frames asked for are decoded');
  assert.deepEqual(firstTwo.delays, [80, 120, 0, 100, 100], "every frame's duration still, from its header");
});

test('how much of an animation plays: at most 500 frames and 100 million source pixels; delays as browsers play them', () => {
  assert.equal(framesToPlay(8, 64, 64), 8);
  assert.equal(framesToPlay(2000, 16, 16), 500);
  assert.equal(framesToPlay(300, 1920, 1080), 48);
  assert.equal(framesToPlay(3, 20_000, 20_000), 1, 'a huge frame still plays one');
  assert.equal(loopSeconds([40, 0, 5], 3), 0.24, '0 and 5 ms count as 100');
  assert.equal(loopSeconds([], 12), 1.2, 'no delays said: 100 ms each');
});

/**
 * DDS textures' pixels (src/previews/dds.ts), from blocks written by the formats' specifications
 * (test/helpers/media.ts): BC7's interpolation and pixel order, BC4 as grey, BC5 as a normal map,
 * a DX10 header's 8-bit BGRA, and the formats refused by name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusal } from '../helpers/refusal.js';
import { ddsPixels } from '../../src/previews/dds.js';
import { bc7Mode6Block, ddsFile } from '../helpers/media.js';

/** Pixel `i`'s RGBA. */
/** What ddsPixels says of a file it refuses ('decoded' when it does not). */
const refused = (file: Buffer): string => refusal(() => ddsPixels(file));

const pixel = (data: Uint8Array, i: number): number[] => [...data.subarray(i * 4, i * 4 + 4)];

test('BC7: each pixel takes its index in row order, between the endpoints by the 4-bit weights', () => {
  const black = { r: 0, g: 0, b: 0, a: 0 };
  const white = { r: 254, g: 254, b: 254, a: 254 };
  const ramp = Array.from({ length: 16 }, (_, i) => i); // pixel i: index i
  const { width, height, data } = ddsPixels(ddsFile(4, 4, { dxgi: 98 }, bc7Mode6Block(black, white, ramp)));
  assert.deepEqual([width, height], [4, 4]);
  // The specification's weights (of 64) for 4-bit indices: ((64 - w) * e0 + w * e1 + 32) >> 6.
  const weights = [0, 4, 9, 13, 17, 21, 26, 30, 34, 38, 43, 47, 51, 55, 60, 64];
  const expected = weights.map((w) => (w * 254 + 32) >> 6);
  assert.deepEqual(
    ramp.map((i) => pixel(data, i)),
    expected.map((v) => [v, v, v, v]),
  );
});

test('BC7: a texture of several blocks is laid out block by block, and a size not a multiple of 4 is cut', () => {
  const colours = [
    { r: 201, g: 31, b: 45, a: 255 },
    { r: 11, g: 61, b: 221, a: 255 },
    { r: 20, g: 200, b: 60, a: 128 },
    { r: 255, g: 255, b: 255, a: 255 },
  ];
  const blocks = Buffer.concat(colours.map((c) => bc7Mode6Block(c, c, new Array<number>(16).fill(0))));
  // 6 × 7 pixels: 2 × 2 blocks, the right and bottom ones partly outside.
  const { width, height, data } = ddsPixels(ddsFile(6, 7, { dxgi: 99 }, blocks));
  assert.deepEqual([width, height, data.length], [6, 7, 6 * 7 * 4]);
  const at = (x: number, y: number): number[] => pixel(data, y * 6 + x);
  const rgba = ({ r, g, b, a }: (typeof colours)[number]): number[] => [r, g, b, a];
  assert.deepEqual(
    [at(0, 0), at(5, 0), at(0, 6), at(5, 6), at(3, 3), at(4, 4)],
    [colours[0], colours[1], colours[2], colours[3], colours[0], colours[3]].map((c) => rgba(c!)),
  );
});

test('BC4 is grey; BC5, a normal map, gets the blue its normal implies', () => {
  // BC4: endpoints 200 and 10, every index 0: all 200.
  const bc4 = Buffer.from([200, 10, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(pixel(ddsPixels(ddsFile(4, 4, { fourCC: 'ATI1' }, bc4)).data, 5), [200, 200, 200, 255]);
  assert.deepEqual(pixel(ddsPixels(ddsFile(4, 4, { dxgi: 80 }, bc4)).data, 15), [200, 200, 200, 255]);
  // BC5: a normal straight out of the surface (x = y = 0, stored as 128) is (128, 128, 255).
  const flat = Buffer.from([128, 128, 0, 0, 0, 0, 0, 0, 128, 128, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(pixel(ddsPixels(ddsFile(4, 4, { fourCC: 'ATI2' }, flat)).data, 0), [128, 128, 255, 255]);
  // Tilted all the way along x (255, 128): no z left, blue at the middle.
  const tilted = Buffer.from([255, 255, 0, 0, 0, 0, 0, 0, 128, 128, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(pixel(ddsPixels(ddsFile(4, 4, { dxgi: 83 }, tilted)).data, 0), [255, 128, 128, 255]);
});

test("a DX10 header's uncompressed 8-bit pixels are read in their channel order", () => {
  const bgra = Buffer.from([10, 20, 30, 40, 50, 60, 70, 80]);
  assert.deepEqual([...ddsPixels(ddsFile(2, 1, { dxgi: 87 }, bgra)).data], [30, 20, 10, 40, 70, 60, 50, 80]);
  assert.deepEqual([...ddsPixels(ddsFile(2, 1, { dxgi: 28 }, bgra)).data], [...bgra]);
});

test('formats the preview cannot show are refused by name; data shorter than the size too', () => {
  const blocks = Buffer.alloc(16);
  assert.equal(
    refused(ddsFile(4, 4, { dxgi: 95 }, blocks)),
    'its pixels are HDR (BC6H), which is not previewed yet',
  );
  assert.equal(
    refused(ddsFile(4, 4, { dxgi: 84 }, blocks)),
    'its pixels are signed BC5 (SNORM), which is not previewed yet',
  );
  assert.equal(refused(ddsFile(4, 4, { fourCC: 116 }, blocks)), 'its float pixels are not previewed yet');
  assert.equal(
    refused(ddsFile(4, 4, { dxgi: 61 }, blocks)),
    'its DX10 pixel format (DXGI 61) is not previewed (BC1-BC5, BC7 and 8-bit RGBA are)',
  );
  assert.equal(
    refused(ddsFile(4, 4, { fourCC: 'ETC1' }, blocks)),
    'its pixel format "ETC1" is not previewed (DXT1, DXT3, DXT5, BC4, BC5 and BC7 are)',
  );
  assert.equal(refused(ddsFile(8, 8, { dxgi: 98 }, blocks)), 'its pixel data is shorter than its size');
  assert.equal(
    refused(ddsFile(4, 4, { fourCC: 'DX10' }, Buffer.alloc(4))),
    'the file is too short to hold its DX10 header',
  );
});

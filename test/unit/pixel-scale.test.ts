/** Small pictures in a tile (web/src/gallery/pixel-scale.ts): a whole multiple of their size. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pixelScale } from '../../web/src/gallery/pixel-scale.js';

const picture = (width: unknown, height: unknown) => ({ preview: { width, height } });

test('a sprite fills the tile by a whole number of times its size, at most 8 (12 in the detail view); a large picture stays as it is', () => {
  // A 180 px tile has a 168 px thumbnail area.
  assert.equal(pixelScale(picture(16, 16), 180), 8, 'at most 8 times');
  assert.equal(pixelScale(picture(32, 24), 180), 5); // 168 / 32 = 5.25
  assert.equal(pixelScale(picture(64, 100), 180), 1); // 168 / 100 = 1.68: drawn as it is
  assert.equal(pixelScale(picture(1920, 1080), 180), 1);
  // In the detail view's wider box (400 px): up to 12 times.
  assert.equal(pixelScale(picture(16, 16), 400), 12);
  assert.equal(pixelScale(picture(1, 1), 400), 12, 'a pixel does not fill the box');
  assert.equal(pixelScale(picture(48, 30), 400), 8); // 388 / 48 = 8.08
});

test('no known size or no tile width: drawn as it is', () => {
  assert.equal(pixelScale(picture(undefined, undefined), 180), 1);
  assert.equal(pixelScale({}, 180), 1);
  assert.equal(pixelScale(picture('16', 16), 180), 1);
  assert.equal(pixelScale(picture(16, 16), undefined), 1);
});

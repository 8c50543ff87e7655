/**
 * A picture's colours (previews/picture-colors.ts): each pixel named as people name colours, the
 * names covering enough of the picture kept with their mean colour, transparent pixels counted
 * apart; and the stored mask the search tests (domain/facets.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COLOR_NAMES, colorMask, TRANSPARENT_BIT } from '../../src/domain/facets.js';
import { colorNameOf, pictureColors } from '../../src/previews/picture-colors.js';

test('pixels are named as people name colours', () => {
  const named: Array<[number, number, number, string]> = [
    [220, 20, 30, 'red'],
    [255, 140, 0, 'orange'],
    [250, 220, 40, 'yellow'],
    [30, 160, 60, 'green'],
    [0, 128, 128, 'cyan'],
    [0, 0, 128, 'blue'],
    [40, 90, 220, 'blue'],
    [128, 0, 128, 'purple'],
    [255, 105, 180, 'pink'],
    [255, 192, 203, 'pink'],
    [139, 69, 19, 'brown'],
    [10, 10, 10, 'black'],
    [60, 60, 64, 'black'],
    [128, 128, 128, 'gray'],
    [235, 235, 240, 'white'],
  ];
  for (const [r, g, b, name] of named) assert.equal(colorNameOf(r, g, b), name, `rgb(${r}, ${g}, ${b})`);
});

/** `count` pixels of one colour, RGBA. */
const run = (count: number, r: number, g: number, b: number, a = 255): number[] =>
  Array.from({ length: count }, () => [r, g, b, a]).flat();

test('a picture keeps the colours that cover enough of it, most first, with their mean colour', () => {
  // A night sky: 60 % dark blue (two shades), 30 % snow, 7 % a yellow moon and 3 % red (too little).
  const pixels = Uint8Array.from([
    ...run(300, 20, 40, 140),
    ...run(300, 30, 60, 160),
    ...run(300, 240, 240, 245),
    ...run(70, 250, 220, 40),
    ...run(30, 220, 20, 30),
  ]);
  const colors = pictureColors(pixels, 4);
  assert.deepEqual(colors, {
    palette: [
      { name: 'blue', hex: '#193296', share: 0.6 },
      { name: 'white', hex: '#f0f0f5', share: 0.3 },
      { name: 'yellow', hex: '#fadc28', share: 0.07 },
    ],
    transparent: false,
  });
  // The mask: blue and white (at least 15 %), not the moon's yellow (7 %).
  const mask = colorMask(colors);
  assert.equal(mask, (1 << COLOR_NAMES.indexOf('blue')) | (1 << COLOR_NAMES.indexOf('white')));
});

test('transparent pixels are counted apart: a sprite is transparent, its colours those of its opaque part', () => {
  const sprite = Uint8Array.from([
    ...run(600, 0, 0, 0, 0),
    ...run(350, 30, 160, 60),
    ...run(50, 200, 0, 0, 100),
  ]);
  const colors = pictureColors(sprite, 4);
  assert.equal(colors.transparent, true);
  assert.equal(colorMask(colors), (1 << COLOR_NAMES.indexOf('green')) | TRANSPARENT_BIT, 'the stored mask');
  assert.deepEqual(
    colors.palette.map((c) => [c.name, c.share]),
    [['green', 1]],
  );
  // A few clear pixels (antialiased corners: 1 %) do not make a picture transparent.
  const corners = Uint8Array.from([...run(990, 250, 220, 40), ...run(10, 0, 0, 0, 0)]);
  assert.equal(pictureColors(corners, 4).transparent, false);
  // Nothing opaque at all: transparent, no colours.
  assert.deepEqual(pictureColors(Uint8Array.from(run(10, 0, 0, 0, 0)), 4), {
    palette: [],
    transparent: true,
  });
});

test('gray pictures (one channel, or with alpha) and RGB without alpha', () => {
  const gray = Uint8Array.from([...Array(50).fill(10), ...Array(50).fill(240)]);
  assert.deepEqual(
    pictureColors(gray, 1).palette.map((c) => c.name),
    ['black', 'white'],
  );
  const grayAlpha = Uint8Array.from([128, 255, 128, 255, 0, 0, 0, 0]);
  assert.deepEqual(pictureColors(grayAlpha, 2), {
    palette: [{ name: 'gray', hex: '#808080', share: 1 }],
    transparent: true,
  });
  const rgb = Uint8Array.from([255, 140, 0, 255, 140, 0]);
  assert.deepEqual(pictureColors(rgb, 3).palette, [{ name: 'orange', hex: '#ff8c00', share: 1 }]);
});

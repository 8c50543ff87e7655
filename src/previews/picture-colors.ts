/**
 * A picture's colours, for searching by colour (`color=blue`) and the detail view's swatches:
 * every opaque pixel of the preview-sized picture is named (a hue, brown, or black, gray or
 * white: `COLOR_NAMES`), and the names that cover enough of the picture are kept with their mean
 * colour; pixels at least half transparent count towards `transparent` instead (sprites, icons,
 * cut-outs). Pure (raw pixels in); the preview threads call it on pixels they already have.
 */
import { COLOR_NAMES, type ColorName, type PictureColors } from '../domain/facets.js';

/** Colours below this share of the opaque pixels are not in the palette. */
const PALETTE_SHARE = 0.05;
/** Transparent pixels above this share make the picture `transparent` (a few antialiased corners do not). */
const TRANSPARENT_SHARE = 0.02;

/** The colour name of one pixel (0-255 channels). */
export function colorNameOf(r: number, g: number, b: number): ColorName {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const value = max / 255;
  const chroma = (max - min) / 255;
  if (value < 0.2) return 'black';
  // Little colour for its brightness: a gray (dark ones black, light ones white).
  if (chroma < 0.1 || chroma / value < 0.15) return value > 0.85 ? 'white' : value < 0.3 ? 'black' : 'gray';
  const hue =
    max === r
      ? (((g - b) / (max - min)) * 60 + 360) % 360
      : max === g
        ? ((b - r) / (max - min)) * 60 + 120
        : ((r - g) / (max - min)) * 60 + 240;
  if (hue >= 10 && hue < 50 && value < 0.62) return 'brown';
  // A light, pale red is what people call pink.
  if (hue < 15 || hue >= 345) return chroma / value < 0.5 && value > 0.75 ? 'pink' : 'red';
  if (hue < 45) return 'orange';
  if (hue < 70) return 'yellow';
  if (hue < 160) return 'green';
  if (hue < 200) return 'cyan';
  if (hue < 255) return 'blue';
  if (hue < 315) return 'purple';
  return 'pink';
}

const hex2 = (n: number): string => Math.round(n).toString(16).padStart(2, '0');

/** The colours of raw pixels (`channels` 1-4: gray, gray + alpha, RGB, RGBA; rows packed). */
export function pictureColors(data: Uint8Array, channels: number): PictureColors {
  const sums = COLOR_NAMES.map(() => ({ n: 0, r: 0, g: 0, b: 0 }));
  const pixels = Math.floor(data.length / channels);
  const hasAlpha = channels === 2 || channels === 4;
  let clear = 0;
  for (let i = 0; i < pixels; i++) {
    const at = i * channels;
    if (hasAlpha && (data[at + channels - 1] as number) < 128) {
      clear++;
      continue;
    }
    const r = data[at] as number;
    const g = channels >= 3 ? (data[at + 1] as number) : r;
    const b = channels >= 3 ? (data[at + 2] as number) : r;
    const sum = sums[COLOR_NAMES.indexOf(colorNameOf(r, g, b))] as (typeof sums)[number];
    sum.n++;
    sum.r += r;
    sum.g += g;
    sum.b += b;
  }
  const opaque = pixels - clear;
  const palette = COLOR_NAMES.map((name, k) => ({ name, sum: sums[k] as (typeof sums)[number] }))
    .filter(({ sum }) => opaque > 0 && sum.n / opaque >= PALETTE_SHARE)
    .sort((a, b) => b.sum.n - a.sum.n)
    .map(({ name, sum }) => ({
      name,
      hex: `#${hex2(sum.r / sum.n)}${hex2(sum.g / sum.n)}${hex2(sum.b / sum.n)}`,
      share: Math.round((sum.n / opaque) * 100) / 100,
    }));
  return { palette, transparent: pixels > 0 && clear / pixels > TRANSPARENT_SHARE };
}

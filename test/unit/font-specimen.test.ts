/**
 * A font's specimen card (previews/font-specimen.ts), drawn from real fonts (Press Start 2P from
 * @fontsource: its Latin subset as WOFF2 and WOFF, its Cyrillic subset, which has no Latin
 * letters) and rasterised by libvips as the thumbnail worker does.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { fontSpecimen } from '../../src/previews/font-specimen.js';
import { woffToSfnt } from '../../src/previews/woff.js';
import { REPO } from '../helpers/server.js';

const font = (subset: string, ext: 'woff' | 'woff2'): Buffer =>
  fs.readFileSync(
    path.join(
      REPO,
      'node_modules/@fontsource/press-start-2p/files',
      `press-start-2p-${subset}-400-normal.${ext}`,
    ),
  );

/** The share of the card's pixels in a horizontal band that are ink (dark), 0-1. */
async function inkIn(svg: string, top: number, bottom: number): Promise<number> {
  const { data, info } = await sharp(Buffer.from(svg))
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let ink = 0;
  let all = 0;
  for (let y = Math.round(top * info.height); y < bottom * info.height; y++)
    for (let x = 0; x < info.width; x++, all++) if ((data[y * info.width + x] ?? 255) < 128) ink++;
  return ink / all;
}

describe('fontSpecimen', () => {
  test('WOFF2 and WOFF: the family, style and glyph count, and a card with "Aa" and the name in ink', async () => {
    const woff2 = fontSpecimen(font('latin', 'woff2'));
    const woff = fontSpecimen(font('latin', 'woff'));
    assert.equal(woff2.facts.family, 'Press Start 2P');
    assert.equal(woff2.facts.style, 'Regular');
    assert.ok(woff2.facts.glyphs > 90, `${woff2.facts.glyphs} glyphs`);
    assert.deepEqual(woff.facts, woff2.facts, 'the same font in either wrapper');
    const meta = await sharp(Buffer.from(woff2.svg)).metadata();
    assert.deepEqual([meta.width, meta.height], [512, 512]);
    assert.ok((await inkIn(woff2.svg, 0.3, 0.62)) > 0.08, 'the large "Aa"');
    assert.ok((await inkIn(woff2.svg, 0.76, 0.87)) > 0.02, 'the family name below it');
    assert.equal(await inkIn(woff2.svg, 0, 0.12), 0, 'paper above');
  });

  test('a font without Latin letters shows its own first characters, and no name it cannot draw', async () => {
    const cyrillic = fontSpecimen(font('cyrillic', 'woff2'));
    assert.equal(cyrillic.facts.family, 'Press Start 2P');
    assert.ok((await inkIn(cyrillic.svg, 0.3, 0.62)) > 0.03, 'its characters');
    assert.equal(await inkIn(cyrillic.svg, 0.76, 0.87), 0, 'its name is in letters it lacks: left out');
  });

  test('a WOFF font cut short or with a damaged table is refused saying so (fontkit looped on it)', () => {
    const whole = font('latin', 'woff');
    assert.throws(
      () => fontSpecimen(whole.subarray(0, 5670)),
      /WOFF font: its \w+ ?table ends past the end of the file/,
    );
    const damaged = Buffer.from(whole);
    damaged.fill(0xff, 2000, 2064); // inside the first tables' compressed data
    assert.throws(() => fontSpecimen(damaged), /WOFF font: its .+ table does not decompress/);
    // Unwrapped, it is the same font as a TrueType file.
    assert.deepEqual(fontSpecimen(woffToSfnt(whole, 1e6)).facts, fontSpecimen(whole).facts);
  });

  test('what is no font is refused with a reason', () => {
    assert.throws(() => fontSpecimen(Buffer.from('not a font at all')));
    assert.throws(() => fontSpecimen(Buffer.alloc(0)));
  });
});

/**
 * A font's preview: a specimen card drawn from the font's own outlines ("Aa" large, its family
 * name below, in itself), as SVG for libvips to rasterise like any picture, and what the font
 * says about itself (family, style, glyph count). fontkit reads TrueType, OpenType, WOFF and
 * WOFF2 (and the first font of a collection); no system font is involved, so the card is the
 * same on every machine.
 */
import * as fontkit from 'fontkit';
import { isWoff, woffToSfnt } from './woff.js';

/** Fonts larger than this are not previewed (a CJK font is 5-20 MB; this keeps worker memory sane). */
export const MAX_FONT_FILE_BYTES = 64 * 1024 * 1024;

export interface FontFacts {
  family: string;
  style: string;
  glyphs: number;
}

const CARD = 512;
const INK = '#212529';
const PAPER = '#f8f9fa';

/** The first font of a file (a collection's first); WOFF 1.0 unwrapped first (see woff.ts). */
function openFont(bytes: Buffer): fontkit.Font {
  const opened = fontkit.create(isWoff(bytes) ? woffToSfnt(bytes, 4 * MAX_FONT_FILE_BYTES) : bytes);
  const font = 'fonts' in opened ? opened.fonts[0] : opened;
  if (!font || !font.numGlyphs) throw new Error('the font has no glyphs');
  return font;
}

/**
 * What to show: "Aa" for a font with Latin letters; otherwise the first characters it draws (a
 * symbol or icon font, a CJK font without Latin).
 */
function sampleText(font: fontkit.Font): string {
  if (font.hasGlyphForCodePoint(0x41) && font.hasGlyphForCodePoint(0x61)) return 'Aa';
  const drawn = font.characterSet.filter((cp) => cp > 0x20 && !(cp >= 0x7f && cp < 0xa0)).slice(0, 3);
  if (!drawn.length) throw new Error('the font maps no characters to glyphs');
  return String.fromCodePoint(...drawn);
}

/**
 * One line of text as SVG paths, scaled to fit a box `width` × `height` whose baseline is at
 * `baseline`, centred across the card; empty when nothing of it has an outline.
 */
function line(font: fontkit.Font, text: string, width: number, height: number, baseline: number): string {
  const run = font.layout(text);
  const paths: string[] = [];
  let x = 0;
  run.glyphs.forEach((glyph, i) => {
    const position = run.positions[i];
    const d = glyph.path.toSVG();
    if (d)
      paths.push(
        `<path transform="translate(${x + (position?.xOffset ?? 0)} ${position?.yOffset ?? 0})" d="${d}"/>`,
      );
    x += position?.xAdvance ?? glyph.advanceWidth;
  });
  if (!paths.length || x <= 0) return '';
  const tall = Math.max(1, font.ascent - font.descent);
  const scale = Math.min(width / x, height / tall);
  const left = (CARD - x * scale) / 2;
  return `<g transform="translate(${left.toFixed(2)} ${baseline}) scale(${scale.toFixed(5)} ${(-scale).toFixed(5)})">${paths.join('')}</g>`;
}

/** The specimen card (SVG, {@link CARD} px square) and the font's facts. */
export function fontSpecimen(bytes: Buffer): { svg: string; facts: FontFacts } {
  const font = openFont(bytes);
  const family = (font.familyName || font.postscriptName || '').trim();
  const sample = line(font, sampleText(font), CARD * 0.8, CARD * 0.5, CARD * 0.62);
  if (!sample) throw new Error('the font draws no outlines (a bitmap-only or empty font)');
  // The name in the font itself, unless it lacks some of its letters (no boxes for missing glyphs).
  const drawsName = [...family].every(
    (ch) => ch === ' ' || font.hasGlyphForCodePoint(ch.codePointAt(0) ?? 0),
  );
  const name = family && drawsName ? line(font, family, CARD * 0.86, CARD * 0.1, CARD * 0.86) : '';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD}" height="${CARD}" viewBox="0 0 ${CARD} ${CARD}">` +
    `<rect width="${CARD}" height="${CARD}" fill="${PAPER}"/><g fill="${INK}">${sample}${name}</g></svg>`;
  return {
    svg,
    facts: { family, style: (font.subfamilyName || '').trim(), glyphs: font.numGlyphs },
  };
}

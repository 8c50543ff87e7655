/**
 * Worker side of thumbnails (sharp/libvips): decode once (EXIF orientation applied, never
 * upscaled) at the largest size, derive the smaller size from those pixels, write each file
 * atomically. BMP, TGA and PSD, which libvips does not read, are decoded to pixels first
 * (previews/decode-image.ts); Krita and OpenRaster documents give their flattened PNG
 * (previews/layered-document.ts), Clip Studio documents their canvas preview
 * (previews/clip-studio.ts), Blender files the picture of their scene (previews/blend.ts); a font is
 * drawn as a specimen card (previews/font-specimen.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { tempPathFor } from '../files/atomic-write.js';
import { blendPreviewOf } from '../previews/blend.js';
import { clipPreviewOf } from '../previews/clip-studio.js';
import { decodeImage, DECODED_IMAGE_EXTS, MAX_DECODED_FILE_BYTES } from '../previews/decode-image.js';
import { LAYERED_DOCUMENT_EXTS, mergedImageOf } from '../previews/layered-document.js';
import { differenceHash } from '../previews/picture-hash.js';
import type { PictureColors } from '../domain/facets.js';
import { fontSpecimen, MAX_FONT_FILE_BYTES, type FontFacts } from '../previews/font-specimen.js';
import { pictureColors } from '../previews/picture-colors.js';
import { psdWithoutLayers } from '../previews/psd.js';
import { ANIMATED_EXTS, isFontFile } from '../previews/kinds.js';
import { framesToPlay, loopSeconds, playedDelays } from '../previews/animation.js';

// Parallelism comes from the worker pool; libvips' own threads and cache would only compete.
sharp.concurrency(1);
sharp.cache(false);

export interface ThumbnailTask {
  source: string;
  /** Size → absolute output path, largest first is not required. */
  outputs: Record<string, string>;
  format: 'png' | 'jpg' | 'webp';
  /** Refuse images with more pixels than this (decompression bombs). */
  limitInputPixels: number;
  /** Where an animation's played preview goes (an animated WebP), for sources that may be animated. */
  animation?: string;
}

export interface ThumbnailResult {
  /** The picture's size (0 for a font: its card is no picture of it). */
  width: number;
  height: number;
  outputs: Record<string, { width: number; height: number }>;
  /** The picture's difference hash (previews/picture-hash.ts), from the largest size's pixels; '' for a font. */
  dhash: string;
  /** The picture's colours (previews/picture-colors.ts), from the same pixels; null for a font. */
  colors: PictureColors | null;
  /** A font's family, style and glyph count, read from the font. */
  font?: FontFacts;
  /** A Blender file's: the version of Blender that saved it (its thumbnail is a picture of the scene). */
  blender?: { version: string };
  /** An animation's frames (an animated GIF or WebP, an Aseprite sprite); absent for a still picture. */
  frames?: number;
  /** Seconds one loop of an animation lasts. */
  duration?: number;
  /** The animated preview written to the task's `animation`: how many frames it plays, its frame size. */
  animation?: { frames: number; width: number; height: number };
}

/** Frames up to 256 × 256 (sprites, icons) are played back lossless. */
const SMALL_FRAME_PIXELS = 256 * 256;

/** An animation, as its preview plays it. */
interface Animation {
  /** Frames in all, and their size. */
  frames: number;
  width: number;
  height: number;
  /** Seconds one loop of all frames lasts. */
  duration: number;
  /** Each played frame's delay as played (ms). */
  delays: number[];
  /** The played frames, one page each, fitted in a `box`-pixel square (never enlarged). */
  open: (box: number) => Promise<Sharp>;
}

/** A preview file replaced whole (no fsync: the cache can be made again); a rebuild sweeps a killed write's temp file. */
async function writeAtomic(target: string, data: Buffer): Promise<void> {
  const tmp = tempPathFor(target);
  try {
    await fs.writeFile(tmp, data, { flag: 'wx' });
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

function encode(image: Sharp, format: ThumbnailTask['format']): Sharp {
  if (format === 'jpg') return image.jpeg({ quality: 82, mozjpeg: true });
  if (format === 'webp') return image.webp({ quality: 82 });
  return image.png({ compressionLevel: 6 });
}

/** The image to resize: the file for libvips, or pixels decoded here; its size, upright. */
async function openImage(task: ThumbnailTask): Promise<{
  image: Sharp;
  width: number;
  height: number;
  font?: FontFacts;
  blender?: ThumbnailResult['blender'];
  animation?: Animation;
}> {
  const options: SharpOptions = { limitInputPixels: task.limitInputPixels, failOn: 'error', animated: false };
  const ext = path.extname(task.source).toLowerCase();
  if (isFontFile(task.source)) {
    const { size } = await fs.stat(task.source);
    if (size > MAX_FONT_FILE_BYTES)
      throw new Error(`the font is ${size} bytes, more than the ${MAX_FONT_FILE_BYTES} previewed`);
    const { svg, facts } = fontSpecimen(await fs.readFile(task.source));
    const card = await openWithLibvips(Buffer.from(svg), options);
    return { ...card, width: 0, height: 0, font: facts };
  }
  if (DECODED_IMAGE_EXTS.has(ext)) {
    // A PSD's merged image alone (its layers skipped: previews/psd.ts); other files whole.
    const bytes =
      ext === '.psd'
        ? await psdWithoutLayers(task.source, MAX_DECODED_FILE_BYTES)
        : await readWhole(task.source);
    const { width, height, data, frames, animation } = await decodeImage(ext, bytes, task.limitInputPixels);
    const raw = { width, height, channels: 4 as const };
    const image = sharp(data, { ...options, raw });
    if (!frames || !animation) return { image, width, height };
    const played = animation.data.length / (width * height * 4);
    const pages = { ...raw, height: height * played, pageHeight: height };
    const open = async (box: number): Promise<Sharp> => {
      const strip = sharp(animation.data, { raw: pages, limitInputPixels: task.limitInputPixels });
      if (width <= box && height <= box) return strip;
      // Resizing raw pixels would lose their pages: they are made an animation first (quickly, lossless).
      const encoded = await strip.webp({ lossless: true, effort: 0, loop: 0 }).toBuffer();
      return sharp(encoded, { animated: true, limitInputPixels: false }).resize(box, box, { fit: 'inside' });
    };
    const { duration, delays } = animation;
    return { image, width, height, animation: { frames, width, height, duration, delays, open } };
  }
  if (ext === '.blend') {
    // A picture of the scene, no picture of the file: no size of its own (as a font's card).
    const { width, height, data, version } = await blendPreviewOf(task.source, task.limitInputPixels);
    const image = sharp(data, { ...options, raw: { width, height, channels: 4 } });
    return { image, width: 0, height: 0, blender: { version } };
  }
  if (ext === '.clip') {
    // The preview stored in the document is often smaller than its canvas: the canvas's size is the picture's.
    const clip = await clipPreviewOf(task.source, MAX_DECODED_FILE_BYTES);
    const opened = await openWithLibvips(clip.png, options);
    return { ...opened, width: clip.width || opened.width, height: clip.height || opened.height };
  }
  if (LAYERED_DOCUMENT_EXTS.has(ext))
    return openWithLibvips(await mergedImageOf(task.source, ext, MAX_DECODED_FILE_BYTES), options);
  // An animation's first frame is its thumbnail.
  return openWithLibvips(task.source, options, ANIMATED_EXTS.has(ext));
}

/** A file decoded here, read whole (up to MAX_DECODED_FILE_BYTES). */
async function readWhole(file: string): Promise<Buffer> {
  const { size } = await fs.stat(file);
  if (size > MAX_DECODED_FILE_BYTES)
    throw new Error(`the file is ${size} bytes, more than the ${MAX_DECODED_FILE_BYTES} previewed`);
  return fs.readFile(file);
}

/**
 * A file or encoded bytes libvips reads itself, turned upright; with `animated`, its pages are an
 * animation's frames, when it has more than one.
 */
async function openWithLibvips(
  input: string | Buffer,
  options: SharpOptions,
  animated = false,
): Promise<{ image: Sharp; width: number; height: number; animation?: Animation }> {
  const meta = await sharp(input, options).metadata();
  if (!meta.width || !meta.height) throw new Error('the image has no dimensions');
  // EXIF orientations 5-8 swap width and height.
  const rotated = (meta.orientation ?? 1) >= 5;
  const opened = {
    image: sharp(input, options).rotate(),
    width: rotated ? meta.height : meta.width,
    height: rotated ? meta.width : meta.height,
  };
  const frames = animated ? (meta.pages ?? 1) : 1;
  if (frames < 2) return opened;
  const delays = meta.delay ?? [];
  const [width, height] = [meta.width, meta.pageHeight ?? meta.height];
  const played = framesToPlay(frames, width, height);
  const open = async (box: number): Promise<Sharp> =>
    sharp(input, {
      limitInputPixels: options.limitInputPixels ?? false,
      failOn: 'error',
      pages: played,
    }).resize(box, box, { fit: 'inside', withoutEnlargement: true });
  const duration = loopSeconds(delays, frames);
  return {
    ...opened,
    animation: { frames, width, height, duration, delays: playedDelays(delays, played), open },
  };
}

/**
 * The played frames as an animated WebP fitted in `box`: lossless for small frames (pixel art
 * keeps its exact colours), else as the thumbnails' quality.
 */
async function writeAnimation(
  animation: Animation,
  box: number,
  target: string,
): Promise<NonNullable<ThumbnailResult['animation']>> {
  const small = animation.width * animation.height <= SMALL_FRAME_PIXELS;
  const out = await (
    await animation.open(box)
  )
    .webp({ loop: 0, delay: animation.delays, ...(small ? { lossless: true } : { quality: 82 }) })
    .toBuffer({ resolveWithObject: true });
  await writeAtomic(target, out.data);
  const frames = out.info.pages ?? 1;
  return { frames, width: out.info.width, height: out.info.pageHeight ?? out.info.height };
}

export default async function run(task: ThumbnailTask): Promise<ThumbnailResult> {
  const { image, width, height, font, blender, animation } = await openImage(task);
  const sizes = Object.keys(task.outputs)
    .map(Number)
    .sort((a, b) => b - a);
  const largest = sizes[0] ?? 512;
  const { data, info } = await image
    .resize(largest, largest, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  await fs.mkdir(path.dirname(Object.values(task.outputs)[0] ?? task.source), { recursive: true });
  const outputs: ThumbnailResult['outputs'] = {};
  for (const size of sizes) {
    const resized = sharp(data, raw).resize(size, size, { fit: 'inside', withoutEnlargement: true });
    const out = await encode(resized, task.format).toBuffer({ resolveWithObject: true });
    await writeAtomic(task.outputs[String(size)] as string, out.data);
    outputs[String(size)] = { width: out.info.width, height: out.info.height };
  }
  if (font) return { width, height, outputs, dhash: '', colors: null, font };
  if (blender) return { width, height, outputs, dhash: '', colors: null, blender };
  const facts = { width, height, outputs, ...(await pictureFacts(data, raw)) };
  if (!animation) {
    // A file edited from an animation into a still: its old played preview goes with it.
    if (task.animation) await fs.rm(task.animation, { force: true });
    return facts;
  }
  const played = task.animation
    ? { animation: await writeAnimation(animation, largest, task.animation) }
    : {};
  return { ...facts, frames: animation.frames, duration: animation.duration, ...played };
}

/** The fingerprint and colours of a picture's raw pixels. */
async function pictureFacts(
  data: Buffer,
  raw: { raw: { width: number; height: number; channels: 1 | 2 | 3 | 4 } },
): Promise<{ dhash: string; colors: PictureColors }> {
  return { dhash: await differenceHash(sharp(data, raw)), colors: pictureColors(data, raw.raw.channels) };
}

/**
 * The difference hash and colours of a picture from a thumbnail already made (for pictures whose
 * previews predate them, without decoding their sources again).
 */
export async function fingerprint(thumbnail: string): Promise<{ dhash: string; colors: PictureColors }> {
  const { data, info } = await sharp(thumbnail, { failOn: 'error' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return pictureFacts(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
}

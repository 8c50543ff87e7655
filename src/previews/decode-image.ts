/**
 * Images libvips does not read (sharp's prebuilt binaries carry no ImageMagick): BMP, TGA, PSD,
 * DDS, OpenEXR and Aseprite, which game and visual-novel art pipelines are full of (Windows bitmaps, TGA
 * and DDS textures, Photoshop sources, HDR renders). They are decoded here to RGBA pixels, which the thumbnail worker then
 * resizes like any other image. Worker side only: decoding is CPU work.
 */
import { decodeTga } from '@lunapaint/tga-codec';
import { initializeCanvas, readPsd } from 'ag-psd';
import { decode as decodeBmp } from 'bmp-ts';
import type { PlayedFrames } from './animation.js';
import { asepriteImage, asepriteSize } from './aseprite.js';
import { ddsPixels, ddsSize } from './dds.js';
import { exrPixels, exrSize } from './exr.js';

/** 8-bit RGBA, rows top to bottom. */
export interface RawImage {
  width: number;
  height: number;
  data: Uint8Array;
  /** An animation's frames (an Aseprite sprite's), when it has more than one. */
  frames?: number;
  /** The frames an animation's preview plays (`data` is the first). */
  animation?: PlayedFrames;
}

/** Extensions (lowercase, with the dot) decoded here rather than by libvips. */
export const DECODED_IMAGE_EXTS: ReadonlySet<string> = new Set([
  '.bmp',
  '.tga',
  '.psd',
  '.dds',
  '.exr',
  '.ase',
  '.aseprite',
]);

/** Files larger than this (a PSD: merged images) are not read into memory to be previewed. */
export const MAX_DECODED_FILE_BYTES = 1024 * 1024 * 1024;

// ag-psd makes its pixel buffers through a canvas unless given a maker of plain ones.
initializeCanvas(
  () => {
    throw new Error('no canvas here: PSDs are read as pixel data');
  },
  (width, height) => ({
    width,
    height,
    data: new Uint8ClampedArray(width * height * 4),
    colorSpace: 'srgb' as const,
  }),
);

const FORMAT_NAMES: Record<string, string> = {
  '.bmp': 'BMP',
  '.tga': 'TGA',
  '.psd': 'PSD',
  '.dds': 'DDS',
  '.exr': 'OpenEXR',
  '.ase': 'Aseprite',
  '.aseprite': 'Aseprite',
};

/**
 * Width and height as the header states them, read before decoding, so an image claiming more
 * pixels than allowed (a decompression bomb) is refused before anything is allocated for it.
 */
function headerSize(ext: string, bytes: Buffer): { width: number; height: number } {
  const short = (): never => {
    throw new Error('the file is too short to hold an image header');
  };
  if (ext === '.bmp') {
    if (bytes.length < 26) short();
    if (bytes.toString('latin1', 0, 2) !== 'BM') throw new Error('it does not start with "BM"');
    // A negative height means rows stored top to bottom.
    return { width: bytes.readInt32LE(18), height: Math.abs(bytes.readInt32LE(22)) };
  }
  if (ext === '.dds') return ddsSize(bytes);
  if (ext === '.exr') return exrSize(bytes);
  if (ext === '.ase' || ext === '.aseprite') return asepriteSize(bytes);
  if (ext === '.psd') {
    if (bytes.length < 26) short();
    if (bytes.toString('latin1', 0, 4) !== '8BPS') throw new Error('it does not start with "8BPS"');
    return { width: bytes.readUInt32BE(18), height: bytes.readUInt32BE(14) };
  }
  if (bytes.length < 18) short();
  return { width: bytes.readUInt16LE(12), height: bytes.readUInt16LE(14) };
}

/** ag-psd's composite at 16 or 32 bits per channel, as 8. */
function toBytes(data: Uint8Array | Uint8ClampedArray | Uint16Array | Float32Array): Uint8Array {
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray)
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length);
  if (data instanceof Uint16Array) for (let i = 0; i < data.length; i++) out[i] = (data[i] as number) >> 8;
  else
    for (let i = 0; i < data.length; i++)
      out[i] = Math.round(Math.min(1, Math.max(0, data[i] as number)) * 255);
  return out;
}

/**
 * A BMP's pixels. Below 32 bits a pixel has no alpha (the decoder leaves it 0: transparent), and
 * most 32-bit BMPs leave the fourth byte unused (all 0): both are opaque.
 */
function bmpPixels(bytes: Buffer): RawImage {
  const bmp = decodeBmp(bytes, { toRGBA: true });
  const data = new Uint8Array(bmp.data.buffer, bmp.data.byteOffset, bmp.data.byteLength);
  let hasAlpha = bmp.bitPP === 32;
  if (hasAlpha) {
    hasAlpha = false;
    for (let i = 3; i < data.length; i += 4)
      if (data[i] !== 0) {
        hasAlpha = true;
        break;
      }
  }
  if (!hasAlpha) for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width: bmp.width, height: bmp.height, data };
}

async function pixels(ext: string, bytes: Buffer): Promise<RawImage> {
  if (ext === '.bmp') return bmpPixels(bytes);
  if (ext === '.dds') return ddsPixels(bytes);
  if (ext === '.exr') return exrPixels(bytes);
  if (ext === '.ase' || ext === '.aseprite') return asepriteImage(bytes);
  if (ext === '.tga') {
    const { image } = await decodeTga(bytes);
    return { width: image.width, height: image.height, data: toBytes(image.data) };
  }
  const psd = readPsd(bytes, { skipLayerImageData: true, skipThumbnail: true, useImageData: true });
  if (!psd.imageData)
    throw new Error('it holds no merged image: save it from Photoshop with "Maximize Compatibility" on');
  return { width: psd.imageData.width, height: psd.imageData.height, data: toBytes(psd.imageData.data) };
}

/** Decodes a BMP, TGA, PSD, DDS, OpenEXR or Aseprite file's bytes to RGBA, refusing more than `limitInputPixels` pixels. */
export async function decodeImage(ext: string, bytes: Buffer, limitInputPixels: number): Promise<RawImage> {
  const name = FORMAT_NAMES[ext] ?? ext;
  let image: RawImage;
  try {
    const { width, height } = headerSize(ext, bytes);
    if (!(width > 0 && height > 0)) throw new Error(`its header gives no size (${width}×${height})`);
    if (width * height > limitInputPixels)
      throw new Error(`it is ${width}×${height} pixels, more than the ${limitInputPixels} previewed`);
    image = await pixels(ext, bytes);
  } catch (err) {
    throw new Error(`not a readable ${name} image: ${(err as Error).message}`);
  }
  if (image.data.length < image.width * image.height * 4)
    throw new Error(`not a readable ${name} image: its pixel data is shorter than its size`);
  return image;
}

/**
 * DirectDraw Surface textures (`.dds`), what game engines and mods ship their art in: the top
 * mipmap level decoded to RGBA for a thumbnail. Block-compressed DXT1, DXT3 and DXT5 (BC1-BC3)
 * through parse-dds and decode-dxt; uncompressed 32- and 24-bit RGB(A) read through the header's
 * channel masks. DX10-header formats (BC4-BC7, float) are refused with their name.
 */
import decodeDxt from 'decode-dxt';
import parseDds from 'parse-dds';

const MAGIC = 'DDS ';
const HEADER_BYTES = 128; // magic + 124-byte header
const DDPF_ALPHAPIXELS = 0x1;
const DDPF_FOURCC = 0x4;
const DDPF_RGB = 0x40;

/** Width and height as the header states them. */
export function ddsSize(bytes: Buffer): { width: number; height: number } {
  if (bytes.length < HEADER_BYTES) throw new Error('the file is too short to hold a DDS header');
  if (bytes.toString('latin1', 0, 4) !== MAGIC) throw new Error('it does not start with "DDS "');
  return { width: bytes.readUInt32LE(16), height: bytes.readUInt32LE(12) };
}

/** The top level of a DDS texture as 8-bit RGBA, rows top to bottom. */
export function ddsPixels(bytes: Buffer): { width: number; height: number; data: Uint8Array } {
  const { width, height } = ddsSize(bytes);
  const flags = bytes.readUInt32LE(80);
  const fourCC = bytes.toString('latin1', 84, 88);
  if (flags & DDPF_FOURCC) {
    if (fourCC === 'DX10')
      throw new Error('its pixels are in a DX10 format (BC4-BC7 or float), which is not previewed yet');
    if (!['DXT1', 'DXT3', 'DXT5'].includes(fourCC))
      throw new Error(
        `its pixel format ${JSON.stringify(fourCC)} is not previewed (DXT1, DXT3 and DXT5 are)`,
      );
    // (A file read whole has a buffer of its own; a copy of just its bytes either way.)
    const buffer = (bytes.buffer as ArrayBuffer).slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const dds = parseDds(buffer);
    const top = dds.images[0];
    if (dds.format === 'rgba32f') throw new Error('its float pixels are not previewed yet');
    if (!top || top.offset + top.length > bytes.byteLength)
      throw new Error('its pixel data is shorter than its size');
    const view = new DataView(buffer, top.offset, top.length);
    return { width, height, data: decodeDxt(view, width, height, dds.format) };
  }
  if (flags & DDPF_RGB) return maskedPixels(bytes, width, height, flags);
  throw new Error('its pixel format is neither block-compressed (DXT1-5) nor RGB');
}

/** Uncompressed 24- or 32-bit pixels, each channel where the header's mask says. */
function maskedPixels(bytes: Buffer, width: number, height: number, flags: number) {
  const bits = bytes.readUInt32LE(88);
  if (bits !== 32 && bits !== 24)
    throw new Error(`its ${bits}-bit RGB pixels are not previewed (24 and 32 are)`);
  const masks = [92, 96, 100, 104].map((at) => bytes.readUInt32LE(at));
  const alpha = flags & DDPF_ALPHAPIXELS ? (masks[3] as number) : 0;
  const step = bits / 8;
  if (bytes.length < HEADER_BYTES + width * height * step)
    throw new Error('its pixel data is shorter than its size');
  // A mask's lowest set bit, and the scale of its width to 8 bits.
  const channel = (mask: number) => {
    if (!mask) return undefined;
    const shift = Math.log2(mask & -mask);
    return { mask, shift, max: mask >>> shift };
  };
  const channels = [...masks.slice(0, 3), alpha].map(channel);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0, at = HEADER_BYTES; i < width * height; i++, at += step) {
    const pixel = step === 4 ? bytes.readUInt32LE(at) : bytes.readUIntLE(at, 3);
    channels.forEach((c, k) => {
      data[i * 4 + k] = c ? Math.round((((pixel & c.mask) >>> c.shift) * 255) / c.max) : 255;
    });
  }
  return { width, height, data };
}

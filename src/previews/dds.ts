/**
 * DirectDraw Surface textures (`.dds`), what game engines and mods ship their art in: the top
 * mipmap level decoded to RGBA for a thumbnail. DXT1, DXT3 and DXT5 (BC1-BC3) through decode-dxt; BC4 (one channel: grey), BC5 (two: a normal map, its blue made from them) and
 * BC7 through dds-ktx-parser's block decoders; uncompressed 24- and 32-bit RGB(A) through the
 * header's channel masks, or as a DX10 header's 8-bit RGBA or BGRA. HDR (BC6H, float) and signed
 * formats are refused with their name.
 */
import decodeDxt from 'decode-dxt';
import { decodeImage as decodeBlocks } from 'dds-ktx-parser';

const MAGIC = 'DDS ';
const HEADER_BYTES = 128; // magic + 124-byte header
const DX10_HEADER_BYTES = 20;
const DDPF_ALPHAPIXELS = 0x1;
const DDPF_FOURCC = 0x4;
const DDPF_RGB = 0x40;

type Pixels = { width: number; height: number; data: Uint8Array };
type BlockFormat = 'dxt1' | 'dxt3' | 'dxt5' | 'BC4' | 'BC5' | 'BC7';
type DdsFormat = BlockFormat | 'RGBA8' | 'BGRA8';

/** The DX10 header's DXGI formats read here (typeless, UNORM and sRGB alike). */
const DXGI_FORMATS: Record<number, DdsFormat> = {
  27: 'RGBA8',
  28: 'RGBA8',
  29: 'RGBA8',
  70: 'dxt1',
  71: 'dxt1',
  72: 'dxt1',
  73: 'dxt3',
  74: 'dxt3',
  75: 'dxt3',
  76: 'dxt5',
  77: 'dxt5',
  78: 'dxt5',
  79: 'BC4',
  80: 'BC4',
  82: 'BC5',
  83: 'BC5',
  87: 'BGRA8',
  90: 'BGRA8',
  91: 'BGRA8',
  97: 'BC7',
  98: 'BC7',
  99: 'BC7',
};
/** DXGI formats refused by name: what the preview cannot show as a picture yet. */
const DXGI_REFUSED: Record<number, string> = {
  81: 'signed BC4 (SNORM)',
  84: 'signed BC5 (SNORM)',
  94: 'HDR (BC6H)',
  95: 'HDR (BC6H)',
  96: 'HDR (BC6H)',
  2: '32-bit float',
  10: '16-bit float',
};
const FOURCC_FORMATS: Record<string, BlockFormat> = {
  DXT1: 'dxt1',
  DXT3: 'dxt3',
  DXT5: 'dxt5',
  ATI1: 'BC4',
  BC4U: 'BC4',
  ATI2: 'BC5',
  BC5U: 'BC5',
};

/** Width and height as the header states them. */
export function ddsSize(bytes: Buffer): { width: number; height: number } {
  if (bytes.length < HEADER_BYTES) throw new Error('the file is too short to hold a DDS header');
  if (bytes.toString('latin1', 0, 4) !== MAGIC) throw new Error('it does not start with "DDS "');
  return { width: bytes.readUInt32LE(16), height: bytes.readUInt32LE(12) };
}

/** The top level of a DDS texture as 8-bit RGBA, rows top to bottom. */
export function ddsPixels(bytes: Buffer): Pixels {
  const { width, height } = ddsSize(bytes);
  const flags = bytes.readUInt32LE(80);
  const fourCC = bytes.toString('latin1', 84, 88);
  if (flags & DDPF_FOURCC) {
    if (fourCC !== 'DX10') {
      const format = FOURCC_FORMATS[fourCC];
      // (Direct3D 9's float formats are FourCCs that are numbers: 111-116.)
      const code = bytes.readUInt32LE(84);
      if (!format && code >= 111 && code <= 116) throw new Error('its float pixels are not previewed yet');
      if (!format)
        throw new Error(
          `its pixel format ${JSON.stringify(fourCC)} is not previewed (DXT1, DXT3, DXT5, BC4, BC5 and BC7 are)`,
        );
      return blockPixels(bytes, HEADER_BYTES, width, height, format);
    }
    if (bytes.length < HEADER_BYTES + DX10_HEADER_BYTES)
      throw new Error('the file is too short to hold its DX10 header');
    const dxgi = bytes.readUInt32LE(HEADER_BYTES);
    const format = DXGI_FORMATS[dxgi];
    const at = HEADER_BYTES + DX10_HEADER_BYTES;
    if (format === 'RGBA8' || format === 'BGRA8') return rgba8Pixels(bytes, at, width, height, format);
    if (format) return blockPixels(bytes, at, width, height, format);
    const refused = DXGI_REFUSED[dxgi];
    throw new Error(
      refused
        ? `its pixels are ${refused}, which is not previewed yet`
        : `its DX10 pixel format (DXGI ${dxgi}) is not previewed (BC1-BC5, BC7 and 8-bit RGBA are)`,
    );
  }
  if (flags & DDPF_RGB) return maskedPixels(bytes, width, height, flags);
  throw new Error('its pixel format is neither block-compressed (DXT1-5, BC4, BC5, BC7) nor RGB');
}

/** Block-compressed pixels starting at byte `at`: 4 × 4 pixels a block, 8 or 16 bytes each. */
function blockPixels(bytes: Buffer, at: number, width: number, height: number, format: BlockFormat): Pixels {
  const blockBytes = format === 'dxt1' || format === 'BC4' ? 8 : 16;
  const length = Math.ceil(width / 4) * Math.ceil(height / 4) * blockBytes;
  if (at + length > bytes.length) throw new Error('its pixel data is shorter than its size');
  if (format === 'dxt1' || format === 'dxt3' || format === 'dxt5') {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, length);
    return { width, height, data: decodeDxt(view, width, height, format) };
  }
  // The block decoder views each block as 32-bit words: the blocks go in a buffer of their own,
  // aligned (a file's bytes may sit anywhere in a shared one).
  const blocks = Buffer.alloc(length);
  bytes.copy(blocks, 0, at, at + length);
  const data = decodeBlocks(blocks, format, { offset: 0, length, shape: { width, height } });
  if (format === 'BC4')
    for (let i = 0; i < data.length; i += 4) data[i + 1] = data[i + 2] = data[i] as number;
  if (format === 'BC5')
    for (let i = 0; i < data.length; i += 4)
      data[i + 2] = normalBlue(data[i] as number, data[i + 1] as number);
  return { width, height, data };
}

/**
 * A two-channel texture is almost always a normal map: its blue is the normal's third part,
 * found from the other two, so it looks as normal map viewers show it (mostly light blue).
 */
function normalBlue(red: number, green: number): number {
  const x = (red / 255) * 2 - 1;
  const y = (green / 255) * 2 - 1;
  return Math.round(((Math.sqrt(Math.max(0, 1 - x * x - y * y)) + 1) / 2) * 255);
}

/** A DX10 header's uncompressed 8-bit RGBA or BGRA pixels, rows top to bottom. */
function rgba8Pixels(
  bytes: Buffer,
  at: number,
  width: number,
  height: number,
  order: 'RGBA8' | 'BGRA8',
): Pixels {
  const length = width * height * 4;
  if (at + length > bytes.length) throw new Error('its pixel data is shorter than its size');
  const data = new Uint8Array(bytes.subarray(at, at + length));
  if (order === 'BGRA8')
    for (let i = 0; i < length; i += 4) [data[i], data[i + 2]] = [data[i + 2] as number, data[i] as number];
  return { width, height, data };
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

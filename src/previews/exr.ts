/**
 * OpenEXR images (`.exr`: HDR renders, lightmaps, skies): decoded by parse-exr (three.js's
 * EXR reader on its own: uncompressed, RLE, ZIP, PIZ, PXR24, B44 and DWA scanlines) to linear
 * float RGBA, then shown as a screen would: clamped to 0-1 (no exposure or tone curve: what is
 * brighter than white is white) and encoded to sRGB 8-bit.
 */
import parseExr from 'parse-exr';

const MAGIC = 20000630;
const FLOAT_TYPE = 1015;
const RGBA_FORMAT = 1023;

/** Scanlines per chunk, by compression (the header's byte): none, RLE, ZIPS, ZIP, PIZ, PXR24, B44, B44A, DWAA, DWAB. */
const LINES_PER_CHUNK = [1, 1, 1, 16, 32, 16, 32, 32, 32, 256];
const TILED = 0x200;
const DEEP = 0x800;
const MULTIPART = 0x1000;

/**
 * Width and height from the header's data window, read before decoding, once the file is known to
 * hold the whole header, its chunk table and every chunk it names: parse-exr reads a damaged
 * file past its end in a loop that never ends, so nothing damaged reaches it.
 */
export function exrSize(bytes: Buffer): { width: number; height: number } {
  if (bytes.length < 8 || bytes.readUInt32LE(0) !== MAGIC)
    throw new Error('it does not start with the OpenEXR magic number');
  const flags = bytes.readUInt32LE(4);
  if (flags & (TILED | DEEP | MULTIPART))
    throw new Error('tiled, deep and multi-part OpenEXR files are not previewed (scanline images are)');
  let window: number[] | undefined;
  let compression: number | undefined;
  // Attributes: name\0 type\0 size value, until an empty name.
  let at = 8;
  for (;;) {
    if (at >= bytes.length) throw new Error('its header is cut short');
    if (bytes[at] === 0) break;
    const nameEnd = bytes.indexOf(0, at);
    const typeEnd = nameEnd < 0 ? -1 : bytes.indexOf(0, nameEnd + 1);
    if (typeEnd < 0 || typeEnd + 5 > bytes.length) throw new Error('its header is cut short');
    const size = bytes.readInt32LE(typeEnd + 1);
    const value = typeEnd + 5;
    if (size < 0 || value + size > bytes.length) throw new Error('its header is cut short');
    const name = bytes.toString('latin1', at, nameEnd);
    if (name === 'dataWindow' && size >= 16) window = [0, 4, 8, 12].map((o) => bytes.readInt32LE(value + o));
    if (name === 'compression' && size >= 1) compression = bytes[value];
    at = value + size;
  }
  if (!window) throw new Error('its header has no data window');
  const [xMin, yMin, xMax, yMax] = window as [number, number, number, number];
  const width = xMax - xMin + 1;
  const height = yMax - yMin + 1;
  const perChunk = LINES_PER_CHUNK[compression ?? -1];
  if (!perChunk)
    throw new Error(`its compression (${compression ?? 'none given'}) is not one OpenEXR defines`);
  if (!(width > 0 && height > 0)) return { width, height }; // (refused by the caller, saying so)
  const chunks = Math.ceil(height / perChunk);
  const table = at + 1;
  if (table + chunks * 8 > bytes.length) throw new Error('its chunk table is cut short');
  for (let i = 0; i < chunks; i++) {
    const chunk = Number(bytes.readBigUInt64LE(table + i * 8));
    if (chunk + 8 > bytes.length || chunk + 8 + bytes.readInt32LE(chunk + 4) > bytes.length)
      throw new Error('its pixel data is cut short');
  }
  return { width, height };
}

/** Linear light (0-1) to an sRGB byte. */
function srgbByte(linear: number): number {
  const v = linear > 0 ? (linear < 1 ? linear : 1) : 0; // (NaN: 0)
  return Math.round((v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055) * 255);
}

/**
 * Runs `read` with the console silenced: parse-exr writes what it skips there ("EXRLoader:
 * Skipped unknown header attribute type", mostly for damaged files), which landed unformatted
 * in the server's log. It is synchronous, and each preview thread has its own console.
 */
function quietly<T>(read: () => T): T {
  const { warn, error } = console;
  console.warn = console.error = (): void => undefined;
  try {
    return read();
  } finally {
    console.warn = warn;
    console.error = error;
  }
}

/** The image as 8-bit sRGB RGBA, rows top to bottom. */
export function exrPixels(bytes: Buffer): { width: number; height: number; data: Uint8Array } {
  const buffer = (bytes.buffer as ArrayBuffer).slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const { width, height, data, format } = quietly(() => parseExr(buffer, FLOAT_TYPE));
  const channels = format === RGBA_FORMAT ? 4 : 1;
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    // (Rows come bottom to top, as a GPU texture wants them.)
    const row = (height - 1 - y) * width;
    for (let x = 0; x < width; x++) {
      const from = (row + x) * channels;
      const to = (y * width + x) * 4;
      if (channels === 4) {
        for (let c = 0; c < 3; c++) out[to + c] = srgbByte(data[from + c] as number);
        const alpha = data[from + 3] as number;
        out[to + 3] = Math.round((alpha > 0 ? (alpha < 1 ? alpha : 1) : 0) * 255);
      } else {
        out.fill(srgbByte(data[from] as number), to, to + 3);
        out[to + 3] = 255;
      }
    }
  }
  return { width, height, data: out };
}

/**
 * Blender files (`.blend`), where 3D artists keep their scenes and props: Blender stores a small
 * picture of the scene for file browsers near the start of the file (a `TEST` block: width,
 * height, then RGBA rows from the bottom up), after the header and any `REND` blocks, so only the
 * first kilobytes are read, never the scene. Two headers:
 * - before Blender 5.0, 12 bytes: `BLENDER`, the pointer size (`_` 4 bytes, `-` 8), the byte order
 *   (`v` little-endian, `V` big), three digits of version; block headers of 20 or 24 bytes (code,
 *   int32 length, old pointer, SDNA index, count);
 * - from 5.0, 17 bytes: `BLENDER17-01v` and four digits of version; block headers of 32 bytes
 *   (code, SDNA index, 8-byte old pointer, int64 length, int64 count).
 * A file saved with "Compress" is the whole file as gzip (before 3.0) or Zstandard (from 3.0), read
 * as a stream only as far as the picture. (The layout is Blender's own thumbnail reader's,
 * `blendthumb`.) Worker side only.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';

export interface BlendPreview {
  /** 8-bit RGBA, rows top to bottom. */
  width: number;
  height: number;
  data: Uint8Array;
  /** The Blender version that saved the file, as Blender writes it ("4.2", "2.93"). */
  version: string;
}

/** A `.blend` whose picture is not within this many bytes of the start has none (the scene comes first). */
const MAX_BYTES_BEFORE_PICTURE = 16 * 1024 * 1024;
const READ_CHUNK = 64 * 1024;

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/** The file's bytes, decompressed when it was saved compressed, chunk by chunk. */
async function* fileBytes(source: string): AsyncGenerator<Buffer> {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(source, 'r');
  try {
    fs.readSync(fd, head, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  const raw = fs.createReadStream(source, { highWaterMark: READ_CHUNK });
  try {
    if (head.subarray(0, 2).equals(GZIP_MAGIC)) {
      yield* raw.pipe(zlib.createGunzip()) as AsyncIterable<Buffer>;
    } else if (head.equals(ZSTD_MAGIC)) {
      const out: Buffer[] = [];
      const decoder = new ZstdDecompress((chunk) => out.push(Buffer.from(chunk)));
      for await (const chunk of raw as AsyncIterable<Buffer>) {
        decoder.push(chunk);
        yield* out.splice(0);
      }
    } else {
      yield* raw as AsyncIterable<Buffer>;
    }
  } finally {
    raw.destroy();
  }
}

/** Reads a byte stream in exact amounts. */
class ByteReader {
  private buffered = Buffer.alloc(0);
  consumed = 0;

  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  async read(length: number): Promise<Buffer> {
    while (this.buffered.length < length) {
      const next = await this.chunks.next();
      if (next.done) throw new Error('the file ends before its preview picture (cut short?)');
      this.buffered = Buffer.concat([this.buffered, next.value]);
    }
    const bytes = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    this.consumed += length;
    return bytes;
  }
}

interface Layout {
  blockHeaderBytes: number;
  littleEndian: boolean;
  version: string;
  /** The code, and the length of what follows, of a block header. */
  block: (header: Buffer) => { code: string; length: number };
}

async function layoutOf(reader: ByteReader): Promise<Layout> {
  const text = (await reader.read(12)).toString('latin1');
  if (!text.startsWith('BLENDER')) throw new Error('it does not start with "BLENDER"');
  const dotted = (digits: string): string => {
    const n = Number(digits);
    return `${Math.floor(n / 100)}.${n % 100}`;
  };
  // From Blender 5.0: "BLENDER17-01v0500" (header size, pointer size, format version, byte order, version).
  if (text === 'BLENDER17-01') {
    const rest = (await reader.read(5)).toString('latin1');
    if (!/^v\d{4}$/.test(rest)) throw new Error('its header is not one Blender writes');
    return {
      blockHeaderBytes: 32,
      littleEndian: true,
      version: dotted(rest.slice(1)),
      block: (header) => {
        const length = header.readBigInt64LE(16);
        return { code: header.toString('latin1', 0, 4), length: length > 2n ** 31n ? -1 : Number(length) };
      },
    };
  }
  const pointer = text[7] === '_' ? 4 : text[7] === '-' ? 8 : 0;
  const order = text[8];
  if (!pointer || (order !== 'v' && order !== 'V') || !/^\d{3}$/.test(text.slice(9)))
    throw new Error('its header is not one Blender writes');
  const littleEndian = order === 'v';
  return {
    blockHeaderBytes: 16 + pointer,
    littleEndian,
    version: dotted(text.slice(9)),
    block: (header) => ({
      code: header.toString('latin1', 0, 4),
      length: littleEndian ? header.readInt32LE(4) : header.readInt32BE(4),
    }),
  };
}

/** Flips rows bottom-to-top (as Blender stores them) into top-to-bottom. */
function flipRows(data: Buffer, width: number, height: number): Uint8Array {
  const row = width * 4;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++)
    out.set(data.subarray((height - 1 - y) * row, (height - y) * row), y * row);
  return out;
}

async function readPreview(chunks: AsyncIterator<Buffer>, limitInputPixels: number): Promise<BlendPreview> {
  const reader = new ByteReader(chunks);
  const layout = await layoutOf(reader);
  for (;;) {
    const { code, length } = layout.block(await reader.read(layout.blockHeaderBytes));
    if (length < 0) throw new Error(`its ${code} block's length is out of range`);
    if (code === 'REND') {
      if (reader.consumed + length > MAX_BYTES_BEFORE_PICTURE)
        throw new Error('it holds no preview picture near its start');
      await reader.read(length);
      continue;
    }
    // Blender writes its picture before the scene; a file saved without one starts the scene here.
    if (code !== 'TEST')
      throw new Error(
        'it was saved without a preview picture (Blender: Preferences, Save & Load, "Save Preview Images")',
      );
    const shape = await reader.read(8);
    const width = layout.littleEndian ? shape.readInt32LE(0) : shape.readInt32BE(0);
    const height = layout.littleEndian ? shape.readInt32LE(4) : shape.readInt32BE(4);
    if (!(width > 0 && height > 0) || length - 8 !== width * height * 4)
      throw new Error(`its preview picture's size (${width}×${height}) does not match its ${length} bytes`);
    if (width * height > limitInputPixels)
      throw new Error(
        `its preview picture is ${width}×${height} pixels, more than the ${limitInputPixels} previewed`,
      );
    const data = flipRows(await reader.read(length - 8), width, height);
    return { width, height, data, version: layout.version };
  }
}

/** The picture a Blender file holds of its scene, and the version that saved it. */
export async function blendPreviewOf(source: string, limitInputPixels: number): Promise<BlendPreview> {
  const chunks = fileBytes(source);
  try {
    return await readPreview(chunks, limitInputPixels);
  } catch (err) {
    throw new Error(`not a readable Blender file: ${(err as Error).message}`);
  } finally {
    await chunks.return(undefined); // (stops reading: the rest of the file is the scene)
  }
}

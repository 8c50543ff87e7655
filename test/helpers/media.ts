/** Real media made inside the tests: images with sharp, WAV by hand, MP3/OGG/FLAC with encoders from npm. */
import encodeFlac from '@audio/encode-flac';
import encodeMp3 from '@audio/encode-mp3';
import encodeOgg from '@audio/encode-ogg';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import zlib from 'node:zlib';
import yazl from 'yazl';
import { seededRandom } from '../../bench/tools.js';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'avif';

export async function makeImage(
  width: number,
  height: number,
  format: ImageFormat,
  orientation?: number,
  background: { r: number; g: number; b: number } = { r: 200, g: 80, b: 40 },
): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background } });
  const withMeta = orientation ? img.withMetadata({ orientation }) : img;
  return withMeta.toFormat(format).toBuffer();
}

/**
 * `seconds` of a 440 Hz tone at `quiet` amplitude, with the last `burst` seconds at full scale,
 * as planar Float32 channels.
 */
export function toneWithBurst(
  seconds: number,
  sampleRate: number,
  channels: number,
  burst = 1,
  quiet = 0.02,
): Float32Array[] {
  const frames = Math.round(seconds * sampleRate);
  const burstFrom = frames - Math.round(burst * sampleRate);
  return Array.from({ length: channels }, () => {
    const data = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      data[i] = (i >= burstFrom ? 0.95 : quiet) * Math.sin((2 * Math.PI * 440 * i) / sampleRate);
    }
    return data;
  });
}

/** A WAV file: PCM 8 (unsigned), 16 or 24 bit, or 32-bit float (format tag 3). */
export function makeWav(
  channelData: Float32Array[],
  sampleRate: number,
  bits: 8 | 16 | 24 | 32,
  float = false,
): Buffer {
  const channels = channelData.length;
  const frames = channelData[0]?.length ?? 0;
  const bytesPer = bits / 8;
  const dataSize = frames * channels * bytesPer;
  const b = Buffer.alloc(44 + dataSize);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + dataSize, 4);
  b.write('WAVE', 8);
  b.write('fmt ', 12);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(float ? 3 : 1, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * channels * bytesPer, 28);
  b.writeUInt16LE(channels * bytesPer, 32);
  b.writeUInt16LE(bits, 34);
  b.write('data', 36);
  b.writeUInt32LE(dataSize, 40);
  let o = 44;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const v = Math.max(-1, Math.min(1, channelData[c]![i]!));
      if (float) b.writeFloatLE(v, o);
      else if (bits === 8) b.writeUInt8(Math.round(v * 127 + 128), o);
      else if (bits === 16) b.writeInt16LE(Math.round(v * 32767), o);
      else if (bits === 24) b.writeIntLE(Math.round(v * 8388607), o, 3);
      else b.writeInt32LE(Math.round(v * 2147483647), o);
      o += bytesPer;
    }
  }
  return b;
}

/** Encodes planar samples with one of the npm encoders. */
export async function encode(
  format: 'mp3' | 'ogg' | 'flac',
  channelData: Float32Array[],
  sampleRate: number,
): Promise<Buffer> {
  const channels = channelData.length;
  const encoder =
    format === 'mp3'
      ? await encodeMp3({ sampleRate, channels, bitrate: 96 })
      : format === 'ogg'
        ? await encodeOgg({ sampleRate, channels })
        : await encodeFlac({ sampleRate, channels });
  const parts: Uint8Array[] = [];
  const block = 4096;
  const frames = channelData[0]?.length ?? 0;
  for (let i = 0; i < frames; i += block) {
    parts.push(encoder.encode(channelData.map((c) => c.subarray(i, Math.min(frames, i + block)))));
  }
  parts.push(encoder.flush());
  encoder.free();
  return Buffer.concat(parts);
}

type Rgb = { r: number; g: number; b: number };

/**
 * Images libvips does not read, written here byte by byte from the formats' specifications (not
 * by the decoders under test): the top half one colour, the bottom half another, so a thumbnail
 * shows whether rows were flipped or channels swapped.
 */
export function makeBmp(width: number, height: number, top: Rgb, bottom: Rgb, topDown = false): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4; // rows padded to 4 bytes
  const out = Buffer.alloc(54 + row * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10); // pixel data offset
  out.writeUInt32LE(40, 14); // BITMAPINFOHEADER
  out.writeInt32LE(width, 18);
  out.writeInt32LE(topDown ? -height : height, 22); // positive: rows stored bottom to top
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28); // BGR, no alpha
  out.writeUInt32LE(row * height, 34);
  for (let stored = 0; stored < height; stored++) {
    const y = topDown ? stored : height - 1 - stored;
    const c = y < height / 2 ? top : bottom;
    for (let x = 0; x < width; x++) out.set([c.b, c.g, c.r], 54 + stored * row + x * 3);
  }
  return out;
}

/** Uncompressed 32-bit TGA, rows stored bottom to top (the format's default origin). */
export function makeTga(width: number, height: number, top: Rgb, bottom: Rgb): Buffer {
  const out = Buffer.alloc(18 + width * height * 4);
  out[2] = 2; // true colour, uncompressed
  out.writeUInt16LE(width, 12);
  out.writeUInt16LE(height, 14);
  out[16] = 32;
  out[17] = 8; // 8 alpha bits, bottom-left origin
  for (let stored = 0; stored < height; stored++) {
    const c = height - 1 - stored < height / 2 ? top : bottom;
    for (let x = 0; x < width; x++) out.set([c.b, c.g, c.r, 255], 18 + (stored * width + x) * 4);
  }
  return out;
}

/**
 * An 8-bit RGB Photoshop file with its merged image (raw, one plane per channel). `alpha`: a
 * fourth channel of that opacity everywhere, the merged image's transparency (marked, as
 * Photoshop marks it, by a negative layer count: one empty layer); `layerBytes`: a layer section
 * that long (layer info with no layers, then zeros), as a layered file's layers would take room;
 * `large`: a PSB (Photoshop's large document format: 8-byte lengths in the layer section).
 */
export function makePsd(
  width: number,
  height: number,
  top: Rgb,
  bottom: Rgb,
  options: { alpha?: number; layerBytes?: number; large?: boolean } = {},
): Buffer {
  const channels = options.alpha === undefined ? 3 : 4;
  const header = Buffer.alloc(26);
  header.write('8BPS', 0, 'latin1');
  header.writeUInt16BE(options.large ? 2 : 1, 4); // version
  const n = options.large ? 8 : 4; // the layer section's length fields
  const length = (value: number): Buffer => {
    const b = Buffer.alloc(n);
    if (options.large) b.writeBigUInt64BE(BigInt(value));
    else b.writeUInt32BE(value);
    return b;
  };
  header.writeUInt16BE(channels, 12);
  header.writeUInt32BE(height, 14);
  header.writeUInt32BE(width, 18);
  header.writeUInt16BE(8, 22); // bits per channel
  header.writeUInt16BE(3, 24); // RGB
  const noColorModeNorResources = Buffer.alloc(8);
  let layers = Buffer.alloc(n); // none
  if (options.alpha !== undefined) {
    // Layer info: count -1, one record (empty bounds, no channels, 8BIM norm, opaque, no extras).
    const info = Buffer.alloc(2 + 46);
    info.writeInt16BE(-1, 0);
    info.write('8BIM', 20, 'latin1');
    info.write('norm', 24, 'latin1');
    info[28] = 255;
    info.writeUInt32BE(12, 32);
    const section = Buffer.concat([length(info.length), info, Buffer.alloc(4)]); // + no global mask
    layers = Buffer.concat([length(section.length), section]);
  } else if (options.layerBytes) {
    const infoLength = options.layerBytes - 2 * n - 4; // a count of 0, then zeros
    layers = Buffer.concat([
      length(options.layerBytes - n),
      length(infoLength),
      Buffer.alloc(options.layerBytes - 2 * n),
    ]);
  }
  const planes = Buffer.alloc(2 + width * height * channels); // compression 0: raw
  (['r', 'g', 'b'] as const).forEach((channel, i) => {
    for (let y = 0; y < height; y++) {
      const at = 2 + i * width * height + y * width;
      planes.fill((y < height / 2 ? top : bottom)[channel], at, at + width);
    }
  });
  if (options.alpha !== undefined) planes.fill(options.alpha, 2 + 3 * width * height);
  return Buffer.concat([header, noColorModeNorResources, layers, planes]);
}

/** An SVG drawing of the same two halves. */
export const makeSvg = (width: number, height: number, top: Rgb, bottom: Rgb): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
  `<rect width="${width}" height="${height / 2}" fill="rgb(${top.r},${top.g},${top.b})"/>` +
  `<rect y="${height / 2}" width="${width}" height="${height / 2}" fill="rgb(${bottom.r},${bottom.g},${bottom.b})"/></svg>`;

/** A document's zip stores its first entry, `mimetype`, as it is (both formats want it so). */
const mimetypeStored = (index: number): boolean => index === 0;

/** A zip archive of these entries: those `stored` says (by index) as they are, the rest deflated. */
function makeZip(
  entries: Array<[string, Buffer | string]>,
  stored: (index: number) => boolean,
): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  entries.forEach(([name, data], i) => zip.addBuffer(Buffer.from(data), name, { compress: !stored(i) }));
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}

/** The two halves as a PNG (made by libvips, as Krita's and OpenRaster's writers make theirs). */
async function halvesPng(width: number, height: number, top: Rgb, bottom: Rgb): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const c = y < height / 2 ? top : bottom;
    for (let x = 0; x < width; x++) raw.set([c.r, c.g, c.b, 255], (y * width + x) * 4);
  }
  return sharp(raw, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/**
 * A Krita document as Krita 5 writes one: its mimetype, the document XML, a layer's own data
 * (not a picture: only the flattened one is previewed), a small preview and the flattened
 * `mergedimage.png`, which `merged: false` leaves out.
 */
export async function makeKra(
  width: number,
  height: number,
  top: Rgb,
  bottom: Rgb,
  merged = true,
): Promise<Buffer> {
  return makeZip(
    [
      ['mimetype', 'application/x-krita'],
      [
        'maindoc.xml',
        `<?xml version="1.0"?><DOC syntaxVersion="2"><IMAGE width="${width}" height="${height}" name="sketch" mime="application/x-kra"/></DOC>`,
      ],
      ['sketch/layers/layer2', Buffer.alloc(4096, 7)],
      ['preview.png', await halvesPng(16, 16, bottom, top)],
      ...(merged
        ? [['mergedimage.png', await halvesPng(width, height, top, bottom)] as [string, Buffer]]
        : []),
    ],
    mimetypeStored,
  );
}

/**
 * A Clip Studio Paint document as its chunks are described (see src/previews/clip-studio.ts):
 * `CSFCHUNK` with the file's length and the first chunk's place, then `CHNKHead`, a `CHNKExta`
 * standing for the layers' data, `CHNKSQLi` holding a SQLite database (the `Canvas` table with the
 * canvas's size, `CanvasPreview` with a PNG of half that size in two colours), and `CHNKFoot`.
 * `preview: false` leaves the preview table empty.
 */
export async function makeClip(
  width: number,
  height: number,
  top: Rgb,
  bottom: Rgb,
  { preview = true }: { preview?: boolean } = {},
): Promise<Buffer> {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE Canvas (_PW_ID INTEGER PRIMARY KEY, MainId INTEGER, CanvasUnit INTEGER,
      CanvasWidth REAL, CanvasHeight REAL, CanvasResolution REAL);
    CREATE TABLE CanvasPreview (_PW_ID INTEGER PRIMARY KEY, MainId INTEGER, CanvasId INTEGER,
      ImageType INTEGER, ImageWidth INTEGER, ImageHeight INTEGER, ImageData BLOB);`);
  db.prepare('INSERT INTO Canvas VALUES (1, 1, 0, ?, ?, 350)').run(width, height);
  const [pw, ph] = [Math.round(width / 2), Math.round(height / 2)];
  if (preview)
    db.prepare('INSERT INTO CanvasPreview VALUES (1, 1, 1, 1, ?, ?, ?)').run(
      pw,
      ph,
      await halvesPng(pw, ph, top, bottom),
    );
  const database = db.serialize();
  db.close();
  const chunk = (name: string, body: Buffer): Buffer => {
    const header = Buffer.alloc(16);
    header.write(name, 0, 'latin1');
    header.writeBigUInt64BE(BigInt(body.length), 8);
    return Buffer.concat([header, body]);
  };
  const chunks = Buffer.concat([
    chunk('CHNKHead', Buffer.alloc(40)),
    chunk('CHNKExta', Buffer.alloc(4096, 7)),
    chunk('CHNKSQLi', database),
    chunk('CHNKFoot', Buffer.alloc(0)),
  ]);
  const head = Buffer.alloc(24);
  head.write('CSFCHUNK', 0, 'latin1');
  head.writeBigUInt64BE(BigInt(24 + chunks.length), 8);
  head.writeBigUInt64BE(24n, 16);
  return Buffer.concat([head, chunks]);
}

/**
 * A Zstandard stream of `data` (RFC 8878) in stored blocks, in frames of at most `frameBytes`,
 * ending with a skippable frame, as Blender's compressed files end with their seek table. (Stored
 * blocks: a stream any decoder reads, made without a compressor.)
 */
export function zstdStored(data: Buffer, frameBytes = 100_000): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += frameBytes) {
    const frame = data.subarray(at, at + frameBytes);
    // Magic, no content size nor checksum, a window of 128 KiB (a stored block may not be larger).
    parts.push(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]));
    for (let b = 0; b < frame.length || b === 0; b += 128 * 1024) {
      const block = frame.subarray(b, b + 128 * 1024);
      const last = b + 128 * 1024 >= frame.length ? 1 : 0;
      const header = Buffer.alloc(3);
      header.writeUIntLE((block.length << 3) | last, 0, 3); // (type 0: stored)
      parts.push(header, block);
    }
  }
  const table = Buffer.alloc(8 + 12);
  table.writeUInt32LE(0x184d2a5e, 0);
  table.writeUInt32LE(12, 4);
  parts.push(table);
  return Buffer.concat(parts);
}

/** The header of a `.blend` file: before Blender 5.0 (`pointer` bytes, byte order, 3 digits), or 5.0's. */
export type BlendHeader =
  { version: string; pointer: 4 | 8; littleEndian: boolean } | { version: string; large: true };

/**
 * A Blender file as Blender's thumbnail reader walks it (see src/previews/blend.ts): its header, a
 * `REND` block, the `TEST` block with a picture of the scene (`width` × `height`, its top half
 * `top`, its bottom half `bottom`, stored bottom row first), then blocks standing for the scene
 * (`GLOB`, `DNA1`) and `ENDB`. `preview: false` leaves the `TEST` block out; `compress` saves it
 * as Blender's "Compress" does (gzip before 3.0, Zstandard from 3.0).
 */
export function makeBlend(
  width: number,
  height: number,
  top: Rgb,
  bottom: Rgb,
  header: BlendHeader,
  { preview = true, compress }: { preview?: boolean; compress?: 'gzip' | 'zstd' } = {},
): Buffer {
  const large = 'large' in header;
  const little = large || header.littleEndian;
  const int32 = (value: number): Buffer => {
    const b = Buffer.alloc(4);
    if (little) b.writeInt32LE(value);
    else b.writeInt32BE(value);
    return b;
  };
  const block = (code: string, body: Buffer): Buffer => {
    const name = Buffer.from(code, 'latin1');
    if (large) {
      const rest = Buffer.alloc(28);
      rest.writeInt32LE(0, 0); // SDNA index
      rest.writeBigUInt64LE(0x7f00_1234_5678n, 4); // old pointer
      rest.writeBigInt64LE(BigInt(body.length), 12);
      rest.writeBigInt64LE(1n, 20);
      return Buffer.concat([name, rest, body]);
    }
    const pointer = Buffer.alloc(header.pointer, 0x5a);
    return Buffer.concat([name, int32(body.length), pointer, int32(0), int32(1), body]);
  };
  const rows: Buffer[] = [];
  for (let y = height - 1; y >= 0; y--) {
    const { r, g, b } = y < height / 2 ? top : bottom;
    rows.push(fill(width, r, g, b, 255));
  }
  const start = large
    ? `BLENDER17-01v${header.version}`
    : `BLENDER${header.pointer === 8 ? '-' : '_'}${header.littleEndian ? 'v' : 'V'}${header.version}`;
  const file = Buffer.concat([
    Buffer.from(start, 'latin1'),
    block('REND', Buffer.alloc(72, 1)),
    ...(preview ? [block('TEST', Buffer.concat([int32(width), int32(height), ...rows]))] : []),
    block('GLOB', Buffer.alloc(1024, 2)),
    block('DNA1', Buffer.alloc(4096, 3)),
    block('ENDB', Buffer.alloc(0)),
  ]);
  if (compress === 'gzip') return zlib.gzipSync(file);
  if (compress === 'zstd') return zstdStored(file);
  return file;
}

export interface AseLayer {
  name: string;
  visible?: boolean;
  /** A group (its children follow it, a level deeper). */
  group?: boolean;
  level?: number;
  opacity?: number;
  background?: boolean;
}

export interface AseCel {
  layer: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Row by row: RGBA, value and alpha, or palette indices, by the sprite's depth. */
  pixels: Buffer;
  opacity?: number;
  /** zlib-compressed (cel type 2) rather than raw (0). */
  compressed?: boolean;
}

/** A cel of a later frame that repeats the same layer's cel of frame `link` (cel type 1). */
export interface AseLinkedCel {
  layer: number;
  link: number;
}

/** A frame after the first: its cels and how long it shows (ms; 100 unless said). */
export interface AseFrame {
  cels: Array<AseCel | AseLinkedCel>;
  duration?: number;
}

/**
 * An Aseprite sprite, written by the format's specification (a 128-byte header, then frames: a
 * frame header and its chunks, the first frame holding a palette, the layers and its cels);
 * layer opacity marked valid.
 */
export function makeAseprite({
  width,
  height,
  depth,
  layers,
  cels,
  palette = [],
  transparentIndex = 0,
  frames = 1,
  duration = 100,
  later = [],
}: {
  width: number;
  height: number;
  depth: 32 | 16 | 8;
  /** Frames in all: the first and `later`, then empty frames (no cels: nothing is drawn). */
  frames?: number;
  layers: AseLayer[];
  /** The first frame's cels. */
  cels: AseCel[];
  /** The first frame's duration (ms). */
  duration?: number;
  later?: AseFrame[];
  palette?: Array<[number, number, number, number]>;
  transparentIndex?: number;
}): Buffer {
  const chunk = (type: number, body: Buffer): Buffer => {
    const header = Buffer.alloc(6);
    header.writeUInt32LE(6 + body.length, 0);
    header.writeUInt16LE(type, 4);
    return Buffer.concat([header, body]);
  };
  const celChunk = (cel: AseCel | AseLinkedCel): Buffer => {
    const head = Buffer.alloc('link' in cel ? 18 : 20);
    head.writeUInt16LE(cel.layer, 0);
    if ('link' in cel) {
      head.writeUInt16LE(1, 7);
      head.writeUInt16LE(cel.link, 16);
      return chunk(0x2005, head);
    }
    head.writeInt16LE(cel.x, 2);
    head.writeInt16LE(cel.y, 4);
    head.writeUInt8(cel.opacity ?? 255, 6);
    head.writeUInt16LE(cel.compressed ? 2 : 0, 7);
    head.writeUInt16LE(cel.width, 16);
    head.writeUInt16LE(cel.height, 18);
    return chunk(0x2005, Buffer.concat([head, cel.compressed ? zlib.deflateSync(cel.pixels) : cel.pixels]));
  };
  const frame = (chunks: Buffer[], ms: number): Buffer => {
    const head = Buffer.alloc(16);
    const body = Buffer.concat(chunks);
    head.writeUInt32LE(16 + body.length, 0);
    head.writeUInt16LE(0xf1fa, 4);
    head.writeUInt16LE(chunks.length, 6);
    head.writeUInt16LE(ms, 8);
    head.writeUInt32LE(chunks.length, 12);
    return Buffer.concat([head, body]);
  };
  const first: Buffer[] = [];
  if (palette.length) {
    const body = Buffer.alloc(20 + palette.length * 6);
    body.writeUInt32LE(palette.length, 0);
    body.writeUInt32LE(palette.length - 1, 8);
    palette.forEach((rgba, i) => body.set([0, 0, ...rgba], 20 + i * 6));
    first.push(chunk(0x2019, body));
  }
  for (const layer of layers) {
    const name = Buffer.from(layer.name);
    const body = Buffer.alloc(18 + name.length);
    body.writeUInt16LE((layer.visible === false ? 0 : 1) | 2 | (layer.background ? 8 : 0), 0);
    body.writeUInt16LE(layer.group ? 1 : 0, 2);
    body.writeUInt16LE(layer.level ?? 0, 4);
    body.writeUInt8(layer.opacity ?? 255, 12);
    body.writeUInt16LE(name.length, 16);
    name.copy(body, 18);
    first.push(chunk(0x2004, body));
  }
  first.push(...cels.map(celChunk));
  const count = Math.max(frames, 1 + later.length);
  const body = [
    frame(first, duration),
    ...later.map((f) => frame(f.cels.map(celChunk), f.duration ?? 100)),
    ...Array.from({ length: count - 1 - later.length }, () => frame([], 100)),
  ];
  const header = Buffer.alloc(128);
  header.writeUInt32LE(128 + body.reduce((sum, b) => sum + b.length, 0), 0);
  header.writeUInt16LE(0xa5e0, 4);
  header.writeUInt16LE(count, 6);
  header.writeUInt16LE(width, 8);
  header.writeUInt16LE(height, 10);
  header.writeUInt16LE(depth, 12);
  header.writeUInt32LE(1, 14); // layer opacity valid
  header.writeUInt16LE(100, 18);
  header.writeUInt8(transparentIndex, 28);
  header.writeUInt16LE(palette.length, 32);
  return Buffer.concat([header, ...body]);
}

/** `count` pixels of one value (an RGBA colour, a grey and alpha, or an index). */
export const fill = (count: number, ...pixel: number[]): Buffer =>
  Buffer.concat(Array.from({ length: count }, () => Buffer.from(pixel)));

/** An OpenRaster document: mimetype, stack.xml, a layer PNG, a thumbnail and `mergedimage.png`. */
export async function makeOra(width: number, height: number, top: Rgb, bottom: Rgb): Promise<Buffer> {
  return makeZip(
    [
      ['mimetype', 'image/openraster'],
      ['stack.xml', `<image w="${width}" h="${height}"><stack><layer src="data/ink.png"/></stack></image>`],
      ['data/ink.png', await halvesPng(width, height, bottom, bottom)],
      ['Thumbnails/thumbnail.png', await halvesPng(16, 16, bottom, top)],
      ['mergedimage.png', await halvesPng(width, height, top, bottom)],
    ],
    mimetypeStored,
  );
}

/**
 * A picture with structure, like art: a seeded layout of overlapping coloured shapes on a
 * gradient (a flat or uniform image would say nothing about a fingerprint). Same seed, same
 * picture at any size.
 */
export async function makeScene(seed: number, width: number, height: number): Promise<Buffer> {
  const rand = seededRandom(seed);
  const colour = (): string =>
    `rgb(${Math.floor(rand() * 256)},${Math.floor(rand() * 256)},${Math.floor(rand() * 256)})`;
  const shapes: string[] = [];
  for (let i = 0; i < 12; i++) {
    const x = rand() * width;
    const y = rand() * height;
    const size = (0.08 + rand() * 0.3) * Math.min(width, height);
    shapes.push(
      rand() < 0.5
        ? `<circle cx="${x}" cy="${y}" r="${size / 2}" fill="${colour()}"/>`
        : `<rect x="${x - size / 2}" y="${y - size / 3}" width="${size}" height="${(size * 2) / 3}" fill="${colour()}"/>`,
    );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>${shapes.join('')}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/**
 * Pictures for the similar-pictures tests: a scene, the same scene retouched (cropped a little,
 * brightened, halved and saved as a JPEG: a few fingerprint bits away), and another scene.
 */
export async function lookAlikes(): Promise<{ scene: Buffer; retouched: Buffer; other: Buffer }> {
  const scene = await makeScene(1, 800, 600);
  const retouched = await sharp(scene)
    .extract({ left: 16, top: 12, width: 768, height: 576 })
    .resize(400)
    .modulate({ brightness: 1.1 })
    .jpeg({ quality: 60 })
    .toBuffer();
  return { scene, retouched, other: await makeScene(2, 640, 480) };
}

/** One EBML element: its id (hex), a size, then the payload. */
function ebml(idHex: string, payload: Buffer): Buffer {
  const size =
    payload.length < 0x7f
      ? Buffer.from([0x80 | payload.length])
      : Buffer.from([0x40 | (payload.length >> 8), payload.length & 0xff]);
  return Buffer.concat([Buffer.from(idHex, 'hex'), size, payload]);
}
const ebmlUint = (n: number): Buffer => {
  const bytes: number[] = [];
  for (let v = n; v > 0 || !bytes.length; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from(bytes);
};
const ebmlFloat = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(n);
  return b;
};

/**
 * The headers of a WebM video (EBML header, segment info with its length, one VP8 video track
 * of that frame size), as a muxer writes them before the first cluster: what a reader of
 * container facts needs, no frame.
 */
export function makeWebmHeaders(seconds: number, width: number, height: number): Buffer {
  const header = ebml(
    '1a45dfa3',
    Buffer.concat([
      ebml('4286', ebmlUint(1)),
      ebml('42f7', ebmlUint(1)),
      ebml('42f2', ebmlUint(4)),
      ebml('42f3', ebmlUint(8)),
      ebml('4282', Buffer.from('webm')),
      ebml('4287', ebmlUint(4)),
      ebml('4285', ebmlUint(2)),
    ]),
  );
  const info = ebml(
    '1549a966',
    Buffer.concat([
      ebml('2ad7b1', ebmlUint(1_000_000)), // timecodes in ms
      ebml('4489', ebmlFloat(seconds * 1000)),
      ebml('4d80', Buffer.from('test')),
      ebml('5741', Buffer.from('test')),
    ]),
  );
  const track = ebml(
    'ae',
    Buffer.concat([
      ebml('d7', ebmlUint(1)),
      ebml('73c5', ebmlUint(1)),
      ebml('83', ebmlUint(1)), // video
      ebml('86', Buffer.from('V_VP8')),
      ebml('e0', Buffer.concat([ebml('b0', ebmlUint(width)), ebml('ba', ebmlUint(height))])),
    ]),
  );
  const segment = ebml('18538067', Buffer.concat([info, ebml('1654ae6b', track)]));
  return Buffer.concat([header, segment]);
}

type Rgba = { r: number; g: number; b: number; a?: number };

/**
 * One BC7 block in mode 6 (one subset, 7-bit RGBA endpoints each with a shared low bit, a 4-bit
 * index per pixel), written bit by bit as the format's specification lays it out: the mode's
 * unary bits, R0 R1 G0 G1 B0 B1 A0 A1, the two endpoints' low bits, then the sixteen indices in
 * pixel order, row by row (the first one bit shorter, its top bit being 0). An endpoint's 8-bit
 * value is exact when all its channels are odd, or all even.
 */
export function bc7Mode6Block(e0: Required<Rgba>, e1: Required<Rgba>, indices: readonly number[]): Buffer {
  const block = Buffer.alloc(16);
  let at = 0;
  const put = (value: number, bits: number): void => {
    for (let i = 0; i < bits; i++, at++)
      if ((value >> i) & 1) block.writeUInt8(block.readUInt8(at >> 3) | (1 << (at & 7)), at >> 3);
  };
  put(1 << 6, 7); // mode 6
  for (const channel of ['r', 'g', 'b', 'a'] as const) for (const e of [e0, e1]) put(e[channel] >> 1, 7);
  put(e0.r & 1, 1);
  put(e1.r & 1, 1);
  indices.forEach((index, i) => put(index, i === 0 ? 3 : 4));
  return block;
}

/**
 * A DDS file of one mipmap level: its header, with the pixel format given as a FourCC (a
 * four-letter name, or a number for Direct3D 9's float formats) or, under a DX10 header, as a
 * DXGI format number; then `data`, the top level's pixels or blocks, as they are.
 */
export function ddsFile(
  width: number,
  height: number,
  format: { fourCC: string | number } | { dxgi: number },
  data: Buffer,
): Buffer {
  const header = Buffer.alloc(128);
  header.write('DDS ', 0, 'latin1');
  header.writeUInt32LE(124, 4);
  header.writeUInt32LE(0x1 | 0x2 | 0x4 | 0x1000, 8); // caps, height, width, pixel format
  header.writeUInt32LE(height, 12);
  header.writeUInt32LE(width, 16);
  header.writeUInt32LE(1, 28); // one mipmap level
  header.writeUInt32LE(32, 76); // pixel format size
  header.writeUInt32LE(0x4, 80); // FourCC
  header.writeUInt32LE(0x1000, 108); // DDSCAPS_TEXTURE
  if ('dxgi' in format) {
    header.write('DX10', 84, 'latin1');
    const dx10 = Buffer.alloc(20);
    dx10.writeUInt32LE(format.dxgi, 0);
    dx10.writeUInt32LE(3, 4); // a 2D texture
    dx10.writeUInt32LE(1, 12);
    return Buffer.concat([header, dx10, data]);
  }
  if (typeof format.fourCC === 'number') header.writeUInt32LE(format.fourCC, 84);
  else header.write(format.fourCC, 84, 'latin1');
  return Buffer.concat([header, data]);
}

/**
 * A DDS texture, as a game engine or a mod ships it: block-compressed DXT1 or BC7 (each 4 × 4
 * block one colour, `paint` of its top-left pixel), uncompressed 32-bit BGRA, or BC6H (HDR, which
 * the previews do not read; its blocks are zeros).
 */
export function makeDds(
  width: number,
  height: number,
  paint: (x: number, y: number) => Rgba,
  format: 'dxt1' | 'bgra32' | 'bc7' | 'bc6h',
): Buffer {
  const blocksX = Math.ceil(width / 4);
  const blocksY = Math.ceil(height / 4);
  const eachBlock = (block: (colour: Required<Rgba>) => Buffer): Buffer => {
    const blocks: Buffer[] = [];
    for (let by = 0; by < blocksY; by++)
      for (let bx = 0; bx < blocksX; bx++) {
        const { r, g, b, a = 255 } = paint(bx * 4, by * 4);
        blocks.push(block({ r, g, b, a }));
      }
    return Buffer.concat(blocks);
  };
  if (format === 'bgra32') {
    const pixels = Buffer.alloc(width * height * 4);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const { r, g, b, a = 255 } = paint(x, y);
        pixels.set([b, g, r, a], (y * width + x) * 4);
      }
    const file = ddsFile(width, height, { fourCC: 0 }, pixels);
    file.writeUInt32LE(0x40 | 0x1, 80); // RGB, alpha: no FourCC
    file.writeUInt32LE(32, 88);
    [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000].forEach((mask, i) =>
      file.writeUInt32LE(mask, 92 + 4 * i),
    );
    return file;
  }
  if (format === 'bc7')
    return ddsFile(
      width,
      height,
      { dxgi: 98 }, // DXGI_FORMAT_BC7_UNORM
      eachBlock((colour) => bc7Mode6Block(colour, colour, new Array<number>(16).fill(0))),
    );
  if (format === 'bc6h') return ddsFile(width, height, { dxgi: 95 }, Buffer.alloc(blocksX * blocksY * 16));
  return ddsFile(
    width,
    height,
    { fourCC: 'DXT1' },
    eachBlock(({ r, g, b }) => {
      const block = Buffer.alloc(8);
      const c565 = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
      block.writeUInt16LE(c565, 0);
      block.writeUInt16LE(c565, 2); // every pixel index 0: colour 0
      return block;
    }),
  );
}

/**
 * An OpenEXR image written by the file format's specification: one part, scanlines, no
 * compression, 32-bit float R, G, B (and A) channels; `paint` gives each pixel's linear light.
 */
export function makeExr(
  width: number,
  height: number,
  paint: (x: number, y: number) => { r: number; g: number; b: number; a?: number },
  alpha = false,
  extra: Array<{ name: string; type: string; value: Buffer }> = [],
): Buffer {
  const attribute = (name: string, type: string, value: Buffer): Buffer => {
    const size = Buffer.alloc(4);
    size.writeInt32LE(value.length);
    return Buffer.concat([Buffer.from(`${name}\0${type}\0`, 'latin1'), size, value]);
  };
  const ints = (...values: number[]): Buffer => {
    const b = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => b.writeInt32LE(v, i * 4));
    return b;
  };
  const floats = (...values: number[]): Buffer => {
    const b = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => b.writeFloatLE(v, i * 4));
    return b;
  };
  const names = alpha ? ['A', 'B', 'G', 'R'] : ['B', 'G', 'R']; // (stored in name order)
  const chlist = Buffer.concat([
    ...names.map((n) =>
      Buffer.concat([Buffer.from(`${n}\0`, 'latin1'), ints(2), Buffer.alloc(4), ints(1, 1)]),
    ),
    Buffer.from([0]),
  ]);
  const header = Buffer.concat([
    ints(20000630, 2),
    attribute('channels', 'chlist', chlist),
    attribute('compression', 'compression', Buffer.from([0])),
    attribute('dataWindow', 'box2i', ints(0, 0, width - 1, height - 1)),
    attribute('displayWindow', 'box2i', ints(0, 0, width - 1, height - 1)),
    attribute('lineOrder', 'lineOrder', Buffer.from([0])),
    attribute('pixelAspectRatio', 'float', floats(1)),
    attribute('screenWindowCenter', 'v2f', floats(0, 0)),
    attribute('screenWindowWidth', 'float', floats(1)),
    ...extra.map(({ name, type, value }) => attribute(name, type, value)),
    Buffer.from([0]),
  ]);
  const lineBytes = width * names.length * 4;
  const offsets = Buffer.alloc(height * 8);
  const lines: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    offsets.writeBigUInt64LE(BigInt(header.length + offsets.length + y * (8 + lineBytes)), y * 8);
    const pixels = Array.from({ length: width }, (_, x) => paint(x, y));
    const channel = (n: string) =>
      floats(...pixels.map((p) => (n === 'A' ? (p.a ?? 1) : n === 'B' ? p.b : n === 'G' ? p.g : p.r)));
    lines.push(ints(y, lineBytes), ...names.map(channel));
  }
  return Buffer.concat([header, offsets, ...lines]);
}

/** A PNG of one colour. */
export const solidPicture = (r: number, g: number, b: number): Promise<Buffer> =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

/** A night sky over snow: the top two thirds dark blue, the rest white. */
export const skyPicture = (): Promise<Buffer> =>
  sharp({ create: { width: 90, height: 60, channels: 3, background: { r: 20, g: 40, b: 150 } } })
    .composite([
      {
        input: { create: { width: 90, height: 20, channels: 3, background: { r: 240, g: 240, b: 245 } } },
        top: 40,
        left: 0,
      },
    ])
    .png()
    .toBuffer();

/** A sprite: a green disc on a transparent ground. */
export const spritePicture = (): Promise<Buffer> =>
  sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80"><circle cx="40" cy="40" r="30" fill="#1ea03c"/></svg>',
    ),
  )
    .png()
    .toBuffer();

/**
 * A glTF 2.0 model of a cube (12 triangles; 24 vertices, each face its own normals) of one
 * colour, with `animations` spin animations, as its JSON and its binary buffer (positions,
 * normals, indices, and the animations' keyframes). `images`: texture URIs it names (a
 * texture each, on no material). See makeGlb and makeGltf.
 */
export function gltfCube({
  color = [0.8, 0.1, 0.1],
  animations = 0,
  images = [],
  bufferUri,
}: {
  color?: [number, number, number];
  animations?: number;
  images?: string[];
  /** The buffer's URI (a `.gltf` beside its `.bin`); none in a GLB. */
  bufferUri?: string;
} = {}): { json: Record<string, unknown>; bin: Buffer } {
  const faces: Array<{ n: number[]; corners: number[][] }> = [
    {
      n: [1, 0, 0],
      corners: [
        [1, -1, -1],
        [1, 1, -1],
        [1, 1, 1],
        [1, -1, 1],
      ],
    },
    {
      n: [-1, 0, 0],
      corners: [
        [-1, -1, 1],
        [-1, 1, 1],
        [-1, 1, -1],
        [-1, -1, -1],
      ],
    },
    {
      n: [0, 1, 0],
      corners: [
        [-1, 1, -1],
        [-1, 1, 1],
        [1, 1, 1],
        [1, 1, -1],
      ],
    },
    {
      n: [0, -1, 0],
      corners: [
        [-1, -1, 1],
        [-1, -1, -1],
        [1, -1, -1],
        [1, -1, 1],
      ],
    },
    {
      n: [0, 0, 1],
      corners: [
        [-1, -1, 1],
        [1, -1, 1],
        [1, 1, 1],
        [-1, 1, 1],
      ],
    },
    {
      n: [0, 0, -1],
      corners: [
        [1, -1, -1],
        [-1, -1, -1],
        [-1, 1, -1],
        [1, 1, -1],
      ],
    },
  ];
  const positions = new Float32Array(faces.flatMap((f) => f.corners.flat()));
  const normals = new Float32Array(faces.flatMap((f) => [f.n, f.n, f.n, f.n].flat()));
  const indices = new Uint16Array(faces.flatMap((_, i) => [0, 1, 2, 0, 2, 3].map((c) => c + i * 4)));
  const times = new Float32Array([0, 1]);
  const turns = new Float32Array([0, 0, 0, 1, 0, 1, 0, 0]); // no turn, then half a turn about y
  const parts = [positions, normals, indices, ...(animations ? [times, turns] : [])].map((a) => {
    const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    return Buffer.concat([bytes, Buffer.alloc((4 - (bytes.length % 4)) % 4)]);
  });
  const offsets = parts.map((_, i) => parts.slice(0, i).reduce((sum, p) => sum + p.length, 0));
  const bin = Buffer.concat(parts);
  const view = (i: number, target?: number) => ({
    buffer: 0,
    byteOffset: offsets[i],
    byteLength: parts[i]!.length,
    ...(target ? { target } : {}),
  });
  const json = {
    asset: { version: '2.0', generator: 'asset-registry tests' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name: 'cube' }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0, NORMAL: 1 }, indices: 2, material: 0 }] }],
    materials: [
      { pbrMetallicRoughness: { baseColorFactor: [...color, 1], metallicFactor: 0, roughnessFactor: 0.7 } },
    ],
    buffers: [{ byteLength: bin.length, ...(bufferUri ? { uri: bufferUri } : {}) }],
    bufferViews: [view(0, 34962), view(1, 34962), view(2, 34963), ...(animations ? [view(3), view(4)] : [])],
    accessors: [
      { bufferView: 0, componentType: 5126, count: 24, type: 'VEC3', min: [-1, -1, -1], max: [1, 1, 1] },
      { bufferView: 1, componentType: 5126, count: 24, type: 'VEC3' },
      { bufferView: 2, componentType: 5123, count: 36, type: 'SCALAR' },
      ...(animations
        ? [
            { bufferView: 3, componentType: 5126, count: 2, type: 'SCALAR', min: [0], max: [1] },
            { bufferView: 4, componentType: 5126, count: 2, type: 'VEC4' },
          ]
        : []),
    ],
    animations: Array.from({ length: animations }, (_, i) => ({
      name: `spin-${i + 1}`,
      samplers: [{ input: 3, output: 4 }],
      channels: [{ sampler: 0, target: { node: 0, path: 'rotation' } }],
    })),
    ...(images.length
      ? { images: images.map((uri) => ({ uri })), textures: images.map((_, source) => ({ source })) }
      : {}),
  };
  return { json, bin };
}

/** The cube of gltfCube as a GLB: a 12-byte header, its JSON chunk, its binary chunk. */
export function makeGlb(options: Parameters<typeof gltfCube>[0] = {}): Buffer {
  const { json, bin } = gltfCube(options);
  return glbOf(json, bin);
}

/** A GLB of this JSON and binary chunk. */
export function glbOf(json: Record<string, unknown>, bin: Buffer): Buffer {
  let text = Buffer.from(JSON.stringify(json));
  text = Buffer.concat([text, Buffer.alloc((4 - (text.length % 4)) % 4, 0x20)]);
  const chunk = (type: number, body: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(body.length, 0);
    head.writeUInt32LE(type, 4);
    return Buffer.concat([head, body]);
  };
  const body = Buffer.concat([chunk(0x4e4f534a, text), chunk(0x004e4942, bin)]);
  const header = Buffer.alloc(12);
  header.writeUInt32LE(0x46546c67, 0);
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + body.length, 8);
  return Buffer.concat([header, body]);
}

/**
 * A cube as Wavefront OBJ text: 8 vertices, 6 quad faces (12 triangles), using material
 * `material` from the library `library` (when given). See objMaterialLibrary.
 */
export function makeObjCube({
  library,
  material = 'paint',
}: { library?: string; material?: string } = {}): string {
  const corners = [-1, 1].flatMap((x) => [-1, 1].flatMap((y) => [-1, 1].map((z) => `v ${x} ${y} ${z}`)));
  // Corner n is at x = n & 4, y = n & 2, z = n & 1 (1-based below), faces wound outwards.
  const faces = ['1 2 4 3', '5 7 8 6', '1 5 6 2', '3 4 8 7', '1 3 7 5', '2 6 8 4'];
  return [
    '# a cube, written by the tests',
    ...(library ? [`mtllib ${library}`] : []),
    'o cube',
    ...corners,
    `usemtl ${material}`,
    ...faces.map((f) => `f ${f}`),
    '',
  ].join('\n');
}

/** A material library of one diffuse colour (0–1 each), with texture lines naming `maps`. */
export const objMaterialLibrary = (
  name: string,
  [r, g, b]: [number, number, number],
  maps: string[] = [],
): string => [`newmtl ${name}`, `Kd ${r} ${g} ${b}`, 'Ka 0 0 0', 'd 1', ...maps, ''].join('\n');

/** A property of an FBX node: a string, a 64-bit or 32-bit integer, a double, an array of doubles or ints, raw bytes. */
export type FbxProperty =
  | ['S', string]
  | ['L', number]
  | ['I', number]
  | ['D', number]
  | ['d', number[]]
  | ['i', number[], { compressed?: boolean; stream?: Buffer }?]
  | ['R', Buffer];

export interface FbxNodeSpec {
  name: string;
  props?: FbxProperty[];
  children?: FbxNodeSpec[];
}

function fbxProperty([type, value, options]: FbxProperty): Buffer {
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const code = Buffer.from(type, 'latin1');
  if (type === 'S' || type === 'R') {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    return Buffer.concat([code, u32(bytes.length), bytes]);
  }
  if (type === 'L') {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(value));
    return Buffer.concat([code, b]);
  }
  if (type === 'I' || type === 'D') {
    const b = Buffer.alloc(type === 'I' ? 4 : 8);
    if (type === 'I') b.writeInt32LE(value);
    else b.writeDoubleLE(value);
    return Buffer.concat([code, b]);
  }
  const values = value;
  const raw = Buffer.alloc(values.length * (type === 'd' ? 8 : 4));
  values.forEach((v, i) => (type === 'd' ? raw.writeDoubleLE(v, i * 8) : raw.writeInt32LE(v, i * 4)));
  // (`stream`: the compressed bytes stored instead, whatever they inflate to.)
  const compressed = type === 'i' && (options?.compressed || options?.stream);
  const data = type === 'i' && options?.stream ? options.stream : compressed ? zlib.deflateSync(raw) : raw;
  return Buffer.concat([code, u32(values.length), u32(compressed ? 1 : 0), u32(data.length), data]);
}

/** A node record of FBX 7.4 (32-bit offsets) starting at byte `at` of the file. */
function fbxNode(node: FbxNodeSpec, at: number): Buffer {
  const name = Buffer.from(node.name, 'latin1');
  const props = Buffer.concat((node.props ?? []).map(fbxProperty));
  const start = at + 13 + name.length + props.length;
  const children: Buffer[] = [];
  let offset = start;
  for (const childNode of node.children ?? []) {
    const encoded = fbxNode(childNode, offset);
    children.push(encoded);
    offset += encoded.length;
  }
  if (children.length) children.push(Buffer.alloc(13)); // the null record closing the list
  const body = Buffer.concat(children);
  const head = Buffer.alloc(13);
  head.writeUInt32LE(start + body.length, 0);
  head.writeUInt32LE((node.props ?? []).length, 4);
  head.writeUInt32LE(props.length, 8);
  head.writeUInt8(name.length, 12);
  return Buffer.concat([head, name, props, body]);
}

/** A binary FBX 7.4 file of these top-level nodes (a header, the nodes, a null record, a zero footer). */
export function makeFbx(nodes: FbxNodeSpec[]): Buffer {
  const header = Buffer.alloc(27);
  header.write('Kaydara FBX Binary  \0', 0, 'latin1');
  header.writeUInt8(0x1a, 21);
  header.writeUInt32LE(7400, 23);
  const parts: Buffer[] = [header];
  let at = header.length;
  for (const node of nodes) {
    const encoded = fbxNode(node, at);
    parts.push(encoded);
    at += encoded.length;
  }
  return Buffer.concat([...parts, Buffer.alloc(13), Buffer.alloc(200)]);
}

/**
 * The same node tree as an ASCII FBX 7.4 file, as the FBX SDK writes one: `Name: props {` children
 * `}` indented with tabs, object names as `"Class::name"`, arrays as `*count { a: … }` wrapped over
 * lines that start at the left margin.
 */
export function makeAsciiFbx(nodes: FbxNodeSpec[]): Buffer {
  const value = ([type, v]: FbxProperty): string => {
    if (type === 'S') {
      const [name, kind] = v.split('\0\u0001');
      return `"${(kind === undefined ? v : `${kind}::${name}`).replace(/"/g, '&quot;')}"`;
    }
    if (type === 'R') return `"${v.toString('base64')}"`;
    return String(v);
  };
  const write = (node: FbxNodeSpec, depth: number): string => {
    const pad = '\t'.repeat(depth);
    const [first] = node.props ?? [];
    if (first && (first[0] === 'd' || first[0] === 'i')) {
      const rows: string[] = [];
      for (let i = 0; i < first[1].length; i += 8) rows.push(first[1].slice(i, i + 8).join(','));
      // (The FBX SDK starts a wrapped array's next lines at the left margin.)
      return `${pad}${node.name}: *${first[1].length} {\n${pad}\ta: ${rows.join(',\n')}\n${pad}}\n`;
    }
    // (As the SDK writes them: a space before a string, none before a number: `"A",0.1,0.2`.)
    const props = (node.props ?? []).map(
      (p, i) => `${i ? ',' : ''}${i && p[0] === 'S' ? ' ' : ''}${value(p)}`,
    );
    const head = `${pad}${node.name}: ${props.join('')}`;
    if (!node.children) return `${head}\n`;
    return `${head} {\n${node.children.map((c) => write(c, depth + 1)).join('')}${pad}}\n`;
  };
  return Buffer.from(
    `; FBX 7.4.0 project file\n; Written by the tests ; with a comment\n\n${nodes.map((n) => write(n, 0)).join('\n')}`,
  );
}

/**
 * A cube as an FBX 7.4 scene, as exporters write one: a mesh (8 vertices, 6 quads with their
 * normals), its model and a Phong material of one diffuse colour (0–1 each); with `image`, a
 * texture on that colour naming an image file (Windows path, as artists' machines write them);
 * with `takes`, that many (empty) animation stacks; with `ascii`, as an ASCII FBX.
 */
export function makeFbxCube({
  color = [0.1, 0.2, 0.9],
  image,
  takes = 0,
  compressed = false,
  ascii = false,
}: {
  color?: [number, number, number];
  image?: string;
  takes?: number;
  compressed?: boolean;
  ascii?: boolean;
} = {}): Buffer {
  const corners = [-1, 1].flatMap((x) => [-1, 1].flatMap((y) => [-1, 1].flatMap((z) => [x, y, z])));
  const faces = [
    { corners: [0, 1, 3, 2], normal: [-1, 0, 0] },
    { corners: [4, 6, 7, 5], normal: [1, 0, 0] },
    { corners: [0, 4, 5, 1], normal: [0, -1, 0] },
    { corners: [2, 3, 7, 6], normal: [0, 1, 0] },
    { corners: [0, 2, 6, 4], normal: [0, 0, -1] },
    { corners: [1, 5, 7, 3], normal: [0, 0, 1] },
  ];
  // A polygon's last index is stored as its bitwise complement (negative).
  const indices = faces.flatMap((f) => f.corners.map((c, i) => (i === 3 ? ~c : c)));
  const normals = faces.flatMap((f) => [f.normal, f.normal, f.normal, f.normal].flat());
  const object = (
    name: string,
    id: number,
    kind: string,
    type: string,
    children: FbxNodeSpec[],
  ): FbxNodeSpec => ({
    name,
    props: [
      ['L', id],
      ['S', `${kind}\0\u0001${name}`],
      ['S', type],
    ],
    children,
  });
  const s = (name: string, value: string): FbxNodeSpec => ({ name, props: [['S', value]] });
  const connect = (child: number, parent: number, property?: string): FbxNodeSpec => ({
    name: 'C',
    props: [
      ['S', property ? 'OP' : 'OO'],
      ['L', child],
      ['L', parent],
      ...(property ? [['S', property] as FbxProperty] : []),
    ],
  });
  return (ascii ? makeAsciiFbx : makeFbx)([
    { name: 'FBXHeaderExtension', children: [{ name: 'FBXVersion', props: [['I', 7400]] }] },
    {
      name: 'Objects',
      children: [
        object('Geometry', 100, 'cube', 'Mesh', [
          { name: 'Vertices', props: [['d', corners]] },
          { name: 'PolygonVertexIndex', props: [['i', indices, { compressed }]] },
          {
            name: 'LayerElementNormal',
            props: [['I', 0]],
            children: [
              { name: 'Version', props: [['I', 101]] },
              s('MappingInformationType', 'ByPolygonVertex'),
              s('ReferenceInformationType', 'Direct'),
              { name: 'Normals', props: [['d', normals]] },
            ],
          },
        ]),
        object('Model', 200, 'cube', 'Mesh', [{ name: 'Version', props: [['I', 232]] }]),
        object('Material', 300, 'paint', '', [
          s('ShadingModel', 'phong'),
          {
            name: 'Properties70',
            children: [
              {
                name: 'P',
                props: [
                  ['S', 'DiffuseColor'],
                  ['S', 'Color'],
                  ['S', ''],
                  ['S', 'A'],
                  ['D', color[0]],
                  ['D', color[1]],
                  ['D', color[2]],
                ],
              },
            ],
          },
        ]),
        ...(image
          ? [
              object('Video', 400, 'wood', 'Clip', [s('Type', 'Clip'), s('RelativeFilename', image)]),
              object('Texture', 500, 'wood', '', [
                s('Type', 'TextureVideoClip'),
                s('FileName', image),
                s('RelativeFilename', image),
              ]),
            ]
          : []),
        ...Array.from({ length: takes }, (_, i) =>
          object('AnimationStack', 600 + i, `Take ${i + 1}`, '', []),
        ),
      ],
    },
    {
      name: 'Connections',
      children: [
        connect(200, 0),
        connect(100, 200),
        connect(300, 200),
        ...(image ? [connect(500, 300, 'DiffuseColor'), connect(400, 500)] : []),
      ],
    },
  ]);
}

/**
 * A USD cube as text (`.usda`), laid out as USD's own tools write one: a mesh under an Xform, its
 * material a UsdPreviewSurface of `color` (0–1 each), or of the texture `texture` names (with the
 * reader of its coordinates); turning when `animated` (time samples); with a prim referencing each
 * of `references` (other layers).
 */
export function usdaCube({
  color = [0.8, 0.1, 0.1],
  texture,
  animated = false,
  references = [],
}: {
  color?: [number, number, number];
  texture?: string;
  animated?: boolean;
  references?: string[];
} = {}): string {
  // Corner n is at x = n & 4, y = n & 2, z = n & 1; faces wound outwards (right-handed).
  const points = [-1, 1].flatMap((x) => [-1, 1].flatMap((y) => [-1, 1].map((z) => `(${x}, ${y}, ${z})`)));
  const faces = [0, 1, 3, 2, 4, 6, 7, 5, 0, 4, 5, 1, 2, 3, 7, 6, 0, 2, 6, 4, 1, 5, 7, 3];
  const st = faces.map((_, i) => ['(0, 0)', '(1, 0)', '(1, 1)', '(0, 1)'][i % 4]).join(', ');
  const paint = '/root/Materials/Paint';
  const diffuse = texture
    ? `color3f inputs:diffuseColor.connect = <${paint}/Texture.outputs:rgb>`
    : `color3f inputs:diffuseColor = (${color.join(', ')})`;
  const textureShaders = texture
    ? `
            def Shader "Texture"
            {
                uniform token info:id = "UsdUVTexture"
                asset inputs:file = @${texture}@
                float2 inputs:st.connect = <${paint}/Coordinates.outputs:result>
                token inputs:sourceColorSpace = "sRGB"
                float3 outputs:rgb
            }

            def Shader "Coordinates"
            {
                uniform token info:id = "UsdPrimvarReader_float2"
                string inputs:varname = "st"
                float2 outputs:result
            }
`
    : '';
  const turning = animated
    ? `
    float3 xformOp:rotateXYZ.timeSamples = {
        0: (0, 0, 0),
        24: (0, 360, 0),
    }
    uniform token[] xformOpOrder = ["xformOp:rotateXYZ"]
`
    : '';
  const referenced = references
    .map(
      (layer, i) => `
    def Xform "Reference${i}" (
        prepend references = @${layer}@
    )
    {
    }
`,
    )
    .join('');
  return `#usda 1.0
(
    defaultPrim = "root"
    doc = "a cube, written by the tests"
    metersPerUnit = 1
    upAxis = "Y"
)

def Xform "root"
{${turning}
    def Mesh "Cube"
    {
        uniform bool doubleSided = 0
        int[] faceVertexCounts = [4, 4, 4, 4, 4, 4]
        int[] faceVertexIndices = [${faces.join(', ')}]
        rel material:binding = <${paint}>
        point3f[] points = [${points.join(', ')}]
        texCoord2f[] primvars:st = [${st}] (
            interpolation = "faceVarying"
        )
        uniform token subdivisionScheme = "none"
    }

    def Scope "Materials"
    {
        def Material "Paint"
        {
            token outputs:surface.connect = <${paint}/Surface.outputs:surface>

            def Shader "Surface"
            {
                uniform token info:id = "UsdPreviewSurface"
                ${diffuse}
                float inputs:roughness = 0.8
                token outputs:surface
            }
${textureShaders}        }
    }
${referenced}}
`;
}

/** A `.usdz` package: its entries stored uncompressed, in order (the root layer first). */
export const makeUsdz = (entries: Array<[string, string | Buffer]>): Promise<Buffer> =>
  makeZip(entries, () => true);

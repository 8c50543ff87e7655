/**
 * Aseprite documents (`.ase`, `.aseprite`), where pixel art and sprite sheets are drawn: frames
 * composed from their visible layers, as the editor shows them, read by the format's published
 * specification (aseprite/docs/ase-file-specs.md): a 128-byte header, then frames of chunks (a
 * size and a type each). Layer, cel and palette chunks are read; other chunks (tags, slices, user
 * data, tilesets) are skipped by their size. Each cel's zlib data is
 * inflated to at most its stated size (a small file cannot claim gigabytes). Blend modes other
 * than normal are drawn as normal, and group opacity is not applied: a preview, not a render.
 */
import zlib from 'node:zlib';
import { framesToPlay, loopSeconds, playedDelays, type PlayedFrames } from './animation.js';

const HEADER_BYTES = 128;
const FILE_MAGIC = 0xa5e0;
const FRAME_MAGIC = 0xf1fa;
const FRAME_HEADER_BYTES = 16;
const CHUNK_LAYER = 0x2004;
const CHUNK_CEL = 0x2005;
const CHUNK_PALETTE = 0x2019;
const CHUNK_OLD_PALETTE = 0x0004;
const LAYER_VISIBLE = 1;
const LAYER_BACKGROUND = 8;
const HEADER_LAYER_OPACITY = 1;

interface Layer {
  visible: boolean;
  /** An image layer (not a group, nor a tilemap, which are not drawn here). */
  image: boolean;
  background: boolean;
  opacity: number;
}

interface Cel {
  layer: number;
  x: number;
  y: number;
  opacity: number;
  zIndex: number;
  width: number;
  height: number;
  pixels: Buffer;
}

/** Width, height and frames as the header states them. */
export function asepriteSize(bytes: Buffer): { width: number; height: number; frames: number } {
  if (bytes.length < HEADER_BYTES) throw new Error('the file is too short to hold an Aseprite header');
  if (bytes.readUInt16LE(4) !== FILE_MAGIC)
    throw new Error('it has no Aseprite header (magic number 0xA5E0)');
  return { width: bytes.readUInt16LE(8), height: bytes.readUInt16LE(10), frames: bytes.readUInt16LE(6) };
}

/** A sprite's frames, composed. */
export interface AsepriteFrames {
  width: number;
  height: number;
  /** Frames in the sprite. */
  total: number;
  /** Each frame's duration in milliseconds (every frame's whose header could be read). */
  delays: number[];
  /** The decoded frames, 8-bit RGBA, one below the other (rows top to bottom). */
  data: Uint8Array;
}

/**
 * The first frame, composed from its visible layers, as 8-bit RGBA (rows top to bottom); for an
 * animated sprite, how many frames it has and the frames its preview plays (previews/animation.ts).
 */
export function asepriteImage(bytes: Buffer): {
  width: number;
  height: number;
  data: Uint8Array;
  frames?: number;
  animation?: PlayedFrames;
} {
  const { width, height, frames } = asepriteSize(bytes);
  const sprite = asepriteFrames(bytes, framesToPlay(frames, width, height));
  const data = sprite.data.subarray(0, width * height * 4);
  if (sprite.total < 2) return { width, height, data };
  const played = sprite.data.length / data.length;
  const animation = {
    data: sprite.data,
    delays: playedDelays(sprite.delays, played),
    duration: loopSeconds(sprite.delays, sprite.total),
  };
  return { width, height, data, frames: sprite.total, animation };
}

/**
 * The first `maxFrames` frames, each composed from its visible layers. A linked cel (a frame
 * repeating an earlier frame's cel, as unchanged parts of an animation are saved) draws that cel;
 * a palette chunk changes the colours of its frame and those after it.
 */
export function asepriteFrames(bytes: Buffer, maxFrames: number): AsepriteFrames {
  const { width, height, frames: total } = asepriteSize(bytes);
  const depth = bytes.readUInt16LE(12);
  if (depth !== 32 && depth !== 16 && depth !== 8)
    throw new Error(`its colour depth ${depth} is not 8, 16 or 32`);
  const sprite: Sprite = {
    width,
    height,
    depth,
    layerOpacity: (bytes.readUInt32LE(14) & HEADER_LAYER_OPACITY) !== 0,
    transparentIndex: bytes.readUInt8(28),
    layers: [],
    groupsVisible: [],
    palette: [],
    newPalette: false,
  };
  const count = Math.max(1, Math.min(total, maxFrames));
  const frameBytes = width * height * 4;
  const data = new Uint8Array(frameBytes * count);
  const delays: number[] = [];
  // Each frame's cels by layer, for the linked cels of the frames after it.
  const celsByFrame: Array<Map<number, Cel>> = [];
  let at = HEADER_BYTES;
  let decoded = 0;
  for (; decoded < count; decoded++) {
    try {
      const frame = readFrame(bytes, at, decoded, sprite, celsByFrame);
      compose(
        sprite,
        [...frame.cels.values()],
        data.subarray(decoded * frameBytes, (decoded + 1) * frameBytes),
      );
      celsByFrame.push(frame.cels);
      delays.push(frame.duration);
      at = frame.end;
    } catch (err) {
      // A damaged later frame ends the animation there; the first must be whole.
      if (decoded === 0) throw err;
      break;
    }
  }
  // The durations of the frames not decoded, from their headers alone.
  for (
    let frame = decoded;
    decoded === count && frame < total && at + FRAME_HEADER_BYTES <= bytes.length;
    frame++
  ) {
    if (bytes.readUInt16LE(at + 4) !== FRAME_MAGIC) break;
    delays.push(bytes.readUInt16LE(at + 8));
    at += Math.max(FRAME_HEADER_BYTES, bytes.readUInt32LE(at));
  }
  return { width, height, total: Math.max(1, total), delays, data: data.subarray(0, decoded * frameBytes) };
}

/** The frame (index `frame`) whose header is at `at`: its cels by layer, its duration, where it ends. */
function readFrame(
  bytes: Buffer,
  at: number,
  frame: number,
  sprite: Sprite,
  earlier: ReadonlyArray<ReadonlyMap<number, Cel>>,
): { cels: Map<number, Cel>; duration: number; end: number } {
  const which = frame === 0 ? 'its first frame' : `its frame ${frame + 1}`;
  if (bytes.length < at + FRAME_HEADER_BYTES) throw new Error(`the file ends before ${which}`);
  if (bytes.readUInt16LE(at + 4) !== FRAME_MAGIC) throw new Error(`${which} has no frame header`);
  const frameEnd = Math.min(bytes.length, at + bytes.readUInt32LE(at));
  const chunkCount = bytes.readUInt32LE(at + 12) || bytes.readUInt16LE(at + 6);
  const cels = readFrameChunks(bytes, at + FRAME_HEADER_BYTES, frameEnd, chunkCount, sprite, earlier);
  return { cels, duration: bytes.readUInt16LE(at + 8), end: Math.max(frameEnd, at + FRAME_HEADER_BYTES) };
}

/** What the chunks read so far say of the whole sprite. */
interface Sprite {
  width: number;
  height: number;
  depth: 8 | 16 | 32;
  layerOpacity: boolean;
  transparentIndex: number;
  layers: Layer[];
  /** The visibility of the groups above the layer being read, by child level. */
  groupsVisible: boolean[];
  palette: number[][];
  /** A new palette chunk was read: old palette chunks are ignored. */
  newPalette: boolean;
}

/** One frame's chunks: layers and palettes go to the sprite; its cels, by layer, are returned. */
function readFrameChunks(
  bytes: Buffer,
  start: number,
  frameEnd: number,
  chunkCount: number,
  sprite: Sprite,
  earlier: ReadonlyArray<ReadonlyMap<number, Cel>>,
): Map<number, Cel> {
  const cels = new Map<number, Cel>();
  const bytesPerPixel = sprite.depth / 8;
  let at = start;
  for (let n = 0; n < chunkCount && at + 6 <= frameEnd; n++) {
    const size = bytes.readUInt32LE(at);
    const type = bytes.readUInt16LE(at + 4);
    if (size < 6 || at + size > frameEnd) throw new Error(`a chunk at byte ${at} runs past its frame`);
    const body = bytes.subarray(at + 6, at + size);
    if (type === CHUNK_LAYER && body.length >= 16) {
      const flags = body.readUInt16LE(0);
      const kind = body.readUInt16LE(2);
      const level = body.readUInt16LE(4);
      const { groupsVisible } = sprite;
      const visible = (flags & LAYER_VISIBLE) !== 0 && groupsVisible.slice(0, level).every(Boolean);
      groupsVisible.length = level;
      groupsVisible[level] = visible;
      sprite.layers.push({
        visible,
        image: kind === 0,
        background: (flags & LAYER_BACKGROUND) !== 0,
        opacity: sprite.layerOpacity ? body.readUInt8(12) : 255,
      });
    } else if (type === CHUNK_CEL && body.length >= 16) {
      const layer = body.readUInt16LE(0);
      const celType = body.readUInt16LE(7);
      if (celType === 1) {
        // Linked: the cel of the same layer in an earlier frame.
        const linked = earlier[body.readUInt16LE(16)]?.get(layer);
        if (linked) cels.set(layer, linked);
      } else if ((celType === 0 || celType === 2) && body.length >= 20) {
        // Raw (0) or compressed (2) images; tilemaps (3) are not drawn.
        const [w, h] = [body.readUInt16LE(16), body.readUInt16LE(18)];
        const expected = w * h * bytesPerPixel;
        if (w * h > sprite.width * sprite.height * 4)
          throw new Error(`a cel of ${w}×${h} is larger than its canvas allows`);
        const data = body.subarray(20);
        const pixels = celType === 2 ? inflate(data, expected) : data;
        if (pixels.length < expected) throw new Error(`a cel's pixels are shorter than its ${w}×${h}`);
        cels.set(layer, {
          layer,
          x: body.readInt16LE(2),
          y: body.readInt16LE(4),
          opacity: body.readUInt8(6),
          zIndex: body.readInt16LE(9),
          width: w,
          height: h,
          pixels,
        });
      }
    } else if (type === CHUNK_PALETTE && body.length >= 20) {
      sprite.newPalette = true;
      const [first, last] = [body.readUInt32LE(4), body.readUInt32LE(8)];
      let p = 20;
      for (let i = first; i <= last && p + 6 <= body.length && i < 256; i++) {
        const hasName = (body.readUInt16LE(p) & 1) !== 0;
        sprite.palette[i] = [
          body.readUInt8(p + 2),
          body.readUInt8(p + 3),
          body.readUInt8(p + 4),
          body.readUInt8(p + 5),
        ];
        p += 6;
        if (hasName && p + 2 <= body.length) p += 2 + body.readUInt16LE(p);
      }
    } else if (type === CHUNK_OLD_PALETTE && !sprite.newPalette && body.length >= 2) {
      let p = 2;
      let index = 0;
      for (let packet = body.readUInt16LE(0); packet > 0 && p + 2 <= body.length; packet--) {
        index += body.readUInt8(p);
        const count = body.readUInt8(p + 1) || 256;
        p += 2;
        for (let c = 0; c < count && p + 3 <= body.length && index < 256; c++, index++, p += 3)
          sprite.palette[index] = [body.readUInt8(p), body.readUInt8(p + 1), body.readUInt8(p + 2), 255];
      }
    }
    at += size;
  }
  return cels;
}

/** Draws a frame's cels into `out` (cleared): bottom to top, visible image layers only. */
function compose(sprite: Sprite, cels: Cel[], out: Uint8Array): void {
  const { width, height, depth, layers, palette, transparentIndex } = sprite;
  const bytesPerPixel = depth / 8;
  // By layer, a cel's z-index moving it among the layers (ties: the z-index).
  cels.sort((a, b) => a.layer + a.zIndex - (b.layer + b.zIndex) || a.zIndex - b.zIndex);
  for (const cel of cels) {
    const layer = layers[cel.layer];
    if (!layer?.visible || !layer.image) continue;
    const opacity = (cel.opacity / 255) * (layer.opacity / 255);
    for (let cy = 0; cy < cel.height; cy++) {
      const y = cel.y + cy;
      if (y < 0 || y >= height) continue;
      for (let cx = 0; cx < cel.width; cx++) {
        const x = cel.x + cx;
        if (x < 0 || x >= width) continue;
        const i = (cy * cel.width + cx) * bytesPerPixel;
        let rgba: number[] | undefined;
        if (depth === 32)
          rgba = [cel.pixels[i] ?? 0, cel.pixels[i + 1] ?? 0, cel.pixels[i + 2] ?? 0, cel.pixels[i + 3] ?? 0];
        else if (depth === 16) {
          const v = cel.pixels[i] ?? 0;
          rgba = [v, v, v, cel.pixels[i + 1] ?? 0];
        } else {
          const index = cel.pixels[i] ?? 0;
          if (index === transparentIndex && !layer.background) continue;
          rgba = palette[index] ?? [0, 0, 0, 255];
        }
        over(out, (y * width + x) * 4, rgba, opacity);
      }
    }
  }
}

/** A cel's pixels inflated, refusing more than it states. */
function inflate(data: Buffer, expected: number): Buffer {
  try {
    return zlib.inflateSync(data, { maxOutputLength: Math.max(1, expected) });
  } catch (err) {
    throw new Error(`a cel's compressed pixels do not inflate to its size (${(err as Error).message})`);
  }
}

/** Draws `rgba` at `opacity` over the pixel at `o` (straight alpha). */
function over(out: Uint8Array, o: number, [r, g, b, a]: number[], opacity: number): void {
  const src = ((a ?? 0) / 255) * opacity;
  if (src <= 0) return;
  const dst = (out[o + 3] as number) / 255;
  const alpha = src + dst * (1 - src);
  const mix = (s: number, d: number): number => Math.round((s * src + d * dst * (1 - src)) / alpha);
  out[o] = mix(r ?? 0, out[o] as number);
  out[o + 1] = mix(g ?? 0, out[o + 1] as number);
  out[o + 2] = mix(b ?? 0, out[o + 2] as number);
  out[o + 3] = Math.round(alpha * 255);
}

/** Real media made inside the tests: images with sharp, WAV by hand, MP3/OGG/FLAC with encoders from npm. */
import encodeFlac from '@audio/encode-flac';
import encodeMp3 from '@audio/encode-mp3';
import encodeOgg from '@audio/encode-ogg';
import sharp from 'sharp';

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

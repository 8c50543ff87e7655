/**
 * Worker side of waveforms: decode the whole clip in chunks (never the whole file or all its
 * samples in memory), keep min/max per channel in buckets that double in size when there are too
 * many, then reduce them to the output points. The JSON keeps the reference keys (`kind`,
 * `channels`, `sample_rate`, `points` in [0,1]) and adds the BBC audiowaveform v2 fields
 * (`version`, `samples_per_pixel`, `bits`, `length`, `data` as min/max pairs per channel) plus
 * `duration` and `samples_per_point`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AudioCodec } from '../previews/kinds.js';

export interface WaveformTask {
  source: string;
  codec: AudioCodec;
  out: string;
  points: number;
}

export interface WaveformResult {
  duration: number;
  channels: number;
  sample_rate: number;
  length: number;
}

interface AudioChunk {
  channelData: Float32Array[];
  sampleRate: number;
}

interface ChunkDecoder {
  decode(data: Uint8Array): AudioChunk;
  flush?: () => AudioChunk;
  free(): void;
}

async function openDecoder(codec: AudioCodec): Promise<ChunkDecoder> {
  const modules = {
    wav: () => import('@audio/decode-wav'),
    mp3: () => import('@audio/decode-mp3'),
    vorbis: () => import('@audio/decode-vorbis'),
    flac: () => import('@audio/decode-flac'),
    opus: () => import('@audio/decode-opus'),
  } as const;
  const mod = (await modules[codec]()) as unknown as { decoder: () => ChunkDecoder | Promise<ChunkDecoder> };
  return mod.decoder();
}

const MAX_BUCKETS = 1 << 16;
const CHUNK = 1024 * 1024;

/** Min/max per channel over buckets of `size` samples; merges pairs when it grows too long. */
class PeakAccumulator {
  size = 1;
  channels = 0;
  sampleRate = 0;
  total = 0;
  min: number[][] = [];
  max: number[][] = [];
  private filled = 0; // samples in the last bucket; every other bucket holds `size`

  get buckets(): number {
    return this.min[0]?.length ?? 0;
  }

  add(chunk: AudioChunk): void {
    const frames = chunk.channelData[0]?.length ?? 0;
    if (!frames) return;
    if (!this.channels) {
      this.channels = chunk.channelData.length;
      this.sampleRate = chunk.sampleRate;
      this.min = Array.from({ length: this.channels }, () => []);
      this.max = Array.from({ length: this.channels }, () => []);
    }
    for (let i = 0; i < frames; i++) {
      if (this.buckets === 0 || this.filled === this.size) {
        if (this.buckets >= MAX_BUCKETS) this.halve();
        if (this.buckets === 0 || this.filled === this.size) {
          for (let c = 0; c < this.channels; c++) {
            (this.min[c] as number[]).push(Infinity);
            (this.max[c] as number[]).push(-Infinity);
          }
          this.filled = 0;
        }
      }
      const last = (this.min[0] as number[]).length - 1;
      for (let c = 0; c < this.channels; c++) {
        const v = chunk.channelData[c]?.[i] ?? 0;
        const mins = this.min[c] as number[];
        const maxs = this.max[c] as number[];
        if (v < (mins[last] as number)) mins[last] = v;
        if (v > (maxs[last] as number)) maxs[last] = v;
      }
      this.filled++;
      this.total++;
    }
  }

  /** Merges neighbouring buckets: bucket k then covers samples [k·size, (k+1)·size) of the new size. */
  private halve(): void {
    const count = this.buckets;
    for (let c = 0; c < this.channels; c++) {
      const mins = this.min[c] as number[];
      const maxs = this.max[c] as number[];
      const nm: number[] = [];
      const nx: number[] = [];
      for (let i = 0; i < count; i += 2) {
        nm.push(Math.min(mins[i] as number, mins[i + 1] ?? Infinity));
        nx.push(Math.max(maxs[i] as number, maxs[i + 1] ?? -Infinity));
      }
      this.min[c] = nm;
      this.max[c] = nx;
    }
    // An odd count leaves the last old bucket alone in its new one; an even count pairs it.
    this.filled = count % 2 === 1 ? this.filled : this.size + this.filled;
    this.size *= 2;
  }
}

const toInt16 = (v: number): number => Math.max(-32768, Math.min(32767, Math.round(v * 32767)));

export default async function run(task: WaveformTask): Promise<WaveformResult> {
  const decoder = await openDecoder(task.codec);
  const acc = new PeakAccumulator();
  const file = await fs.open(task.source, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      acc.add(decoder.decode(new Uint8Array(buffer.subarray(0, bytesRead))));
    }
    if (decoder.flush) acc.add(decoder.flush());
  } finally {
    await file.close();
    decoder.free();
  }
  if (!acc.total || !acc.channels || !acc.sampleRate) throw new Error('no audio samples could be decoded');

  const perPoint = Math.ceil(acc.total / Math.min(task.points, acc.total));
  const length = Math.ceil(acc.total / perPoint);
  const buckets = acc.buckets;
  const data: number[] = [];
  const peaks: number[] = [];
  let loudest = 0;
  for (let p = 0; p < length; p++) {
    // Buckets whose first sample falls inside this point's window.
    const from = Math.floor((p * perPoint) / acc.size);
    const to = Math.max(from + 1, Math.min(buckets, Math.floor(((p + 1) * perPoint) / acc.size)));
    let peak = 0;
    for (let c = 0; c < acc.channels; c++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let b = from; b < to && b < buckets; b++) {
        lo = Math.min(lo, (acc.min[c] as number[])[b] as number);
        hi = Math.max(hi, (acc.max[c] as number[])[b] as number);
      }
      if (!Number.isFinite(lo)) lo = hi = 0;
      data.push(toInt16(lo), toInt16(hi));
      peak = Math.max(peak, Math.abs(lo), Math.abs(hi));
    }
    peaks.push(peak);
    loudest = Math.max(loudest, peak);
  }
  const points = peaks.map((v) => (loudest > 0 ? Math.round((v / loudest) * 10_000) / 10_000 : 0));
  const duration = acc.total / acc.sampleRate;
  const doc = {
    kind: 'waveform',
    channels: acc.channels,
    sample_rate: acc.sampleRate,
    points,
    duration: Math.round(duration * 1e6) / 1e6,
    samples_per_point: perPoint,
    version: 2,
    samples_per_pixel: perPoint,
    bits: 16,
    length,
    data,
  };
  await fs.mkdir(path.dirname(task.out), { recursive: true });
  const tmp = path.join(
    path.dirname(task.out),
    `.${path.basename(task.out)}.${process.pid}.${Date.now()}.tmp`,
  );
  await fs.writeFile(tmp, `${JSON.stringify(doc)}\n`);
  await fs.rename(tmp, task.out);
  return { duration: doc.duration, channels: acc.channels, sample_rate: acc.sampleRate, length };
}

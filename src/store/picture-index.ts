/**
 * The pictures of a project by fingerprint (previews/picture-hash.ts), held as two 32-bit halves
 * per picture so that a comparison is two XORs and two population counts: every picture of a
 * project is compared in a few milliseconds at 100,000 (no index finds Hamming neighbours
 * faster at that size without limiting how far they may be).
 */

/** Bits set in a 32-bit integer. */
function bitCount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

const HEX16 = /^[0-9a-f]{16}$/;

/** Whether a stored fingerprint is well formed (16 lowercase hex digits). */
export const isPictureHash = (value: unknown): value is string =>
  typeof value === 'string' && HEX16.test(value);

/** Bits that differ between two fingerprints (0 to 64). */
export function hashDistance(a: string, b: string): number {
  return (
    bitCount(parseInt(a.slice(0, 8), 16) ^ parseInt(b.slice(0, 8), 16)) +
    bitCount(parseInt(a.slice(8), 16) ^ parseInt(b.slice(8), 16))
  );
}

export interface PictureMatch {
  /** The row id of the picture's asset. */
  id: number;
  distance: number;
}

export class PictureIndex {
  private readonly ids: Float64Array;
  private readonly high: Uint32Array;
  private readonly low: Uint32Array;

  constructor(rows: ReadonlyArray<{ id: number; dhash: string }>) {
    const valid = rows.filter((r) => isPictureHash(r.dhash));
    this.ids = new Float64Array(valid.length);
    this.high = new Uint32Array(valid.length);
    this.low = new Uint32Array(valid.length);
    valid.forEach((row, i) => {
      this.ids[i] = row.id;
      this.high[i] = parseInt(row.dhash.slice(0, 8), 16);
      this.low[i] = parseInt(row.dhash.slice(8), 16);
    });
  }

  get size(): number {
    return this.ids.length;
  }

  /** Every picture within `maxDistance` bits of `dhash`, nearest first (then oldest first). */
  near(dhash: string, maxDistance: number): PictureMatch[] {
    const high = parseInt(dhash.slice(0, 8), 16);
    const low = parseInt(dhash.slice(8), 16);
    const found: PictureMatch[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      const distance = bitCount((this.high[i] as number) ^ high) + bitCount((this.low[i] as number) ^ low);
      if (distance <= maxDistance) found.push({ id: this.ids[i] as number, distance });
    }
    return found.sort((a, b) => a.distance - b.distance || a.id - b.id);
  }
}

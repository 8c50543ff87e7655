/**
 * A picture's fingerprint for finding near-duplicates: the 64-bit difference hash (dHash). The
 * picture, flattened onto mid grey, is shrunk to 9 × 8 grey pixels; each bit says whether a pixel
 * is darker than its right neighbour. Re-encoding, resizing, light retouching and colour shifts
 * flip few bits; another picture flips about half. Worker side (sharp); the bits are compared by
 * `store/picture-index.ts`.
 */
import type { Sharp } from 'sharp';

/** 16 lowercase hex digits: row 0 first, the leftmost comparison the high bit of each byte. */
export async function differenceHash(image: Sharp): Promise<string> {
  const { data, info } = await image
    .flatten({ background: { r: 128, g: 128, b: 128 } })
    .resize(9, 8, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = info.channels;
  const grey = (x: number, y: number): number => {
    const i = (y * 9 + x) * channels;
    if (channels < 3) return data[i] as number;
    return 0.299 * (data[i] as number) + 0.587 * (data[i + 1] as number) + 0.114 * (data[i + 2] as number);
  };
  const bytes = Buffer.alloc(8);
  for (let y = 0; y < 8; y++) {
    let row = 0;
    for (let x = 0; x < 8; x++) row = (row << 1) | (grey(x, y) < grey(x + 1, y) ? 1 : 0);
    bytes[y] = row;
  }
  return bytes.toString('hex');
}

/**
 * Picture fingerprints on real pictures decoded by sharp: copies that were resized, re-encoded,
 * cropped a little or shown as thumbnails stay within a few bits; other pictures are far; the
 * colour hidden under transparent pixels does not count; and the index finds exactly the
 * pictures within a distance, nearest first.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { seededRandom } from '../../bench/tools.js';
import { differenceHash } from '../../src/previews/picture-hash.js';
import { hashDistance, isPictureHash, PictureIndex } from '../../src/store/picture-index.js';
import { makeScene } from '../helpers/media.js';

const hashOf = (bytes: Buffer): Promise<string> => differenceHash(sharp(bytes));

describe('difference hash', () => {
  test('copies of a picture stay close, other pictures are far', async () => {
    const originals: string[] = [];
    for (let seed = 1; seed <= 6; seed++) {
      const png = await makeScene(seed, 800, 600);
      const original = await hashOf(png);
      assert.ok(isPictureHash(original), original);
      const copies = {
        'half size, JPEG at quality 60': await sharp(png).resize(400).jpeg({ quality: 60 }).toBuffer(),
        'cropped by 1.5 % a side': await sharp(png)
          .extract({ left: 12, top: 9, width: 776, height: 582 })
          .toBuffer(),
        'its 512 px thumbnail': await sharp(png).resize(512, 512, { fit: 'inside' }).webp().toBuffer(),
      };
      for (const [what, bytes] of Object.entries(copies)) {
        const distance = hashDistance(original, await hashOf(bytes));
        assert.ok(distance <= 8, `scene ${seed}, ${what}: ${distance} bits apart`);
      }
      originals.push(original);
    }
    for (let i = 0; i < originals.length; i++)
      for (let j = i + 1; j < originals.length; j++) {
        const distance = hashDistance(originals[i] as string, originals[j] as string);
        assert.ok(distance >= 16, `scenes ${i + 1} and ${j + 1}: only ${distance} bits apart`);
      }
  });

  test('the colour under fully transparent pixels does not count', async () => {
    const width = 64;
    const height = 48;
    const make = (hidden: number): Promise<string> => {
      const rgba = Buffer.alloc(width * height * 4);
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 4;
          const shown = x < width / 2;
          // Left half: an opaque ramp; right half: transparent, over `hidden` colours.
          rgba[i] = shown ? x * 8 : (hidden * (x + y)) % 256;
          rgba[i + 1] = shown ? 255 - y * 5 : (hidden * 7 * y) % 256;
          rgba[i + 2] = shown ? 90 : hidden;
          rgba[i + 3] = shown ? 255 : 0;
        }
      return differenceHash(sharp(rgba, { raw: { width, height, channels: 4 } }));
    };
    assert.equal(await make(0), await make(173));
  });
});

describe('picture index', () => {
  test('finds every fingerprint within the distance, nearest first, and no other', () => {
    const rand = seededRandom(11);
    const hex = (): string => Array.from({ length: 16 }, () => Math.floor(rand() * 16).toString(16)).join('');
    const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i + 1, dhash: hex() }));
    // A few near neighbours of the probe: 1, 2 and 7 bits flipped.
    const probe = hex();
    const flip = (h: string, bits: number[]): string => {
      const value = BigInt(`0x${h}`) ^ bits.reduce((v, b) => v | (1n << BigInt(b)), 0n);
      return value.toString(16).padStart(16, '0');
    };
    rows.push({ id: 3001, dhash: flip(probe, [0]) }, { id: 3002, dhash: flip(probe, [63, 31]) });
    rows.push({ id: 3003, dhash: flip(probe, [1, 9, 17, 33, 40, 50, 62]) }, { id: 3004, dhash: probe });
    rows.push({ id: 3005, dhash: 'not a fingerprint' }, { id: 2 ** 40 + 7, dhash: flip(probe, [5, 6, 7]) });
    const index = PictureIndex.fromRows(rows);
    assert.equal(index.size, rows.length - 1);
    // The packed form SQLite hands over holds the same.
    const packed = PictureIndex.fromPacked(
      rows
        .filter((r) => isPictureHash(r.dhash))
        .map((r) => r.id.toString(16).padStart(12, '0') + r.dhash)
        .join(''),
    );
    assert.equal(packed.size, index.size);
    assert.deepEqual(packed.near(probe, 20), index.near(probe, 20));
    for (const max of [0, 2, 7, 20]) {
      const expected = rows
        .filter((r) => isPictureHash(r.dhash))
        .map((r) => ({ id: r.id, distance: hashDistance(r.dhash, probe) }))
        .filter((m) => m.distance <= max)
        .sort((a, b) => a.distance - b.distance || a.id - b.id);
      assert.deepEqual(index.near(probe, max), expected, `within ${max}`);
    }
    assert.deepEqual(index.near(probe, 7).slice(0, 5), [
      { id: 3004, distance: 0 },
      { id: 3001, distance: 1 },
      { id: 3002, distance: 2 },
      { id: 2 ** 40 + 7, distance: 3 },
      { id: 3003, distance: 7 },
    ]);
  });

  test('look-alikes: exactly the pictures with another within 4 bits, flat groups included', () => {
    const rand = seededRandom(12);
    const hex = (): string => Array.from({ length: 16 }, () => Math.floor(rand() * 16).toString(16)).join('');
    const flip = (h: string, count: number): string => {
      let value = BigInt(`0x${h}`);
      for (let n = 0; n < count; n++) value ^= 1n << BigInt(Math.floor(rand() * 64));
      return value.toString(16).padStart(16, '0');
    };
    const rows: Array<{ id: number; dhash: string }> = [];
    let id = 0;
    // Unrelated pictures, near-copies of some (1 to 6 bits off), and many flat ones (all zero).
    const bases = Array.from({ length: 1500 }, hex);
    for (const base of bases) rows.push({ id: ++id, dhash: base });
    for (let n = 0; n < 600; n++)
      rows.push({
        id: ++id,
        dhash: flip(bases[Math.floor(rand() * 40)] as string, 1 + Math.floor(rand() * 6)),
      });
    for (let n = 0; n < 300; n++) rows.push({ id: ++id, dhash: '0000000000000000' });
    rows.push({ id: ++id, dhash: '0000000000000007' }, { id: ++id, dhash: 'fffffffffffffff0' });
    const expected = rows
      .filter((r) => rows.some((o) => o.id !== r.id && hashDistance(o.dhash, r.dhash) <= 4))
      .map((r) => r.id);
    assert.ok(
      expected.length > 300 && expected.length < rows.length - 1000,
      `${expected.length} look-alikes`,
    );
    assert.deepEqual(PictureIndex.fromRows(rows).lookalikes(), expected);
  });

  test('distances count differing bits in both halves', () => {
    assert.equal(hashDistance('0000000000000000', 'ffffffffffffffff'), 64);
    assert.equal(hashDistance('8000000000000001', '0000000000000000'), 2);
    assert.equal(hashDistance('00000000ffffffff', '00000000fffffffe'), 1);
  });
});

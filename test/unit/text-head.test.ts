/** How the detail view reads a file's first bytes as text: its encoding, or that it is binary. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeTextHead, laidOutJson } from '../../web/src/detail/text-head.js';
import { isFontPath, isVideoPath } from '../../src/domain/media-facts.js';

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('text heads', () => {
  test('UTF-8, its byte-order mark dropped; a head cut inside a character loses only that character', () => {
    assert.deepEqual(decodeTextHead(bytes('label start:\n'), true), {
      text: 'label start:\n',
      encoding: 'UTF-8',
    });
    assert.deepEqual(decodeTextHead(bytes([0xef, 0xbb, 0xbf], 'héllo'), true), {
      text: 'héllo',
      encoding: 'UTF-8',
    });
    const hiragana = Buffer.from('ああ'); // 3 bytes each
    for (const cut of [1, 2]) {
      const head = hiragana.subarray(0, 3 + cut);
      assert.deepEqual(decodeTextHead(head, false), { text: 'あ', encoding: 'UTF-8' }, `cut after ${cut}`);
    }
    // The whole file ending inside a character is not UTF-8 (nor text in the others: controls).
    assert.notEqual(decodeTextHead(hiragana.subarray(0, 4), true)?.encoding, 'UTF-8');
  });

  test('UTF-16 with a byte-order mark, either order, an odd head cut to whole units', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Zoë 森', 'utf16le')]);
    assert.deepEqual(decodeTextHead(le, true), { text: 'Zoë 森', encoding: 'UTF-16 LE' });
    const be = Buffer.from(le);
    be.swap16();
    assert.deepEqual(decodeTextHead(be, true), { text: 'Zoë 森', encoding: 'UTF-16 BE' });
    assert.deepEqual(decodeTextHead(le.subarray(0, le.length - 1), false), {
      text: 'Zoë ',
      encoding: 'UTF-16 LE',
    });
  });

  test('Shift_JIS scripts, then Windows-1252 for other 8-bit text', () => {
    // こんにちは in Shift_JIS.
    const sjis = bytes('*start\n', [0x82, 0xb1, 0x82, 0xf1, 0x82, 0xc9, 0x82, 0xbf, 0x82, 0xcd]);
    assert.deepEqual(decodeTextHead(sjis, true), { text: '*start\nこんにちは', encoding: 'Shift_JIS' });
    // "café, naïve" in Latin-1: é followed by a comma is no Shift_JIS pair.
    const latin = bytes('caf', [0xe9], ', na', [0xef], 've');
    assert.deepEqual(decodeTextHead(latin, true), { text: 'café, naïve', encoding: 'Windows-1252' });
  });

  test('binary: a NUL in the first 8,000 bytes, or too many control characters', () => {
    assert.equal(decodeTextHead(bytes('\x7fELF', [0, 1, 2]), true), undefined);
    assert.equal(decodeTextHead(bytes('a'.repeat(7999), [0]), false), undefined);
    // A NUL after the sniffed bytes does not make a text file binary.
    assert.equal(decodeTextHead(bytes('a'.repeat(8000), [0]), false)?.encoding, 'UTF-8');
    const controls = bytes(Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? 0x01 : 0x41)));
    assert.equal(decodeTextHead(controls, true), undefined);
    // Bytes Windows-1252 has no letter for (0x81 before a space is no Shift_JIS pair either).
    assert.equal(
      decodeTextHead(bytes(Array.from({ length: 300 }, (_, i) => [0x41, 0x81, 0x20][i % 3]!)), true),
      undefined,
    );
    // Tabs, newlines, form feeds and escapes are text.
    assert.equal(decodeTextHead(bytes('a\tb\r\nc\fd\x1b[0m'), true)?.encoding, 'UTF-8');
    assert.deepEqual(decodeTextHead(bytes(''), true), { text: '', encoding: 'UTF-8' });
  });

  test('a JSON file on one line is laid out; one with lines of its own, short, or not JSON is not', () => {
    const oneLine = JSON.stringify({
      chapters: Array.from({ length: 10 }, (_, i) => ({ id: i, title: `Ch ${i}` })),
    });
    const laid = laidOutJson(oneLine);
    assert.equal(laid, JSON.stringify(JSON.parse(oneLine), null, 2));
    assert.equal(laidOutJson(laid), undefined);
    assert.equal(laidOutJson('{"a":1}'), undefined);
    assert.equal(laidOutJson(oneLine.slice(0, -1)), undefined);
  });

  test('videos and fonts by extension', () => {
    for (const p of ['cutscenes/op.webm', 'a/B.MP4', 'x.m4v', 'x.ogv', 'x.mov', 'x.mkv'])
      assert.equal(isVideoPath(p), true, p);
    for (const p of ['f/a.ttf', 'f/a.OTF', 'a.woff', 'a.woff2']) assert.equal(isFontPath(p), true, p);
    for (const p of ['a.webm.json', 'webm/a.png', 'ttf']) {
      assert.equal(isVideoPath(p), false, p);
      assert.equal(isFontPath(p), false, p);
    }
  });
});

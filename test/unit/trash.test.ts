/**
 * The trash folder (src/files/trash.ts) on a real directory: batches named by time and change,
 * listed newest first with their files and bytes (sidecars not counted), a file taken back
 * never over another, emptied by age.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Trash } from '../../src/files/trash.js';
import { makeWorkspace } from '../helpers/workspace.js';

test('puts files in batches with their sidecars, lists, takes back and empties by age', () => {
  const ws = makeWorkspace('areg-trash-unit-');
  try {
    const trash = new Trash(path.join(ws.assets, '.trash'), 30);
    const older = trash.batchName(3, new Date('2026-10-01T08:00:00Z'));
    const newer = trash.batchName(7, new Date('2026-11-20T09:30:15Z'));
    assert.match(older, /^20261001T080000Z-c3-[0-9a-f]{4}$/);
    for (const [rel, bytes] of [
      ['art/hero.png', 'hero!'],
      ['art/sub/bg.png', 'background'],
    ] as const) {
      ws.file(`data/assets/${rel}`, bytes);
      ws.file(`data/assets/${rel}.asset.json`, '{"tags":["kept"]}');
    }
    assert.equal(
      trash.put(older, 'art/hero.png', `${ws.assets}/art/hero.png`, `${ws.assets}/art/hero.png.asset.json`),
      `${older}/art/hero.png`,
    );
    trash.put(
      newer,
      'art/sub/bg.png',
      `${ws.assets}/art/sub/bg.png`,
      `${ws.assets}/art/sub/bg.png.asset.json`,
    );
    assert.equal(ws.exists('data/assets/art/hero.png'), false);
    assert.equal(ws.exists('data/assets/art/hero.png.asset.json'), false, 'the sidecar went along');
    assert.equal(ws.read(`data/assets/.trash/${older}/art/hero.png.asset.json`), '{"tags":["kept"]}');
    // A folder put there by hand: listed, dated by its mtime.
    ws.file('data/assets/.trash/by hand/note.txt', 'x');
    const handTime = new Date('2026-11-10T00:00:00Z');
    fs.utimesSync(`${ws.assets}/.trash/by hand`, handTime, handTime);

    assert.deepEqual(
      trash.list().map((b) => [b.name, b.changeId, b.deletedAt, b.files, b.bytes]),
      [
        [newer, 7, '2026-11-20T09:30:15Z', 1, 'background'.length],
        ['by hand', null, '2026-11-10T00:00:00.000Z', 1, 1],
        [older, 3, '2026-10-01T08:00:00Z', 1, 'hero!'.length],
      ],
    );

    ws.file('data/assets/art/sub/bg.png', 'a new background');
    assert.throws(
      () => trash.takeBack(`${newer}/art/sub/bg.png`, `${ws.assets}/art/sub/bg.png`),
      (err: NodeJS.ErrnoException) => err.code === 'EEXIST',
    );
    assert.equal(ws.read('data/assets/art/sub/bg.png'), 'a new background', 'never overwritten');
    assert.equal(
      ws.read(`data/assets/.trash/${newer}/art/sub/bg.png.asset.json`),
      '{"tags":["kept"]}',
      'a file that stays in the trash keeps its sidecar there',
    );
    trash.takeBack(`${older}/art/hero.png`, `${ws.assets}/art/hero.png`);
    assert.equal(ws.read('data/assets/art/hero.png'), 'hero!');
    assert.equal(
      ws.read('data/assets/art/hero.png.asset.json'),
      '{"tags":["kept"]}',
      'its sidecar back with it',
    );
    assert.equal(ws.exists(`data/assets/.trash/${older}`), false, 'its emptied batch went');
    assert.throws(() => trash.locate('../escape.png'), /must not contain '\.\.'/);

    const now = Date.parse('2026-11-27T12:00:00Z');
    assert.deepEqual(trash.expire(now), { batches: 0, files: 0, bytes: 0 }, 'none older than 30 days');
    assert.deepEqual(trash.empty(10, now), { batches: 1, files: 1, bytes: 1 }, 'the one of 17 days');
    assert.deepEqual(trash.empty(undefined, now), { batches: 1, files: 1, bytes: 'background'.length });
    assert.deepEqual(trash.list(), []);
  } finally {
    ws.cleanup();
  }
});

for (const [cap, left] of [
  [250, [400]],
  [750, [400, 300]],
] as const)
  test(`past its size cap (${cap} bytes) the oldest batches go first; the newest stays whatever its size`, () => {
    const ws = makeWorkspace('areg-trash-cap-');
    try {
      const trash = new Trash(path.join(ws.assets, '.trash'), 30, cap);
      const now = Date.parse('2026-11-27T12:00:00Z');
      const names = [1, 2, 3, 4].map((day) => trash.batchName(day, new Date(now - (5 - day) * 86_400_000)));
      names.forEach((name, i) => {
        ws.file(`data/assets/f${i}.bin`, 'x'.repeat(100 * (i + 1))); // 100, 200, 300, 400 bytes
        trash.put(name, `f${i}.bin`, `${ws.assets}/f${i}.bin`, `${ws.assets}/f${i}.bin.asset.json`);
      });
      const gone = 4 - left.length;
      assert.deepEqual(trash.expire(now), {
        batches: gone,
        files: gone,
        bytes: 1000 - left.reduce((a, b) => a + b, 0),
      });
      assert.deepEqual(
        trash.list().map((b) => b.bytes),
        left,
        'the oldest went first; the newest stays even over the cap on its own',
      );
    } finally {
      ws.cleanup();
    }
  });

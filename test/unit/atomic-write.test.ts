/** Sidecars and previews are written atomically (§11.24): temp file, fsync, rename. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  blockingFileOps,
  fileOps,
  type FileOps,
  jsonText,
  writeFileAtomic,
  writeFilesAtomic,
} from '../../src/files/atomic-write.js';
import { listFiles, makeWorkspace, type Workspace } from '../helpers/workspace.js';

describe('writeFileAtomic', () => {
  let ws: Workspace;
  before(() => {
    ws = makeWorkspace();
  });
  after(() => ws.cleanup());

  test('creates missing folders and writes the content', async () => {
    const target = path.join(ws.dir, 'a', 'b', 'c.json');
    await writeFileAtomic(target, '{"x":1}\n');
    assert.equal(fs.readFileSync(target, 'utf8'), '{"x":1}\n');
  });

  test('replaces an existing file and leaves no temp files behind', async () => {
    const target = path.join(ws.dir, 'replace', 'file.txt');
    await writeFileAtomic(target, 'old content that is longer');
    await writeFileAtomic(target, 'new');
    assert.equal(fs.readFileSync(target, 'utf8'), 'new');
    assert.deepEqual(listFiles(path.join(ws.dir, 'replace')), ['file.txt']);
  });

  test('writes binary data unchanged', async () => {
    const target = path.join(ws.dir, 'bin', 'data.bin');
    const bytes = new Uint8Array([0, 255, 1, 254, 10, 13]);
    await writeFileAtomic(target, bytes);
    assert.deepEqual(new Uint8Array(fs.readFileSync(target)), bytes);
  });

  test('returns the modification time of the written file', async () => {
    const target = path.join(ws.dir, 'mtime', 'f.txt');
    const mtimeMs = await writeFileAtomic(target, 'x');
    assert.equal(typeof mtimeMs, 'number');
    assert.equal(mtimeMs, fs.statSync(target).mtimeMs);
  });

  test('recreates a folder removed after an earlier write to it', async () => {
    const dir = path.join(ws.dir, 'gone');
    await writeFileAtomic(path.join(dir, 'one.txt'), '1');
    fs.rmSync(dir, { recursive: true });
    await writeFileAtomic(path.join(dir, 'two.txt'), '2');
    assert.equal(fs.readFileSync(path.join(dir, 'two.txt'), 'utf8'), '2');
  });

  test('a failed rename throws and removes its temp file, leaving the old target alone', async () => {
    const dir = path.join(ws.dir, 'fail');
    const target = path.join(dir, 'occupied');
    fs.mkdirSync(path.join(target, 'child'), { recursive: true });
    await assert.rejects(writeFileAtomic(target, 'data'));
    assert.ok(fs.statSync(target).isDirectory());
    assert.deepEqual(fs.readdirSync(dir), ['occupied']);
  });

  test('concurrent writes to one file end with one complete version', async () => {
    const target = path.join(ws.dir, 'race', 'f.txt');
    const versions = Array.from({ length: 20 }, (_, i) => `version-${i}-`.repeat(1000));
    await Promise.all(versions.map((v) => writeFileAtomic(target, v)));
    assert.ok(versions.includes(fs.readFileSync(target, 'utf8')));
    assert.deepEqual(listFiles(path.join(ws.dir, 'race')), ['f.txt']);
  });
});

describe('writeFilesAtomic (a batch, one durability barrier)', () => {
  let ws: Workspace;
  before(() => {
    ws = makeWorkspace();
  });
  after(() => ws.cleanup());

  // 40 files: over the size where the batch is flushed with one syncfs instead of an fsync each.
  // Both ways of calling the file system: libuv's pool (main thread) and blocking (write thread).
  for (const [way, ops] of [
    ['libuv', fileOps],
    ['blocking', blockingFileOps],
  ] as const)
    for (const count of [3, 40]) {
      test(`${count} files land whole (${way} calls), in new and old folders, with their mtimes and no temp files`, async () => {
        const root = path.join(ws.dir, `batch-${way}-${count}`);
        fs.mkdirSync(path.join(root, 'old'), { recursive: true });
        fs.writeFileSync(path.join(root, 'old', 'f0.json'), 'previous content, longer than the new one');
        const files = Array.from({ length: count }, (_, i) => ({
          target: path.join(root, i % 2 ? 'old' : `new/deep-${i % 3}`, `f${i}.json`),
          data: `{"n":${i}}\n`,
        }));
        const landed = await writeFilesAtomic(files, ops);
        files.forEach((file, i) => {
          assert.equal(fs.readFileSync(file.target, 'utf8'), file.data);
          assert.equal(landed[i], fs.statSync(file.target).mtimeMs);
        });
        assert.ok(
          listFiles(root).every((name) => !name.includes('.tmp')),
          listFiles(root).join(', '),
        );
      });
    }

  test('a file that cannot be written is reported alone; the others land and the blocker is untouched', async () => {
    const root = path.join(ws.dir, 'batch-fail');
    const blocker = path.join(root, 'taken');
    fs.mkdirSync(path.join(blocker, 'child'), { recursive: true });
    const files = [
      { target: path.join(root, 'a.json'), data: 'a' },
      { target: blocker, data: 'overwrites a folder' },
      { target: path.join(root, 'b.json'), data: 'b' },
    ];
    const landed = await writeFilesAtomic(files);
    assert.equal(typeof landed[0], 'number');
    assert.ok(landed[1] instanceof Error);
    assert.equal(typeof landed[2], 'number');
    assert.equal(fs.readFileSync(path.join(root, 'b.json'), 'utf8'), 'b');
    assert.ok(fs.statSync(blocker).isDirectory());
    assert.deepEqual(fs.readdirSync(root).sort(), ['a.json', 'b.json', 'taken']);
  });

  for (const [way, ops] of [
    ['libuv', fileOps],
    ['blocking', blockingFileOps],
  ] as const)
    test(`a file sameAs another lands as a hard link to it, replacing an older copy (${way} calls)`, async () => {
      const root = path.join(ws.dir, `batch-link-${way}`);
      const mirror = path.join(root, 'mirror', 'deep', 'a.json');
      fs.mkdirSync(path.dirname(mirror), { recursive: true });
      fs.writeFileSync(mirror, 'an older, separate copy');
      const primary = path.join(root, 'a.json');
      const landed = await writeFilesAtomic(
        [
          { target: primary, data: '{"v":2}\n' },
          { target: mirror, sameAs: 0 },
          { target: path.join(root, 'mirror', 'new', 'a.json'), sameAs: 0 },
        ],
        ops,
      );
      assert.deepEqual(landed, [landed[0], landed[0], landed[0]]);
      assert.equal(fs.readFileSync(mirror, 'utf8'), '{"v":2}\n');
      assert.equal(fs.statSync(mirror).ino, fs.statSync(primary).ino);
      assert.equal(fs.statSync(primary).nlink, 3);
      assert.ok(listFiles(root).every((name) => !name.includes('.tmp')));
    });

  test('a file sameAs one moved away by hand the moment it landed is written from its bytes', async () => {
    // (A sidecar's mirror, linked to the sidecar just as the user moved the file and its sidecar:
    // it failed, and the edit answered 500.)
    const root = path.join(ws.dir, 'batch-link-moved');
    const primary = path.join(root, 'a.json');
    const mirror = path.join(root, 'mirror', 'a.json');
    const elsewhere = path.join(root, 'moved.json');
    const movedByHand: FileOps = {
      ...blockingFileOps,
      async rename(from, to) {
        await blockingFileOps.rename(from, to);
        if (to === primary) fs.renameSync(primary, elsewhere);
      },
    };
    const landed = await writeFilesAtomic(
      [
        { target: primary, data: '{"v":3}\n' },
        { target: mirror, sameAs: 0 },
      ],
      movedByHand,
    );
    assert.equal(typeof landed[0], 'number');
    assert.equal(typeof landed[1], 'number', String(landed[1]));
    assert.equal(fs.readFileSync(mirror, 'utf8'), '{"v":3}\n');
    assert.equal(fs.readFileSync(elsewhere, 'utf8'), '{"v":3}\n');
    assert.deepEqual(listFiles(root), ['mirror/a.json', 'moved.json']);
  });

  test('a file written beside one that is gone is not written, nor its folder made (a sidecar of a file moved away)', async () => {
    const root = path.join(ws.dir, 'beside-gone');
    fs.mkdirSync(path.join(root, 'here'), { recursive: true });
    fs.writeFileSync(path.join(root, 'here', 'hero.png'), 'the asset');
    const landed = await writeFilesAtomic([
      {
        target: path.join(root, 'here', 'hero.png.asset.json'),
        data: '{}',
        beside: path.join(root, 'here', 'hero.png'),
      },
      {
        target: path.join(root, 'gone', 'villain.png.asset.json'),
        data: '{}',
        beside: path.join(root, 'gone', 'villain.png'),
      },
      {
        target: path.join(root, 'here', 'ghost.png.asset.json'),
        data: '{}',
        beside: path.join(root, 'here', 'ghost.png'),
      },
    ]);
    assert.equal(typeof landed[0], 'number');
    for (const failed of [landed[1], landed[2]]) {
      assert.ok(failed instanceof Error);
      assert.equal((failed as NodeJS.ErrnoException).code, 'ENOENT');
    }
    assert.deepEqual(listFiles(root), ['here/hero.png', 'here/hero.png.asset.json']);
  });

  test('a mirror of a sidecar whose file moved away with it the moment it landed is not written', async () => {
    // (The live folder: a folder renamed by hand as a sidecar landed in it. Its mirror, written
    // from the bytes at the old path, was one of no asset, left for good.)
    const root = path.join(ws.dir, 'beside-moved');
    const asset = path.join(root, 'docs', 'f.txt');
    const sidecar = `${asset}.asset.json`;
    const mirror = path.join(root, '_meta', 'docs', 'f.txt.json');
    fs.mkdirSync(path.dirname(asset), { recursive: true });
    fs.writeFileSync(asset, 'the asset');
    const folderRenamed: FileOps = {
      ...blockingFileOps,
      async rename(from, to) {
        await blockingFileOps.rename(from, to);
        if (to === sidecar) fs.renameSync(path.join(root, 'docs'), path.join(root, 'docs-r1'));
      },
    };
    const landed = await writeFilesAtomic(
      [
        { target: sidecar, data: '{"v":4}\n', beside: asset },
        { target: mirror, sameAs: 0 },
      ],
      folderRenamed,
    );
    assert.equal(typeof landed[0], 'number');
    assert.ok(landed[1] instanceof Error, String(landed[1]));
    assert.deepEqual(listFiles(root), ['docs-r1/f.txt', 'docs-r1/f.txt.asset.json']);
  });

  test('a file sameAs one that failed fails with it, and its old copy is kept', async () => {
    const root = path.join(ws.dir, 'batch-link-fail');
    const blocker = path.join(root, 'taken');
    fs.mkdirSync(path.join(blocker, 'child'), { recursive: true });
    const mirror = path.join(root, 'mirror.json');
    fs.writeFileSync(mirror, 'kept');
    const landed = await writeFilesAtomic([
      { target: blocker, data: 'cannot land' },
      { target: mirror, sameAs: 0 },
    ]);
    assert.ok(landed[0] instanceof Error);
    assert.ok(landed[1] instanceof Error);
    assert.equal(fs.readFileSync(mirror, 'utf8'), 'kept');
  });

  test('across file systems (no hard link possible) a file sameAs another is written as a copy', async (t) => {
    const otherFs = '/dev/shm';
    if (!fs.existsSync(otherFs) || fs.statSync(otherFs).dev === fs.statSync(ws.dir).dev) {
      t.skip('no second file system (/dev/shm) here');
      return;
    }
    const copyRoot = fs.mkdtempSync(path.join(otherFs, 'areg-link-'));
    try {
      const primary = path.join(ws.dir, 'cross', 'a.json');
      const copy = path.join(copyRoot, 'nested', 'a.json');
      const landed = await writeFilesAtomic([
        { target: primary, data: '{"cross":true}\n' },
        { target: copy, sameAs: 0 },
      ]);
      assert.equal(typeof landed[1], 'number');
      assert.equal(fs.readFileSync(copy, 'utf8'), '{"cross":true}\n');
      assert.equal(fs.statSync(primary).nlink, 1);
      assert.deepEqual(listFiles(copyRoot), ['nested/a.json']);
    } finally {
      fs.rmSync(copyRoot, { recursive: true, force: true });
    }
  });
});

describe('jsonText (§3 sidecar format)', () => {
  test('2-space indent, non-ASCII kept, trailing newline', () => {
    assert.equal(jsonText({ a: 'é', b: [1] }), '{\n  "a": "é",\n  "b": [\n    1\n  ]\n}\n');
  });

  test('keeps key insertion order', () => {
    assert.deepEqual(Object.keys(JSON.parse(jsonText({ id: 1, uid: 2, type: 3 }))), ['id', 'uid', 'type']);
    assert.ok(jsonText({ z: 1, a: 2 }).indexOf('"z"') < jsonText({ z: 1, a: 2 }).indexOf('"a"'));
  });
});

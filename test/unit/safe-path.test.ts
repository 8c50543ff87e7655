/** Paths from requests must stay inside their root, textually and through symlinks (§11.17). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../src/domain/errors.js';
import { cleanRelativePath, isInside, resolveUnder, toRelPosix } from '../../src/files/safe-path.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

function assertRejected(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`);
    assert.equal(err.status, 400);
    assert.match(err.message, message);
    return true;
  });
}

describe('cleanRelativePath', () => {
  test('normalises backslashes, "." and repeated slashes to POSIX segments', () => {
    assert.equal(cleanRelativePath('images\\heroes\\a.png', 'dest_path'), 'images/heroes/a.png');
    assert.equal(cleanRelativePath('./a//b/./c.txt/', 'dest_path'), 'a/b/c.txt');
    assert.equal(cleanRelativePath('  docs/a b.txt  ', 'dest_path'), 'docs/a b.txt');
  });

  test('keeps names that merely contain dots', () => {
    assert.equal(cleanRelativePath('a/..hidden/b..c.txt', 'dest_path'), 'a/..hidden/b..c.txt');
  });

  test('rejects absolute paths, drive letters and home paths, naming the field', () => {
    assertRejected(() => cleanRelativePath('/etc/passwd', 'dest_path'), /^dest_path must be relative/);
    assertRejected(() => cleanRelativePath('\\\\server\\share', 'dest_path'), /^dest_path must be relative/);
    assertRejected(() => cleanRelativePath('C:/Windows/x', 'dest_path'), /^dest_path must be relative/);
    assertRejected(() => cleanRelativePath('c:x', 'dest_path'), /^dest_path must be relative/);
    assertRejected(() => cleanRelativePath('~/secret', 'dest_path'), /^dest_path must be relative/);
  });

  test('rejects ".." segments anywhere', () => {
    assertRejected(() => cleanRelativePath('../x', 'asset_type'), /^asset_type must not contain '\.\.'/);
    assertRejected(() => cleanRelativePath('a/../../x', 'path'), /'\.\.' segments/);
    assertRejected(() => cleanRelativePath('a\\..\\x', 'path'), /'\.\.' segments/);
  });

  test('rejects empty input, input with only "." segments, and NUL characters', () => {
    assertRejected(() => cleanRelativePath('', 'path'), /^path must not be empty/);
    assertRejected(() => cleanRelativePath('   ', 'path'), /^path must not be empty/);
    assertRejected(() => cleanRelativePath('./.', 'path'), /^path must name a file or folder/);
    assertRejected(() => cleanRelativePath('a\0b', 'path'), /^path must not contain NUL/);
  });
});

describe('isInside / toRelPosix', () => {
  test('isInside accepts the root and descendants only', () => {
    assert.equal(isInside('/r/assets', '/r/assets'), true);
    assert.equal(isInside('/r/assets', '/r/assets/a/b'), true);
    assert.equal(isInside('/r/assets', '/r/assets-other/x'), false);
    assert.equal(isInside('/r/assets', '/r'), false);
  });

  test('toRelPosix gives a slash-separated relative path', () => {
    assert.equal(toRelPosix('/r/assets', path.join('/r/assets', 'a', 'b.png')), 'a/b.png');
  });
});

describe('resolveUnder', () => {
  let ws: Workspace;
  let root: string;
  let outside: string;

  before(() => {
    ws = makeWorkspace();
    root = ws.assets;
    outside = path.join(ws.dir, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync(outside, path.join(root, 'escape'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'secret-link.txt'));
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'inner-link'));
  });
  after(() => ws.cleanup());

  test('returns the absolute path and the cleaned relative path', () => {
    assert.deepEqual(resolveUnder(root, 'images\\hero.png'), {
      abs: path.join(root, 'images', 'hero.png'),
      rel: 'images/hero.png',
    });
  });

  test('accepts paths that do not exist yet', () => {
    assert.equal(resolveUnder(root, 'new/deep/file.txt').rel, 'new/deep/file.txt');
  });

  test('rejects ".." before touching the disk', () => {
    assertRejected(() => resolveUnder(root, '../outside/secret.txt', 'dest_path'), /^dest_path must not/);
  });

  test('rejects a path through a folder symlink that leads outside the root', () => {
    assertRejected(
      () => resolveUnder(root, 'escape/secret.txt'),
      /^path leads outside the asset registry root/,
    );
    assertRejected(() => resolveUnder(root, 'escape/not-yet.txt'), /leads outside/);
    assertRejected(() => resolveUnder(root, 'escape'), /leads outside/);
  });

  test('rejects a file symlink that points outside the root', () => {
    assertRejected(() => resolveUnder(root, 'secret-link.txt', 'file'), /^file leads outside/);
  });

  test('accepts a symlink that stays inside the root', () => {
    assert.equal(resolveUnder(root, 'inner-link/x.png').rel, 'inner-link/x.png');
  });

  test('works when the root itself is reached through a symlink', () => {
    const linkedRoot = path.join(ws.dir, 'root-link');
    fs.symlinkSync(root, linkedRoot);
    assert.equal(resolveUnder(linkedRoot, 'real/a.txt').abs, path.join(linkedRoot, 'real', 'a.txt'));
    assertRejected(() => resolveUnder(linkedRoot, 'escape/secret.txt'), /leads outside/);
  });
});

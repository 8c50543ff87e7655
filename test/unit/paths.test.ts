/** Where the registry's folders are: defaults, options over the environment, blank settings. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { resolvePaths } from '../../src/registry/paths.js';
import { makeWorkspace } from '../helpers/workspace.js';

const ws = makeWorkspace('areg-paths-');
after(() => ws.cleanup());

test('options win over the environment, which wins over the defaults; a blank setting is unset', () => {
  const env = { ASSET_REGISTRY_ASSETS_ROOT: 'from-env/assets', ASSET_REGISTRY_DB_PATH: '  ' };
  const paths = resolvePaths({ workspace: ws.dir, thumbsRoot: 'opt/thumbs', assetsRoot: ' ' }, env);
  assert.equal(paths.assetsRoot, path.join(ws.dir, 'from-env/assets'));
  assert.equal(paths.dbPath, path.join(ws.dir, 'config/comfyvn.sqlite'));
  assert.equal(paths.thumbsRoot, path.join(ws.dir, 'opt/thumbs'));
  assert.equal(paths.metaRoot, path.join(ws.dir, 'from-env/assets/_meta'));
  // The folders are made; none is named by a space.
  assert.ok(fs.statSync(paths.assetsRoot).isDirectory() && fs.statSync(paths.thumbsRoot).isDirectory());
  assert.equal(fs.existsSync(path.join(ws.dir, ' ')), false);
});

test('a root that is a file, or under one, is a 400 saying so', () => {
  ws.file('plain.txt', 'plain');
  assert.throws(() => resolvePaths({ workspace: ws.dir, assetsRoot: 'plain.txt' }, {}), {
    status: 400,
    code: 'not_a_folder',
    message: `The assets root ${path.join(ws.dir, 'plain.txt')} is a file, not a folder: fix the path.`,
  });
  assert.throws(() => resolvePaths({ workspace: ws.dir, thumbsRoot: 'plain.txt/thumbs' }, {}), {
    code: 'not_a_folder',
    message: /^The thumbnails root .* leads through .*plain\.txt, a file, not a folder/,
  });
});

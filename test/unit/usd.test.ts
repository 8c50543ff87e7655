/**
 * USD models' facts (src/previews/usd.ts) from layers written here as USD's tools lay them out
 * (test/helpers/media.ts): meshes, vertices and triangles, materials, textures, animation, the
 * files a layer names (textures, referenced layers); a package's layers counted together, the
 * files inside it not looked for beside it; what is no USD refused with the reason.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MAX_USD_LAYER_BYTES, MAX_USDA_BYTES, usdFacts } from '../../src/previews/usd.js';
import readModel from '../../src/workers/model-worker.js';
import { usdaCube } from '../helpers/media.js';

const layer = (name: string, text: string) => ({ name, bytes: Buffer.from(text) });

test('a cube: one mesh of 8 vertices and 6 quads (12 triangles), its material', () => {
  assert.deepEqual(usdFacts([layer('cube.usda', usdaCube())]), {
    triangles: 12,
    vertices: 8,
    meshes: 1,
    materials: 1,
    textures: 0,
    animations: 0,
    resources: [],
  });
});

test('a texture, time samples and references: the files it names, in order', () => {
  const text = usdaCube({
    texture: 'maps/paint%20coat.png',
    animated: true,
    references: ['./props/lamp.usda', 'odd.usdc'],
  });
  const facts = usdFacts([layer('cube.usda', text)]);
  assert.deepEqual(
    [facts.textures, facts.animations, facts.resources],
    [1, 1, ['maps/paint%20coat.png', './props/lamp.usda', 'odd.usdc']],
  );
});

test('asset paths in comments and strings are not files it names; @@@ paths are', () => {
  const text = usdaCube().replace(
    'def Xform "root"',
    [
      '# an old texture: @maps/old.png@',
      'def Xform "root" (',
      '    doc = "drawn from @sketch.png@"',
      "    comment = 'an @draft.png@ in single quotes'",
      '    customData = { asset note = @@@notes/a@b.txt@@@ }',
      ')',
    ].join('\n'),
  );
  assert.deepEqual(usdFacts([layer('cube.usda', text)]).resources, ['notes/a@b.txt']);
});

test('a package: its layers counted together; the files inside it are not looked for beside it', () => {
  const root = usdaCube({ texture: 'textures/paint.png', references: ['parts/wheel.usda', 'outside.usda'] });
  const wheel = usdaCube({ texture: '../textures/rubber.png' });
  const facts = usdFacts(
    [layer('car.usda', root), layer('parts/wheel.usda', wheel)],
    ['car.usda', 'parts/wheel.usda', 'textures/paint.png', 'textures/rubber.png'],
  );
  assert.deepEqual(
    [facts.meshes, facts.triangles, facts.materials, facts.textures, facts.resources],
    [2, 24, 2, 2, ['outside.usda']],
  );
});

test('what is no USD layer is refused with the reason', () => {
  assert.throws(
    () => usdFacts([layer('notes.usda', 'just some text')]),
    /notes\.usda starts with neither #usda nor PXR-USDC: not a USD layer/,
  );
  assert.throws(() => usdFacts([], ['readme.txt']), /the package holds no USD layer/);
  // A crate's header and then nothing a crate holds.
  const crate = Buffer.concat([
    Buffer.from('PXR-USDC'),
    Buffer.from([0, 8, 0, 0, 0, 0, 0, 0]),
    Buffer.alloc(80),
  ]);
  assert.throws(
    () => usdFacts([{ name: 'broken.usdc', bytes: crate }]),
    /broken\.usdc, a binary USD layer, cannot be read: ./,
  );
});

test('a text layer larger than is parsed is refused by its size, before it is read', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'areg-usd-'));
  try {
    const dense = path.join(dir, 'dense.usda');
    fs.writeFileSync(dense, usdaCube());
    fs.truncateSync(dense, MAX_USDA_BYTES + 1); // (sparse: nothing written)
    await assert.rejects(readModel({ source: dense, root: dir, relPath: 'dense.usda' }), {
      message: `not a readable USD model: the file is ${MAX_USDA_BYTES + 1} bytes, more than the ${MAX_USDA_BYTES} read`,
    });
    // A crate may be larger: the same size as a crate is read (and found cut).
    const crate = path.join(dir, 'dense.usdc');
    fs.writeFileSync(crate, 'PXR-USDC');
    fs.truncateSync(crate, MAX_USDA_BYTES + 1);
    assert.ok(MAX_USD_LAYER_BYTES > MAX_USDA_BYTES);
    await assert.rejects(
      readModel({ source: crate, root: dir, relPath: 'dense.usdc' }),
      /a binary USD layer, cannot be read/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * 3D models' facts (src/previews/gltf.ts) from glTF 2.0 written here: a GLB's JSON chunk and a
 * `.gltf` file; triangles by primitive mode, the files a model names, where those files are
 * looked for (never above the assets root), and damaged or foreign files refused with a reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GLB_HEAD_BYTES, glbJsonLength, gltfFacts, relatedPath } from '../../src/previews/gltf.js';
import { gltfCube, makeGlb } from '../helpers/media.js';
import { refusal } from '../helpers/refusal.js';

const factsOfGlb = (glb: Buffer) =>
  gltfFacts(glb.subarray(GLB_HEAD_BYTES, GLB_HEAD_BYTES + glbJsonLength(glb)).toString('utf8'));

test('a GLB: its meshes counted from its JSON chunk alone', () => {
  assert.deepEqual(factsOfGlb(makeGlb({ animations: 2 })), {
    triangles: 12,
    vertices: 24,
    meshes: 1,
    materials: 1,
    textures: 0,
    animations: 2,
    resources: [],
  });
});

test('a .gltf names its buffer and textures: relative URIs listed once, data URIs not', () => {
  const { json } = gltfCube({
    bufferUri: 'cube.bin',
    images: ['textures/wood%20grain.png', 'data:image/png;base64,iVBORw0KGgo=', 'textures/wood%20grain.png'],
  });
  const facts = gltfFacts(JSON.stringify(json));
  assert.deepEqual(facts.resources, ['cube.bin', 'textures/wood%20grain.png']);
  assert.equal(facts.textures, 3);
});

test('triangles by primitive mode: lists, strips and fans, indexed or not; points and lines have none', () => {
  const model = (primitives: unknown[], counts: number[]) =>
    JSON.stringify({
      asset: { version: '2.0' },
      accessors: counts.map((count) => ({ count })),
      meshes: [{ primitives }],
    });
  const facts = gltfFacts(
    model(
      [
        { attributes: { POSITION: 0 } }, // 9 corners, listed: 3
        { attributes: { POSITION: 1 }, indices: 2, mode: 4 }, // 12 indices: 4
        { attributes: { POSITION: 0 }, mode: 5 }, // a strip of 9: 7
        { attributes: { POSITION: 0 }, mode: 6 }, // a fan of 9: 7
        { attributes: { POSITION: 0 }, mode: 1 }, // lines
        { attributes: { POSITION: 0 }, mode: 0 }, // points
        { attributes: {} }, // nothing to draw
      ],
      [9, 6, 12],
    ),
  );
  assert.deepEqual([facts.triangles, facts.vertices], [3 + 4 + 7 + 7, 9 + 6 + 9 + 9 + 9 + 9]);
});

test('what is not glTF 2.0, or is damaged, is refused with the reason', () => {
  const glb = makeGlb();
  assert.equal(
    refusal(() => glbJsonLength(glb.subarray(0, 10))),
    'the file is too short to hold a GLB header',
  );
  assert.equal(
    refusal(() => glbJsonLength(Buffer.alloc(40))),
    'it does not start with "glTF"',
  );
  const v1 = Buffer.from(glb);
  v1.writeUInt32LE(1, 4);
  assert.equal(
    refusal(() => glbJsonLength(v1)),
    'it is glTF 1: only glTF 2.0 is read',
  );
  const huge = Buffer.from(glb);
  huge.writeUInt32LE(0x7fffffff, 12);
  assert.match(
    refusal(() => glbJsonLength(huge)),
    /^its JSON chunk is 2147483647 bytes, more than the/,
  );
  assert.match(
    refusal(() => gltfFacts('{"asset": {"version": "2.0"')),
    /^its JSON does not parse/,
  );
  assert.equal(
    refusal(() => gltfFacts('{"scenes": []}')),
    'its JSON has no "asset" object: not glTF',
  );
  assert.equal(
    refusal(() => gltfFacts('{"asset": {"version": "1.0"}}')),
    'it is glTF 1.0: only glTF 2.0 is read',
  );
  assert.deepEqual(gltfFacts('{"asset": {"version": "2.0"}, "meshes": [7, {"primitives": "x"}]}').meshes, 2);
});

test('a resource is looked for beside the model, never above the assets root, never at an absolute path', () => {
  assert.equal(relatedPath('models/ship/ship.gltf', 'ship.bin'), 'models/ship/ship.bin');
  assert.equal(relatedPath('models/ship/ship.gltf', '../textures/hull.png'), 'models/textures/hull.png');
  assert.equal(
    relatedPath('models/ship/ship.gltf', 'maps/wood%20grain.png'),
    'models/ship/maps/wood grain.png',
  );
  assert.equal(relatedPath('models/ship/ship.gltf', 'maps\\metal.png'), 'models/ship/maps/metal.png');
  assert.equal(relatedPath('ship.gltf', './ship.bin'), 'ship.bin');
  for (const escape of [
    '../../../etc/passwd',
    '../../..',
    '%2e%2e/%2e%2e/%2e%2e/secret',
    '/etc/passwd',
    'file:///etc/passwd',
    'https://example.com/ship.bin',
    'C:/Windows/win.ini',
    'a\0b.png',
  ])
    assert.equal(relatedPath('models/ship/ship.gltf', escape), undefined, escape);
});

/**
 * FBX models' facts (src/previews/fbx.ts) from binary and ASCII FBX 7.4 files written here by the
 * format's layout (test/helpers/media.ts): meshes, vertices and triangles from polygons of any size
 * (compressed index arrays too), materials, textures, animation stacks, the image files named and
 * not embedded; old, cut and crafted files refused with the reason.
 */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { test } from 'node:test';
import { fbxFacts } from '../../src/previews/fbx.js';
import { makeAsciiFbx, makeFbx, makeFbxCube } from '../helpers/media.js';
import { refusal } from '../helpers/refusal.js';

test('a cube: one mesh of 8 vertices and 6 quads (12 triangles), its material', () => {
  assert.deepEqual(fbxFacts(makeFbxCube()), {
    triangles: 12,
    vertices: 8,
    meshes: 1,
    materials: 1,
    textures: 0,
    animations: 0,
    resources: [],
  });
});

test('compressed indices, a texture naming an image by a Windows path, animation takes', () => {
  const facts = fbxFacts(makeFbxCube({ compressed: true, image: 'C:\\art\\maps\\wood.png', takes: 2 }));
  assert.deepEqual(
    [facts.triangles, facts.textures, facts.animations, facts.resources],
    [12, 1, 2, ['wood.png']],
    'the image is looked for by its file name, as the studio’s loader asks for it',
  );
});

test('an embedded image is no file to look for', () => {
  const facts = fbxFacts(
    makeFbx([
      {
        name: 'Objects',
        children: [
          {
            name: 'Video',
            props: [
              ['L', 1],
              ['S', 'skin\0\u0001Video'],
              ['S', 'Clip'],
            ],
            children: [
              { name: 'RelativeFilename', props: [['S', 'skin.png']] },
              { name: 'Content', props: [['R', Buffer.from('\x89PNG...')]] },
            ],
          },
          {
            name: 'Video',
            props: [
              ['L', 2],
              ['S', 'eyes\0\u0001Video'],
              ['S', 'Clip'],
            ],
            children: [{ name: 'RelativeFilename', props: [['S', 'textures/eyes.png']] }],
          },
        ],
      },
    ]),
  );
  assert.deepEqual(facts.resources, ['textures/eyes.png']);
});

test('an ASCII FBX: the same facts as the same scene in binary', () => {
  for (const options of [{}, { image: 'C:\\art\\maps\\wood.png', takes: 2 }]) {
    const text = makeFbxCube({ ...options, ascii: true });
    assert.match(
      text.toString('utf8'),
      /^; FBX 7\.4\.0 project file\n[\s\S]*Geometry: 100, "Geometry::cube", "Mesh" \{/,
    );
    assert.deepEqual(fbxFacts(text), fbxFacts(makeFbxCube(options)));
  }
  // Names with quotes, blank lines, comments after values, an empty node, CRLF line ends.
  const odd = makeAsciiFbx([
    {
      name: 'Objects',
      children: [
        {
          name: 'Video',
          props: [
            ['L', 7],
            ['S', 'say "hi"\0\u0001Video'],
            ['S', 'Clip'],
          ],
          children: [{ name: 'RelativeFilename', props: [['S', 'maps\\hi.png']] }],
        },
        { name: 'Material', props: [['L', 8]], children: [] },
      ],
    },
  ])
    .toString('utf8')
    .replace(/\n/g, ' ; note\r\n');
  const facts = fbxFacts(Buffer.from(odd));
  assert.deepEqual([facts.materials, facts.resources], [1, ['hi.png']]);
});

test('what is not FBX 7, or is cut or crafted, is refused with the reason', () => {
  const cube = makeFbxCube();
  const old = Buffer.from(cube);
  old.writeUInt32LE(6100, 23);
  const ascii = (text: string): Buffer => Buffer.from(`; FBX 7.4.0 project file\n${text}`);
  for (const [bytes, why] of [
    [
      Buffer.from('; FBX 6.1.0 project file\nFBXHeaderExtension:  {'),
      'it is FBX 6100: only FBX 7.0 and later are read',
    ],
    [ascii('Objects:  {\n\tModel: 1, "x"'), 'line 3: Objects is not closed'],
    [ascii('Objects:  {\n\tModel: "x\n}\n'), 'line 3: a string does not end'],
    [ascii('}\n'), 'line 2: a `}` closes nothing'],
    [Buffer.alloc(100), 'it does not start with "Kaydara FBX Binary" or "; FBX"'],
    [cube.subarray(0, 20), 'the file is too short to hold an FBX header'],
    [old, 'it is FBX 6100: only FBX 7.0 and later are read'],
  ] as const)
    assert.equal(
      refusal(() => fbxFacts(bytes)),
      why,
    );
  assert.match(
    refusal(() => fbxFacts(cube.subarray(0, 300))),
    /runs past/,
  );
  // An index array claiming 4 entries whose stream inflates to a megabyte.
  const stream = zlib.deflateSync(Buffer.alloc(1 << 20));
  assert.ok(stream.length < 2000, '(a small file)');
  const bomb = makeFbx([
    {
      name: 'Objects',
      children: [
        {
          name: 'Geometry',
          props: [
            ['L', 1],
            ['S', 'x\0\u0001Geometry'],
            ['S', 'Mesh'],
          ],
          children: [{ name: 'PolygonVertexIndex', props: [['i', [0, 1, 2, -4], { stream }]] }],
        },
      ],
    },
  ]);
  assert.match(
    refusal(() => fbxFacts(bomb)),
    /^an index array does not inflate to its size/,
  );
});

/**
 * OBJ models' facts (src/previews/obj.ts) from files written here: triangles from faces of any
 * size, vertices, the materials used, the libraries named and the textures they name; a binary
 * file or one without geometry refused with the reason.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { besideLibrary, mtlTextures, objFacts } from '../../src/previews/obj.js';
import { makeObjCube } from '../helpers/media.js';
import { refusalAsync } from '../helpers/refusal.js';
import { makeWorkspace } from '../helpers/workspace.js';

const ws = makeWorkspace('areg-obj-');
after(() => ws.cleanup());

test('a cube of quads: 12 triangles, 8 vertices, its material and its library', async () => {
  const file = ws.file('cube.obj', makeObjCube({ library: 'cube materials.mtl' }));
  assert.deepEqual(await objFacts(file), {
    triangles: 12,
    vertices: 8,
    meshes: 1,
    materials: 1,
    animations: 0,
    resources: [],
    libraries: ['cube materials.mtl'],
  });
});

test('faces of any size, several materials, Windows line ends, tabs', async () => {
  const file = ws.file(
    'mixed.obj',
    [
      'v 0 0 0',
      'v 1 0 0',
      'v\t1 1 0',
      'v 0 1 0',
      'v 0 0 1',
      'usemtl a',
      'f 1 2 3',
      'usemtl b',
      'f 1/1/1 2/2/2 3/3/3 4/4/4 5/5/5',
      'usemtl a',
      'f\t1 3 4',
      '',
    ].join('\r\n'),
  );
  const facts = await objFacts(file);
  assert.deepEqual([facts.triangles, facts.vertices, facts.materials], [1 + 3 + 1, 5, 2]);
});

test('the textures a material library names, relative to the model', () => {
  const text = [
    'newmtl wood',
    'Kd 1 1 1',
    'map_Kd maps/wood.png',
    'map_Bump -bm 0.5 maps/wood_n.png',
    'bump maps/wood_n.png',
    'map_d  alpha.png',
    'norm C:\\art\\normal.png',
  ].join('\n');
  assert.deepEqual(mtlTextures(text), [
    'maps/wood.png',
    'maps/wood_n.png',
    'alpha.png',
    'C:\\art\\normal.png',
  ]);
  assert.equal(besideLibrary('rock.mtl', 'maps/wood.png'), 'maps/wood.png');
  assert.equal(besideLibrary('mtl/rock.mtl', 'wood.png'), 'mtl/wood.png');
  assert.equal(besideLibrary('mtl/rock.mtl', 'maps\\wood.png'), 'mtl/maps/wood.png');
});

test('a binary file or one without geometry is refused with the reason', async () => {
  const binary = ws.file('compiled.obj', Buffer.from([0x4c, 0x01, 0x00, 0x00, 0x0a, 0x76, 0x20, 0x31]));
  assert.equal(await refusalAsync(() => objFacts(binary)), 'it is binary, not OBJ text');
  const notes = ws.file('notes.obj', '# nothing here\nmtllib x.mtl\n');
  assert.equal(
    await refusalAsync(() => objFacts(notes)),
    'it holds no vertices ("v" lines) nor faces ("f" lines)',
  );
});

/**
 * A 3D model registered by copy brings the files it names (a `.gltf`'s buffer and textures, an
 * OBJ's material library and its textures) from beside its source to beside its copy, each
 * registered as an asset with the request's metadata; what leads out of the model's folder, is
 * not there, or would land on another file is left out and said. Through a real server and the
 * CLI.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { gltfCube, makeImage, makeObjCube, objMaterialLibrary } from '../helpers/media.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;

before(async () => {
  ws = makeWorkspace('areg-model-resources-');
  server = await startServer(ws.dir);
});

after(async () => {
  await server.stop();
  ws.cleanup();
});

test('a .gltf registered by copy brings its buffer and textures; what it cannot bring is said', async () => {
  const knight = gltfCube({
    bufferUri: 'knight.bin',
    images: ['maps/albedo%20map.png', '../shared/deck.png', 'maps/lost.png', 'taken.png'],
  });
  const albedo = await makeImage(8, 8, 'png');
  ws.file('in/knight/knight.gltf', JSON.stringify(knight.json));
  ws.file('in/knight/knight.bin', knight.bin);
  ws.file('in/knight/maps/albedo map.png', albedo);
  ws.file('in/knight/taken.png', await makeImage(4, 4, 'png'));
  ws.file('in/shared/deck.png', await makeImage(2, 2, 'png'));
  // Another file already where one would land; and the buffer's bytes already an asset elsewhere.
  ws.file('data/assets/models/knight/taken.png', 'a different picture');
  ws.file('data/assets/backup/knight.bin', knight.bin);
  const backup = await api(server.url, 'POST', '/api/assets/register', {
    path: 'data/assets/backup/knight.bin',
    copy: false,
  });
  assert.equal(backup.status, 200, backup.text);

  const res = await api(server.url, 'POST', '/api/assets/register', {
    path: 'in/knight/knight.gltf',
    dest_path: 'models/knight/',
    metadata: { license: 'CC-BY-4.0', tags: ['knight'] },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.asset.path, 'models/knight/knight.gltf');
  assert.deepEqual(res.body.resources, {
    copied: ['models/knight/knight.bin', 'models/knight/maps/albedo map.png'],
    not_copied: [
      { uri: '../shared/deck.png', reason: "it leads out of the model's folder: copy it by hand" },
      { uri: 'maps/lost.png', reason: 'maps/lost.png is not beside the model' },
      { uri: 'taken.png', reason: 'models/knight/taken.png holds another file: it was left as it is' },
    ],
  });
  assert.deepEqual(fs.readFileSync(path.join(ws.assets, 'models/knight/knight.bin')), knight.bin);
  assert.deepEqual(fs.readFileSync(path.join(ws.assets, 'models/knight/maps/albedo map.png')), albedo);
  assert.equal(ws.read('data/assets/models/knight/taken.png'), 'a different picture');
  assert.equal(fs.existsSync(path.join(ws.assets, 'models/shared')), false);

  // Each an asset with the request's licence and tags, and its sidecar; the buffer too, though
  // its bytes were an asset already (the same bytes at two paths are two assets, as a rebuild has them).
  for (const rel of ['models/knight/knight.bin', 'models/knight/maps/albedo map.png']) {
    const found = await api(server.url, 'GET', `/api/assets/search?q=${encodeURIComponent(rel)}`);
    const asset = found.body.items.find((a: { path: string }) => a.path === rel);
    assert.ok(asset, `${rel} is an asset: ${found.text}`);
    assert.equal(asset.license, 'CC-BY-4.0', rel);
    assert.ok(asset.tags.includes('knight'), `${rel}: ${asset.tags}`);
    assert.equal(ws.json(`data/assets/${rel}.asset.json`).id, asset.id);
  }
  const copies = await api(server.url, 'GET', `/api/assets/search?hash=${backup.body.asset.hash}`);
  assert.deepEqual(copies.body.items.map((a: { path: string }) => a.path).sort(), [
    'backup/knight.bin',
    'models/knight/knight.bin',
  ]);

  // The model finds them where it landed: only what was left out is missing.
  const model = await eventually('the model read again', async () => {
    const { asset } = (await api(server.url, 'GET', `/api/assets/${res.body.asset_id}`)).body;
    return asset.preview_status === 'done' && asset.preview.missing.length === 2 ? asset : undefined;
  });
  assert.deepEqual(model.preview.missing, ['../shared/deck.png', 'maps/lost.png']);
});

test('an OBJ registered by the CLI brings its material library and the textures it names', async () => {
  ws.file('in/rock/rock.obj', makeObjCube({ library: 'rock.mtl', material: 'stone' }));
  ws.file('in/rock/rock.mtl', objMaterialLibrary('stone', [0.5, 0.5, 0.5], ['map_Kd maps/stone.png']));
  ws.file('in/rock/maps/stone.png', await makeImage(8, 8, 'png'));
  const res = await runCli(
    ['register', 'in/rock/rock.obj', '--dest', 'props/rock/', '--license', 'CC0-1.0'],
    ws.dir,
  );
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.json.asset.path, 'props/rock/rock.obj');
  assert.deepEqual(res.json.resources, {
    copied: ['props/rock/rock.mtl', 'props/rock/maps/stone.png'],
    not_copied: [],
  });
  assert.equal(ws.read('data/assets/props/rock/rock.mtl'), ws.read('in/rock/rock.mtl'));
  assert.equal(ws.json('data/assets/props/rock/maps/stone.png.asset.json').license, 'CC0-1.0');

  // Registered again: the model is known, nothing is copied again.
  const again = await runCli(['register', 'in/rock/rock.obj', '--dest', 'props/rock/'], ws.dir);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json.created, false);
  assert.equal(again.json.resources, undefined);
});

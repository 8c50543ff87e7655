/**
 * A 3D model moved to another folder takes along the files it names inside its folder (a `.gltf`'s
 * buffer and textures, an OBJ's material library and its textures), to the same places beside it,
 * in the same change: one undo puts them all back. What it cannot take (outside its folder, not
 * there, not an asset, used by a model that stays, a file in the way) stays and is said. Through a
 * real server and the CLI.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { gltfCube, makeImage, makeObjCube, objMaterialLibrary } from '../helpers/media.js';
import {
  api,
  registerInPlace,
  runCli,
  runCliInTerminal,
  startServer,
  type RunningServer,
} from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;

before(async () => {
  ws = makeWorkspace('areg-model-move-');
  server = await startServer(ws.dir);
});

after(async () => {
  await server.stop();
  ws.cleanup();
});

/** Registers a file in place (each test's bytes differ: the same bytes again are the same asset). */
const register = (rel: string, bytes: Buffer | string): Promise<string> =>
  registerInPlace(server.url, ws, rel, bytes, {}, false);
const onDisk = (rel: string): boolean => fs.existsSync(path.join(ws.assets, rel));
const asset = async (id: string) => (await api(server.url, 'GET', `/api/assets/${id}`)).body.asset;
/** The model's facts once read again where it is now, with `missing` files among them. */
const readAgain = (id: string, at: string, missing: number) =>
  eventually(`${at} read again`, async () => {
    const model = await asset(id);
    return model.path === at && model.preview_status === 'done' && model.preview.missing.length === missing
      ? model
      : undefined;
  });

test('a .gltf moved to another folder takes its buffer and textures along; one undo brings all back', async () => {
  const knight = gltfCube({
    bufferUri: 'knight.bin',
    images: ['maps/albedo%20map.png', '../shared/deck.png', 'maps/lost.png', 'late.png', 'maps/cloth.png'],
  });
  const lod = gltfCube({ images: ['maps/cloth.png'] });
  // (The models last: each is read once it is registered.)
  const bin = await register('models/knight/knight.bin', knight.bin);
  const albedo = await register('models/knight/maps/albedo map.png', await makeImage(8, 8, 'png'));
  await register('models/shared/deck.png', await makeImage(2, 2, 'png'));
  // Another model in the folder uses the cloth too: it stays for that one.
  await register('models/knight/maps/cloth.png', await makeImage(4, 4, 'png'));
  await register('models/knight/knight-lod.gltf', JSON.stringify(lod.json));
  // A file no rebuild has registered yet.
  ws.file('data/assets/models/knight/late.png', await makeImage(2, 2, 'png'));
  const model = await register('models/knight/knight.gltf', JSON.stringify(knight.json));
  await readAgain(model, 'models/knight/knight.gltf', 1);

  const res = await api(server.url, 'POST', `/api/assets/${model}/move`, {
    path: 'heroes/knight/knight.gltf',
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.asset.path, 'heroes/knight/knight.gltf');
  assert.deepEqual(res.body.resources, {
    moved: [
      { id: bin, path: 'heroes/knight/knight.bin', model },
      { id: albedo, path: 'heroes/knight/maps/albedo map.png', model },
    ],
    not_moved: [
      {
        model,
        uri: '../shared/deck.png',
        reason:
          "models/shared/deck.png is outside the model's folder, so it stays; the model now looks for it at heroes/shared/deck.png",
      },
      {
        model,
        uri: 'maps/lost.png',
        reason: 'models/knight/maps/lost.png was not there when the model was last read',
      },
      {
        model,
        uri: 'late.png',
        reason: 'models/knight/late.png is not registered (run a rebuild, then move it)',
      },
      {
        model,
        uri: 'maps/cloth.png',
        reason: 'models/knight/maps/cloth.png stays: models/knight/knight-lod.gltf uses it too',
      },
    ],
  });
  // Each with its id, its file and its sidecar beside the model, none left behind.
  assert.equal((await asset(bin)).path, 'heroes/knight/knight.bin');
  assert.equal((await asset(albedo)).path, 'heroes/knight/maps/albedo map.png');
  assert.deepEqual(fs.readFileSync(path.join(ws.assets, 'heroes/knight/knight.bin')), knight.bin);
  for (const rel of ['knight.gltf', 'knight.bin', 'maps/albedo map.png']) {
    assert.ok(onDisk(`heroes/knight/${rel}`) && onDisk(`heroes/knight/${rel}.asset.json`), rel);
    assert.ok(!onDisk(`models/knight/${rel}`) && !onDisk(`models/knight/${rel}.asset.json`), rel);
  }
  assert.ok(onDisk('models/knight/maps/cloth.png') && onDisk('models/knight/late.png'));
  // Read again where it is: what stayed is missing, its buffer and texture are not.
  const moved = await readAgain(model, 'heroes/knight/knight.gltf', 4);
  assert.deepEqual(moved.preview.missing, [
    '../shared/deck.png',
    'maps/lost.png',
    'late.png',
    'maps/cloth.png',
  ]);

  // One change: its undo puts the model and its files back.
  const undo = await api(server.url, 'POST', `/api/changes/${res.body.change_id}/undo`, {});
  assert.equal(undo.status, 200, undo.text);
  assert.equal((await asset(model)).path, 'models/knight/knight.gltf');
  assert.equal((await asset(bin)).path, 'models/knight/knight.bin');
  assert.equal((await asset(albedo)).path, 'models/knight/maps/albedo map.png');
  assert.ok(onDisk('models/knight/maps/albedo map.png') && !onDisk('heroes/knight/knight.bin'));
  await readAgain(model, 'models/knight/knight.gltf', 1);

  // A rename in its folder takes nothing along.
  const renamed = await api(server.url, 'POST', `/api/assets/${model}/move`, {
    path: 'models/knight/sir knight.gltf',
  });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.body.resources, undefined);
  assert.equal((await asset(bin)).path, 'models/knight/knight.bin');
});

test('an OBJ moved by the CLI takes its material library and texture along; --leave-resources moves it alone', async () => {
  const stone = await makeImage(10, 10, 'png');
  const obj = makeObjCube({ library: 'rock.mtl', material: 'stone' });
  const mtl = objMaterialLibrary('stone', [0.5, 0.5, 0.5], ['map_Kd maps/stone.png']);
  const library = await register('props/rock/rock.mtl', mtl);
  const texture = await register('props/rock/maps/stone.png', stone);
  const rock = await register('props/rock/rock.obj', obj);
  await readAgain(rock, 'props/rock/rock.obj', 0);

  // The model and its texture asked for together: the texture goes where the model finds it
  // (under the folder, in maps/), not flat beside it.
  const res = await runCli(['move', rock, texture, '--to', 'props/boulder', '--json'], ws.dir);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(res.json.moved.map((m: { to: string }) => m.to).sort(), [
    'props/boulder/maps/stone.png',
    'props/boulder/rock.mtl',
    'props/boulder/rock.obj',
  ]);
  assert.deepEqual(res.json.resources, {
    moved: [
      { id: texture, path: 'props/boulder/maps/stone.png', model: rock },
      { id: library, path: 'props/boulder/rock.mtl', model: rock },
    ],
    not_moved: [],
  });
  assert.equal(ws.read('data/assets/props/boulder/rock.mtl'), mtl);
  await readAgain(rock, 'props/boulder/rock.obj', 0);

  // In text: which files went with it.
  const text = await runCliInTerminal(['move', rock, '--to', 'props/cliff'], ws.dir);
  assert.equal(text.code, 0, text.shown);
  assert.match(text.shown, /^moved 3 assets$/m);
  assert.match(text.shown, /^moved with props\/cliff\/rock\.obj: props\/cliff\/rock\.mtl$/m);
  assert.match(text.shown, /^moved with props\/cliff\/rock\.obj: props\/cliff\/maps\/stone\.png$/m);
  assert.match(text.shown, /^Undo with: asset-registry undo \d+$/m);

  // Alone: its files stay, and it says they are missing where it is now.
  const alone = await runCli(
    ['move', rock, '--path', 'props/rock.obj', '--leave-resources', '--json'],
    ws.dir,
  );
  assert.equal(alone.code, 0, alone.stderr);
  assert.equal(alone.json.resources, undefined);
  assert.ok(onDisk('props/cliff/rock.mtl') && onDisk('props/cliff/maps/stone.png'));
  await readAgain(rock, 'props/rock.obj', 1);
});

test('a file in the way of one the model names: the model moves, that file stays and is said', async () => {
  const ship = gltfCube({ bufferUri: 'ship.bin', images: ['hull.png'], animations: 1 });
  const bin = await register('vehicles/ship/ship.bin', ship.bin);
  const hull = await register('vehicles/ship/hull.png', await makeImage(6, 6, 'png'));
  const model = await register('vehicles/ship/ship.gltf', JSON.stringify(ship.json));
  ws.file('data/assets/fleet/hull.png', 'another picture');
  await readAgain(model, 'vehicles/ship/ship.gltf', 0);

  const res = await api(server.url, 'POST', '/api/assets/move', { ids: [model], folder: 'fleet' });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body.failed, []);
  assert.deepEqual(res.body.resources.moved, [{ id: bin, path: 'fleet/ship.bin', model }]);
  assert.equal(res.body.resources.not_moved.length, 1);
  assert.equal(res.body.resources.not_moved[0].uri, 'hull.png');
  assert.match(res.body.resources.not_moved[0].reason, /fleet\/hull\.png/);
  assert.equal(ws.read('data/assets/fleet/hull.png'), 'another picture');
  assert.equal((await asset(hull)).path, 'vehicles/ship/hull.png');
  assert.equal((await asset(bin)).path, 'fleet/ship.bin');
});

test('leave_resources that is no boolean is refused with a 422 that names it, and nothing moves', async () => {
  const crate = await register('crates/crate.gltf', JSON.stringify(gltfCube({ animations: 4 }).json));
  for (const [route, body] of [
    [`/api/assets/${crate}/move`, { path: 'elsewhere/crate.gltf', leave_resources: 'yes' }],
    ['/api/assets/move', { ids: [crate], folder: 'elsewhere', leave_resources: 1 }],
  ] as const) {
    const res = await api(server.url, 'POST', route, body);
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.code, 'validation_error');
    assert.match(res.body.message, /body\/leave_resources must be boolean/);
  }
  assert.equal((await asset(crate)).path, 'crates/crate.gltf');
});

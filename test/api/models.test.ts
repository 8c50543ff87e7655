/**
 * 3D models through a real server: a GLB's and a `.gltf`'s facts read by the preview queue, the
 * files a `.gltf` needs served from beside it (and nothing else, nothing outside the assets root),
 * a picture drawn by the studio kept as the model's thumbnail with its transparent background, and
 * damaged models failing with the reason.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { eventually } from '../helpers/eventually.js';
import { api, postFile, registerInPlace, startServer, type RunningServer } from '../helpers/server.js';
import {
  fill,
  gltfCube,
  makeFbxCube,
  makeGlb,
  makeImage,
  makeObjCube,
  makeUsdz,
  objMaterialLibrary,
  usdaCube,
} from '../helpers/media.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let url: string;
const byPath: Record<string, any> = {};

before(async () => {
  ws = makeWorkspace('areg-models-');
  ws.file('data/assets/models/crate.glb', makeGlb({ animations: 1 }));
  const ship = gltfCube({
    bufferUri: 'ship.bin',
    images: ['maps/hull%20paint.png', '../textures/deck.png', 'maps/lost.png'],
  });
  ws.file('data/assets/models/ship/ship.gltf', JSON.stringify(ship.json));
  ws.file('data/assets/models/ship/ship.bin', ship.bin);
  ws.file('data/assets/models/ship/maps/hull paint.png', await makeImage(8, 8, 'png'));
  ws.file('data/assets/models/textures/deck.png', await makeImage(4, 4, 'png'));
  // A .gltf naming files above the assets root, and one linked from outside it.
  ws.file('outside.bin', Buffer.alloc(64, 7));
  const sneaky = gltfCube({ bufferUri: '../../../../outside.bin', images: ['linked.png'] });
  ws.file('data/assets/models/sneaky.gltf', JSON.stringify(sneaky.json));
  fs.symlinkSync(path.join(ws.dir, 'outside.bin'), path.join(ws.dir, 'data/assets/models/linked.png'));
  ws.file('data/assets/models/broken.glb', Buffer.from('not a model at all, just words'));
  ws.file('data/assets/models/text.fbx', makeFbxCube({ ascii: true, image: 'C:\\art\\hero_skin.png' }));
  ws.file('data/assets/models/old.fbx', '; FBX 6.1.0 project file\nFBXHeaderExtension:  {\n}\n');
  // An OBJ, its material library, one texture it names there and one it names that is missing.
  ws.file('data/assets/models/rock/rock.obj', makeObjCube({ library: 'rock.mtl', material: 'stone' }));
  ws.file(
    'data/assets/models/rock/rock.mtl',
    objMaterialLibrary('stone', [0.5, 0.5, 0.5], ['map_Kd maps/stone.png', 'map_Bump maps/stone_bump.png']),
  );
  ws.file('data/assets/models/rock/maps/stone.png', await makeImage(8, 8, 'png'));
  // An FBX naming its texture by the artist's Windows path; the texture beside it.
  ws.file(
    'data/assets/models/hero.fbx',
    makeFbxCube({ image: 'C:\\Users\\ana\\hero_skin.png', takes: 2, compressed: true }),
  );
  ws.file('data/assets/models/hero_skin.png', await makeImage(8, 8, 'png'));
  // USD: a text layer naming a texture beside it and two layers (one missing), a package holding
  // its layer and texture, and a file that is no USD.
  ws.file(
    'data/assets/models/usd/lamp.usda',
    usdaCube({
      texture: 'maps/glass.png',
      animated: true,
      references: ['parts/base.usda', 'parts/lost.usda'],
    }),
  );
  ws.file('data/assets/models/usd/maps/glass.png', await makeImage(6, 6, 'png'));
  ws.file('data/assets/models/usd/parts/base.usda', usdaCube({ color: [0.2, 0.2, 0.2] }));
  ws.file(
    'data/assets/models/usd/car.usdz',
    await makeUsdz([
      ['car.usda', usdaCube({ texture: 'textures/paint.png' })],
      ['textures/paint.png', await makeImage(4, 4, 'png')],
    ]),
  );
  ws.file('data/assets/models/usd/fake.usdc', 'a note saved with the wrong name');
  ws.file('data/assets/models/usd/cut.usdc', 'PXR-USDC and then nothing a crate holds');
  server = await startServer(ws.dir);
  url = server.url;
  const rebuilt = await api(url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
  assert.equal(rebuilt.status, 200, rebuilt.text);
  const again = await api(url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
  assert.equal(
    again.body.summary.missing_thumbnails,
    0,
    'a model has no thumbnail to make: the studio sends its picture',
  );
  const found = await api(url, 'GET', '/api/assets/search?limit=100&q=models/');
  for (const asset of found.body.items) byPath[asset.path] = asset;
});
/** The asset once its preview (queued again) is made. */
const previewMade = (id: string): Promise<any> =>
  eventually(`the preview of ${id}`, async () => {
    const { asset } = (await api(url, 'GET', `/api/assets/${id}`)).body;
    return asset.preview_status === 'done' ? asset : undefined;
  });

after(async () => {
  await server.stop();
  ws.cleanup();
});

test("a GLB's facts from its JSON: triangles, vertices, materials, animations; no thumbnail until the studio draws one", async () => {
  const crate = byPath['models/crate.glb'];
  assert.equal(crate.preview_status, 'done', crate.preview_error);
  assert.deepEqual(crate.preview, {
    kind: 'model',
    triangles: 12,
    vertices: 24,
    meshes: 1,
    materials: 1,
    textures: 0,
    animations: 1,
    resources: [],
    missing: [],
  });
  assert.equal(crate.urls.thumbnail, undefined);
  const none = await api(url, 'GET', `/api/assets/${crate.id}/thumbnail`);
  assert.equal(none.status, 404);
  assert.match(none.body.message, /has no poster yet: the studio sets one when it shows the model/);
  // Found by what it is.
  const models = await api(url, 'GET', '/api/assets/search?q=crate&fields=uid');
  assert.deepEqual(models.body.items, [{ uid: crate.id }]);
});

test('a .gltf lists the files it needs and which of them are missing; those it names are served from beside it', async () => {
  const ship = byPath['models/ship/ship.gltf'];
  assert.equal(ship.preview_status, 'done', ship.preview_error);
  assert.deepEqual(ship.preview.resources, [
    'ship.bin',
    'maps/hull%20paint.png',
    '../textures/deck.png',
    'maps/lost.png',
  ]);
  assert.deepEqual(ship.preview.missing, ['maps/lost.png']);
  const related = (uri: string) =>
    fetch(`${url}/api/assets/${ship.id}/related?path=${encodeURIComponent(uri)}`);
  const bin = await related('ship.bin');
  assert.equal(bin.status, 200);
  assert.deepEqual(
    Buffer.from(await bin.arrayBuffer()),
    fs.readFileSync(path.join(ws.dir, 'data/assets/models/ship/ship.bin')),
  );
  const hull = await related('maps/hull%20paint.png');
  assert.equal(hull.status, 200);
  assert.equal(hull.headers.get('content-type'), 'image/png');
  assert.equal(
    (await related('../textures/deck.png')).status,
    200,
    'a folder beside the model’s, still inside the root',
  );
  const lost = await related('maps/lost.png');
  assert.equal(lost.status, 404);
  assert.match(
    ((await lost.json()) as { message: string }).message,
    /models\/ship\/maps\/lost\.png, which models\/ship\/ship\.gltf names, is not in the assets root/,
  );
  // Only what the model names: not its neighbours, not the registry's own files.
  for (const other of ['../crate.glb', 'ship.gltf.asset.json', '../../../../config/comfyvn.sqlite']) {
    const res = await related(other);
    assert.equal(res.status, 404, other);
    assert.equal(((await res.json()) as { code: string }).code, 'not_a_resource');
  }
  const notModel = await api(
    url,
    'GET',
    `/api/assets/${byPath['models/ship/maps/hull paint.png'].id}/related?path=x.png`,
  );
  assert.equal(notModel.status, 404);
});

test('the models lacking files they name are listed with the preview queue, by path', async () => {
  const { body } = await api(url, 'GET', '/api/previews');
  assert.equal(body.missing_files.total, 4);
  assert.deepEqual(
    body.missing_files.items.map((m: { path: string; missing: string[] }) => [m.path, m.missing]),
    [
      ['models/rock/rock.obj', ['maps/stone_bump.png']],
      ['models/ship/ship.gltf', ['maps/lost.png']],
      ['models/sneaky.gltf', ['../../../../outside.bin', 'linked.png']],
      ['models/usd/lamp.usda', ['parts/lost.usda']],
    ],
  );
  assert.equal(body.missing_files.items[1].uid, byPath['models/ship/ship.gltf'].id);
});

test('a model naming files outside the assets root gets none of them', async () => {
  const sneaky = byPath['models/sneaky.gltf'];
  assert.deepEqual(sneaky.preview.missing, ['../../../../outside.bin', 'linked.png']);
  const above = await fetch(
    `${url}/api/assets/${sneaky.id}/related?path=${encodeURIComponent('../../../../outside.bin')}`,
  );
  assert.equal(above.status, 404);
  assert.match(
    ((await above.json()) as { message: string }).message,
    /not a file beside it inside the assets root/,
  );
  const linked = await fetch(`${url}/api/assets/${sneaky.id}/related?path=linked.png`);
  assert.equal(linked.status, 400, 'a symlink out of the root is refused');
  assert.match(
    ((await linked.json()) as { message: string }).message,
    /leads outside the asset registry root/,
  );
});

test('a picture of the model drawn by the studio becomes its thumbnail, its transparent background kept', async () => {
  const crate = byPath['models/crate.glb'];
  // A red box on a transparent 400 × 300 picture, as the studio's WebGL view gives it.
  const picture = await sharp({
    create: { width: 400, height: 300, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
  })
    .composite([
      {
        input: fill(200 * 150, 200, 30, 20, 255),
        raw: { width: 200, height: 150, channels: 4 },
        left: 100,
        top: 75,
      },
    ])
    .png()
    .toBuffer();
  const res = await fetch(`${url}/api/assets/${crate.id}/poster?at=0&hash=${crate.hash.slice(0, 16)}`, {
    method: 'PUT',
    headers: { 'content-type': 'image/png' },
    body: new Uint8Array(picture),
  });
  const body = (await res.json()) as { asset: any };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.asset.preview.triangles, 12, 'its facts stay');
  assert.deepEqual(body.asset.preview.poster, { at: 0, width: 400, height: 300, hash: crate.hash });
  assert.equal(body.asset.colors.transparent, true);
  const thumb = await fetch(url + body.asset.urls.thumbnail);
  assert.equal(thumb.headers.get('content-type'), 'image/png');
  const { data, info } = await sharp(Buffer.from(await thumb.arrayBuffer()))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [256, 192]);
  const at = (x: number, y: number) => [
    ...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4),
  ];
  assert.equal(at(2, 2)[3], 0, 'the corner is transparent');
  assert.deepEqual(at(128, 96), [200, 30, 20, 255]);
  // The model's picture stays when its facts are read again.
  const requeued = await api(url, 'POST', '/api/previews/requeue', { ids: [crate.id] });
  assert.equal(requeued.status, 200, requeued.text);
  const again = await previewMade(crate.id);
  assert.deepEqual([again.preview.poster?.width, again.urls.thumbnail], [400, body.asset.urls.thumbnail]);
});

test('an OBJ: its facts, its material library and the textures that names; those served, the missing one said', async () => {
  const rock = byPath['models/rock/rock.obj'];
  assert.equal(rock.preview_status, 'done', rock.preview_error);
  assert.deepEqual(rock.preview, {
    kind: 'model',
    triangles: 12,
    vertices: 8,
    meshes: 1,
    materials: 1,
    textures: 2,
    animations: 0,
    resources: ['rock.mtl', 'maps/stone.png', 'maps/stone_bump.png'],
    missing: ['maps/stone_bump.png'],
  });
  for (const uri of ['rock.mtl', 'maps/stone.png']) {
    const res = await fetch(`${url}/api/assets/${rock.id}/related?path=${encodeURIComponent(uri)}`);
    assert.equal(res.status, 200, uri);
  }
});

test('an FBX: its facts from its node tree; the image it names found by its file name beside it', async () => {
  const hero = byPath['models/hero.fbx'];
  assert.equal(hero.preview_status, 'done', hero.preview_error);
  assert.deepEqual(hero.preview, {
    kind: 'model',
    triangles: 12,
    vertices: 8,
    meshes: 1,
    materials: 1,
    textures: 1,
    animations: 2,
    resources: ['hero_skin.png'],
    missing: [],
  });
  const skin = await fetch(`${url}/api/assets/${hero.id}/related?path=hero_skin.png`);
  assert.equal(skin.status, 200);
  // The same scene written as an ASCII FBX.
  const text = byPath['models/text.fbx'];
  assert.equal(text.preview_status, 'done', text.preview_error);
  assert.deepEqual(
    [text.preview.triangles, text.preview.vertices, text.preview.resources, text.preview.missing],
    [12, 8, ['hero_skin.png'], []],
  );
});

test("USD: a layer's facts and the files it names, served from beside it; a package's from inside it", async () => {
  const lamp = byPath['models/usd/lamp.usda'];
  assert.equal(lamp.preview_status, 'done', lamp.preview_error);
  const { triangles, vertices, meshes, materials, textures, animations, resources, missing } = lamp.preview;
  assert.deepEqual(
    { triangles, vertices, meshes, materials, textures, animations },
    { triangles: 12, vertices: 8, meshes: 1, materials: 1, textures: 1, animations: 1 },
  );
  assert.deepEqual(resources, ['maps/glass.png', 'parts/base.usda', 'parts/lost.usda']);
  assert.deepEqual(missing, ['parts/lost.usda']);
  const glass = await fetch(
    `${url}/api/assets/${lamp.id}/related?path=${encodeURIComponent('maps/glass.png')}`,
  );
  assert.equal(glass.status, 200);
  assert.equal(glass.headers.get('content-type'), 'image/png');

  const car = byPath['models/usd/car.usdz'];
  assert.equal(car.preview_status, 'done', car.preview_error);
  assert.deepEqual(
    [car.preview.triangles, car.preview.textures, car.preview.resources, car.preview.missing],
    [12, 1, [], []],
    'its texture is inside it',
  );
  assert.equal(byPath['models/usd/parts/base.usda'].preview.triangles, 12);

  const fake = byPath['models/usd/fake.usdc'];
  assert.equal(fake.preview_status, 'failed');
  assert.match(
    fake.preview_error,
    /not a readable USD model: fake\.usdc starts with neither #usda nor PXR-USDC/,
  );
  const cut = byPath['models/usd/cut.usdc'];
  assert.equal(cut.preview_status, 'failed');
  assert.match(
    cut.preview_error,
    /not a readable USD model: cut\.usdc, a binary USD layer, cannot be read: ./,
  );
});

test('a damaged model fails with the reason', () => {
  const broken = byPath['models/broken.glb'];
  assert.equal(broken.preview_status, 'failed');
  assert.match(broken.preview_error, /not a readable glTF model: it does not start with "glTF"/);
  assert.match(
    byPath['models/old.fbx'].preview_error,
    /not a readable FBX model: it is FBX 6100: only FBX 7\.0 and later are read/,
  );
});

test('a model looks for the files it names again: after a rebuild once they are back, after it is moved', async () => {
  const ship = byPath['models/ship/ship.gltf'];
  const settled = () => previewMade(ship.id);
  ws.file('data/assets/models/ship/maps/lost.png', await makeImage(4, 4, 'png'));
  const rebuilt = await api(url, 'POST', '/api/assets/rebuild', { wait_for_thumbs: true });
  assert.equal(rebuilt.status, 200, rebuilt.text);
  assert.deepEqual((await settled()).preview.missing, [], 'found once it is back');
  const listed = (await api(url, 'GET', '/api/previews')).body.missing_files;
  assert.deepEqual(
    listed.items.map((m: { path: string }) => m.path),
    ['models/rock/rock.obj', 'models/sneaky.gltf', 'models/usd/lamp.usda'],
    'no longer listed',
  );

  // Moved alone (its files left behind).
  const moved = await api(url, 'POST', `/api/assets/${ship.id}/move`, {
    path: 'models/ship.gltf',
    leave_resources: true,
  });
  assert.equal(moved.status, 200, moved.text);
  const after = await settled();
  assert.equal(after.path, 'models/ship.gltf');
  // None of them is where it names them from its new folder (../textures/ is textures/ now).
  assert.deepEqual(after.preview.missing, [
    'ship.bin',
    'maps/hull%20paint.png',
    '../textures/deck.png',
    'maps/lost.png',
  ]);
});

test('a model that lacked a file reads its facts again when one lands there: registered, uploaded or moved in', async () => {
  const boat = gltfCube({ bufferUri: 'boat.bin', images: ['sail.png', 'maps/rope.png'], animations: 2 });
  const id = await registerInPlace(url, ws, 'models/boat/boat.gltf', JSON.stringify(boat.json), {}, false);
  const lacking = (n: number) =>
    eventually(`boat.gltf lacking ${n} files`, async () => {
      const { asset } = (await api(url, 'GET', `/api/assets/${id}`)).body;
      return asset.preview_status === 'done' && asset.preview.missing.length === n ? asset : undefined;
    });
  await lacking(3);
  // Registered in place by a script.
  await registerInPlace(url, ws, 'models/boat/boat.bin', boat.bin, {}, false);
  assert.deepEqual((await lacking(2)).preview.missing, ['sail.png', 'maps/rope.png']);
  // Uploaded from the studio (a folder dropped: each file to its place).
  const sail = await makeImage(12, 10, 'png');
  const upload = await postFile(url, '/api/assets/upload', { dest_path: 'models/boat/' }, sail, 'sail.png');
  assert.equal(upload.status, 200, upload.text);
  assert.equal(upload.body.asset.path, 'models/boat/sail.png');
  assert.deepEqual((await lacking(1)).preview.missing, ['maps/rope.png']);
  // An asset moved to where it is named.
  const rope = await registerInPlace(url, ws, 'textures/rope.png', await makeImage(14, 10, 'png'), {}, false);
  const moved = await api(url, 'POST', `/api/assets/${rope}/move`, { path: 'models/boat/maps/rope.png' });
  assert.equal(moved.status, 200, moved.text);
  await lacking(0);
});

test('a model says which files it lacks once they leave: moved or deleted through the API, or by hand as a rebuild finds', async () => {
  const cart = gltfCube({
    bufferUri: 'cart.bin',
    images: ['wheel.png', 'maps/wood.png', 'maps/iron.png'],
    animations: 3,
  });
  // (Bytes of its own: the same bytes as another asset's are that asset.)
  const bin = await registerInPlace(
    url,
    ws,
    'models/cart/cart.bin',
    Buffer.concat([cart.bin, Buffer.from('cart')]),
    {},
    false,
  );
  const wheel = await registerInPlace(
    url,
    ws,
    'models/cart/wheel.png',
    await makeImage(16, 10, 'png'),
    {},
    false,
  );
  await registerInPlace(url, ws, 'models/cart/maps/wood.png', await makeImage(18, 10, 'png'), {}, false);
  await registerInPlace(url, ws, 'models/cart/maps/iron.png', await makeImage(20, 10, 'png'), {}, false);
  const id = await registerInPlace(url, ws, 'models/cart/cart.gltf', JSON.stringify(cart.json), {}, false);
  const lacks = (at: string, missing: string[]) =>
    eventually(`${at} lacking ${missing.join(', ') || 'nothing'}`, async () => {
      const { asset } = (await api(url, 'GET', `/api/assets/${id}`)).body;
      return asset.path === at &&
        asset.preview_status === 'done' &&
        JSON.stringify(asset.preview.missing) === JSON.stringify(missing)
        ? asset
        : undefined;
    });
  await lacks('models/cart/cart.gltf', []);
  // Its buffer moved away, its wheel deleted, through the API.
  const moved = await api(url, 'POST', `/api/assets/${bin}/move`, { path: 'models/spare/cart.bin' });
  assert.equal(moved.status, 200, moved.text);
  await lacks('models/cart/cart.gltf', ['cart.bin']);
  const removed = await api(url, 'DELETE', `/api/assets/${wheel}?delete_file=true`);
  assert.equal(removed.status, 200, removed.text);
  await lacks('models/cart/cart.gltf', ['cart.bin', 'wheel.png']);
  // A texture deleted by hand: the rebuild that removes its asset has the model read again.
  fs.rmSync(path.join(ws.dir, 'data/assets/models/cart/maps/wood.png'));
  assert.equal((await api(url, 'POST', '/api/assets/rebuild', {})).status, 200);
  await lacks('models/cart/cart.gltf', ['cart.bin', 'wheel.png', 'maps/wood.png']);
  // The model moved by hand, alone: from where it is now, none of its files is beside it.
  fs.renameSync(
    path.join(ws.dir, 'data/assets/models/cart/cart.gltf'),
    path.join(ws.dir, 'data/assets/models/cart.gltf'),
  );
  const rebuilt = await api(url, 'POST', '/api/assets/rebuild', {});
  assert.equal(rebuilt.body.summary.moved, 1, rebuilt.text);
  await lacks('models/cart.gltf', ['cart.bin', 'wheel.png', 'maps/wood.png', 'maps/iron.png']);
});

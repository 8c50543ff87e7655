/**
 * 3D models in the studio: the browser draws each model (WebGL) and sends the picture as its
 * thumbnail, so the gallery shows them; the detail view shows the model to turn with the pointer,
 * plays its animations, keeps the view chosen as its thumbnail, says which files a `.gltf`
 * needs that are not beside it, and moves a model with the files it names.
 */
import { expect, test, type Locator } from '@playwright/test';
import sharp from 'sharp';
import { makeCompressedGlb } from '../helpers/compressed-gltf.js';
import {
  gltfCube,
  makeFbxCube,
  makeGlb,
  makeImage,
  makeObjCube,
  makeUsdz,
  objMaterialLibrary,
  usdaCube,
} from '../helpers/media.js';
import { api, type RunningServer } from '../helpers/server.js';
import { serveRebuilt } from '../helpers/studio.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let ids: Record<string, string>;
const RED = { r: 220, g: 20, b: 20 };
const GREEN = { r: 20, g: 200, b: 20 };

test.beforeAll(async () => {
  ws = makeWorkspace('areg-e2e-models-');
  ws.file('data/assets/models/crate.glb', makeGlb({ color: [0.9, 0.05, 0.05], animations: 1 }));
  const ship = gltfCube({ color: [0.05, 0.1, 0.9], bufferUri: 'ship.bin', images: ['maps/lost.png'] });
  ws.file('data/assets/models/ship/ship.gltf', JSON.stringify(ship.json));
  ws.file('data/assets/models/ship/ship.bin', ship.bin);
  const boat = gltfCube({ color: [0.05, 0.1, 0.9], bufferUri: 'boat.bin', animations: 1 });
  ws.file('data/assets/models/boat/boat.gltf', JSON.stringify(boat.json));
  ws.file('data/assets/models/boat/boat.bin', boat.bin);
  ws.file('data/assets/models/rock/rock.obj', makeObjCube({ library: 'rock.mtl', material: 'moss' }));
  ws.file('data/assets/models/rock/rock.mtl', objMaterialLibrary('moss', [0.1, 0.75, 0.1]));
  ws.file('data/assets/models/hero.fbx', makeFbxCube({ color: [0.85, 0.1, 0.1], takes: 1 }));
  ws.file('data/assets/models/text.fbx', makeFbxCube({ color: [0.1, 0.85, 0.1], takes: 1, ascii: true }));
  // USD: a text layer of one colour; one whose texture is beside it; a package holding its texture.
  ws.file('data/assets/models/usd/lamp.usda', usdaCube({ color: [0.05, 0.1, 0.9] }));
  ws.file('data/assets/models/usd/crate.usda', usdaCube({ texture: 'maps/paint.png' }));
  ws.file('data/assets/models/usd/maps/paint.png', await makeImage(8, 8, 'png', undefined, RED));
  ws.file(
    'data/assets/models/usd/car.usdz',
    await makeUsdz([
      ['car.usda', usdaCube({ texture: 'textures/paint.png' })],
      ['textures/paint.png', await makeImage(8, 8, 'png', undefined, GREEN)],
    ]),
  );
  // Game-ready glTF: meshes compressed by meshopt and by Draco, decoded in the browser.
  ws.file('data/assets/models/packed/meshopt.glb', await makeCompressedGlb('meshopt', [0.02, 0.45, 0.02]));
  ws.file('data/assets/models/packed/draco.glb', await makeCompressedGlb('draco', [0.05, 0.1, 0.9]));
  ({ server, ids } = await serveRebuilt(ws, { wait_for_thumbs: true }));
});

test.afterAll(async () => {
  await server?.stop();
  ws?.cleanup();
});

/** Whether channel `channel` (0 red, 1 green, 2 blue) of a lit, shaded colour leads the others by far. */
const isMostly = (rgba: number[], channel: number): boolean =>
  [0, 1, 2].every((other) => other === channel || rgba[channel]! > rgba[other]! + 60);

/** The canvas's pixels as the page drew them: its size and the colour at its middle. */
const drawn = (canvas: Locator) =>
  canvas.evaluate((el: HTMLCanvasElement) => {
    const copy = document.createElement('canvas');
    [copy.width, copy.height] = [el.width, el.height];
    const context = copy.getContext('2d')!;
    context.drawImage(el, 0, 0);
    const middle = [...context.getImageData(el.width >> 1, el.height >> 1, 1, 1).data];
    return { width: el.width, height: el.height, middle, picture: copy.toDataURL() };
  });

test('each model gets a picture drawn by the browser as its thumbnail: the gallery shows it', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/`);
  const tile = page.locator('.tile', { hasText: 'crate.glb' });
  await expect(tile).toContainText('12 triangles');
  await expect(tile.getByRole('img', { name: 'Preview of crate.glb' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('img', { name: 'Preview of ship.gltf' })).toBeVisible({ timeout: 20_000 });
  // The server made the thumbnails from it: the red cube in the middle, the background transparent.
  const { body } = await api(server.url, 'GET', `/api/assets/${ids['models/crate.glb']}`);
  const thumb = await fetch(server.url + body.asset.urls.thumbnails['256']);
  const { data, info } = await sharp(Buffer.from(await thumb.arrayBuffer()))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => [
    ...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4),
  ];
  const middle = at(info.width >> 1, info.height >> 1);
  expect(middle[3], 'the model is drawn').toBe(255);
  expect(isMostly(middle, 0), `red: ${middle.join()}`).toBe(true);
  expect(at(1, 1)[3], 'around it, transparent').toBe(0);
  expect(body.asset.colors.transparent).toBe(true);
});

test('the detail view shows the model to turn, plays its animation, and keeps a chosen view as its thumbnail', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/asset/${ids['models/crate.glb']}`);
  const dialog = page.getByRole('dialog', { name: 'crate.glb' });
  const canvas = dialog.getByLabel('3D view of crate.glb');
  await expect(dialog.getByRole('button', { name: 'Use this view as the thumbnail' })).toBeVisible();
  await expect(dialog).toContainText('12 triangles · 24 vertices · 1 material · 1 animation');
  await expect(dialog.getByRole('combobox', { name: 'Animation' })).toHaveValue('0');
  await expect(dialog.getByRole('option', { name: 'spin-1' })).toBeAttached();
  // Stopped at rest, the view holds still; dragging turns it.
  await dialog.getByRole('combobox', { name: 'Animation' }).selectOption('-1');
  await expect.poll(async () => (await drawn(canvas)).middle[3]).toBe(255);
  const before = await drawn(canvas);
  expect(isMostly(before.middle, 0), `red: ${before.middle.join()}`).toBe(true);
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 30, { steps: 8 });
  await page.mouse.up();
  await expect.poll(async () => (await drawn(canvas)).picture !== before.picture).toBe(true);

  await dialog.getByRole('button', { name: 'Use this view as the thumbnail' }).click();
  await expect(dialog.getByRole('status')).toHaveText('This view is the thumbnail now.');
  const { body } = await api(server.url, 'GET', `/api/assets/${ids['models/crate.glb']}`);
  // The view's own size (the stage's canvas), not the 512 px picture drawn for the gallery.
  expect([body.asset.preview.poster.width, body.asset.preview.poster.height]).toEqual([
    before.width,
    before.height,
  ]);
});

test('a .gltf loads its buffer from beside it; the files it names that are missing are said', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/asset/${ids['models/ship/ship.gltf']}`);
  const dialog = page.getByRole('dialog', { name: 'ship.gltf' });
  await expect(dialog.getByTestId('model-missing')).toHaveText(
    'Not found beside it: maps/lost.png. It is shown without it.',
  );
  const canvas = dialog.getByLabel('3D view of ship.gltf');
  await expect(dialog.getByRole('button', { name: 'Use this view as the thumbnail' })).toBeVisible();
  await expect.poll(async () => (await drawn(canvas)).middle[3]).toBe(255);
  const { middle } = await drawn(canvas);
  expect(isMostly(middle, 2), `blue: ${middle.join()}`).toBe(true);
  await expect(dialog.getByText(/could not be shown/)).toHaveCount(0);
});

for (const { file, facts, channel } of [
  { file: 'models/rock/rock.obj', facts: '12 triangles · 8 vertices · 1 material', channel: 1 },
  { file: 'models/hero.fbx', facts: '12 triangles · 8 vertices · 1 material · 1 animation', channel: 0 },
  { file: 'models/text.fbx', facts: '12 triangles · 8 vertices · 1 material · 1 animation', channel: 1 },
  { file: 'models/packed/meshopt.glb', facts: '12 triangles · 24 vertices · 1 material', channel: 1 },
  { file: 'models/packed/draco.glb', facts: '12 triangles · 24 vertices · 1 material', channel: 2 },
  { file: 'models/usd/lamp.usda', facts: '12 triangles · 8 vertices · 1 material', channel: 2 },
  // (Its texture fetched from beside it; the package's from inside it.)
  { file: 'models/usd/crate.usda', facts: '12 triangles · 8 vertices · 1 material · 1 texture', channel: 0 },
  { file: 'models/usd/car.usdz', facts: '12 triangles · 8 vertices · 1 material · 1 texture', channel: 1 },
]) {
  test(`${file.split('/').pop()!}: drawn in the colour its material gives it`, async ({ page }) => {
    await page.goto(`${server.url}/#/asset/${ids[file]}`);
    const name = file.split('/').pop()!;
    const dialog = page.getByRole('dialog', { name });
    await expect(dialog).toContainText(facts);
    const canvas = dialog.getByLabel(`3D view of ${name}`);
    await expect(dialog.getByRole('button', { name: 'Use this view as the thumbnail' })).toBeVisible();
    await expect.poll(async () => (await drawn(canvas)).middle[3]).toBe(255);
    const { middle } = await drawn(canvas);
    expect(isMostly(middle, channel), `${['red', 'green', 'blue'][channel]}: ${middle.join()}`).toBe(true);
  });
}

test('the models lacking files they name are listed beside the maintenance tools, each a link', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/`);
  const listed = page.getByTestId('models-missing-files');
  await expect(listed.locator('summary')).toHaveText('1 model missing files they name');
  await listed.locator('summary').click();
  await expect(listed.getByRole('listitem')).toHaveText(['models/ship/ship.gltf: maps/lost.png']);
  await listed.getByRole('link', { name: 'models/ship/ship.gltf' }).click();
  await expect(page.getByRole('dialog', { name: 'ship.gltf' }).getByTestId('model-missing')).toHaveText(
    'Not found beside it: maps/lost.png. It is shown without it.',
  );
});

test('a model moved from its detail view takes its buffer along, and is still drawn', async ({ page }) => {
  await page.goto(`${server.url}/#/asset/${ids['models/boat/boat.gltf']}`);
  const dialog = page.getByRole('dialog', { name: 'boat.gltf' });
  await dialog.getByRole('button', { name: 'Move…', exact: true }).click();
  const takeAlong = dialog.getByLabel(/Take along the files it uses/);
  await expect(takeAlong).toBeChecked();
  await dialog.getByLabel(/New path/).fill('fleet/boat/boat.gltf');
  await dialog.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(dialog.getByRole('status')).toHaveText(
    'Moved to fleet/boat/boat.gltf. With it: fleet/boat/boat.bin.',
  );
  expect(ws.exists('data/assets/fleet/boat/boat.bin')).toBe(true);
  expect(ws.exists('data/assets/models/boat/boat.bin')).toBe(false);
  // Read again where it is now: nothing missing, and drawn from the buffer beside it.
  await page.reload();
  const canvas = dialog.getByLabel('3D view of boat.gltf');
  await expect.poll(async () => (await drawn(canvas)).middle[3]).toBe(255);
  expect(isMostly((await drawn(canvas)).middle, 2)).toBe(true);
  await expect(dialog.getByTestId('model-missing')).toHaveCount(0);
});

test('a model moved with the selection takes its material library along, and the message says so', async ({
  page,
}) => {
  await page.goto(`${server.url}/#/?folder=models%2Frock`);
  const rock = page.locator(`.tile[data-uid="${ids['models/rock/rock.obj']}"]`);
  await rock.click();
  await expect(page.getByTestId('status-line')).toHaveText(/Selected 1\.$/);
  const panel = page.getByRole('form', { name: 'Move to folder' });
  await panel.getByLabel('Folder').fill('props/rock');
  await panel.getByRole('button', { name: 'Move 1 selected' }).click();
  await expect(page.getByText('Moved 2 assets to props/rock. With it: props/rock/rock.mtl.')).toBeVisible();
  expect(ws.exists('data/assets/props/rock/rock.mtl')).toBe(true);
  expect(ws.exists('data/assets/models/rock/rock.mtl')).toBe(false);
});

/** Thumbnails and waveforms made by the server's preview queue, on real files generated here. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { eventually } from '../helpers/eventually.js';
import { api, startServer, type RunningServer } from '../helpers/server.js';
import {
  encode,
  makeBmp,
  makeDds,
  makeExr,
  fill,
  makeAseprite,
  makeBlend,
  makeClip,
  makeKra,
  makeOra,
  makeImage,
  makePsd,
  makeSvg,
  makeTga,
  makeWav,
  makeWebmHeaders,
  toneWithBurst,
} from '../helpers/media.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let url: string;

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

/** Registers a generated file and waits for its preview. */
async function registerMedia(name: string, bytes: Buffer): Promise<any> {
  ws.file(`media/${name}`, bytes);
  const res = await api(url, 'POST', '/api/assets/register', {
    path: `media/${name}`,
    asset_type: 'media',
    wait: true,
  });
  assert.equal(res.status, 200, res.text);
  return res.body.asset;
}

const thumbFile = (name: string) => path.join(ws.dir, 'cache', 'thumbs', name);

/** A thumbnail's size and its pixels as RGBA (`at(x, y)`), decoded by libvips. */
async function thumbnailPixels(
  name: string,
): Promise<{ width: number; height: number; at: (x: number, y: number) => number[] }> {
  const { data, info } = await sharp(thumbFile(name))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number): number[] => [
    ...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4),
  ];
  return { width: info.width, height: info.height, at };
}

describe('thumbnails', () => {
  const cases = [
    { name: 'odd.png', width: 1001, height: 333, format: 'png', ext: 'png' },
    { name: 'photo.jpg', width: 6000, height: 4000, format: 'jpeg', ext: 'jpg' },
    { name: 'wide.webp', width: 700, height: 300, format: 'webp', ext: 'webp' },
    { name: 'anim.gif', width: 300, height: 500, format: 'gif', ext: 'png' },
    { name: 'scan.tiff', width: 640, height: 480, format: 'tiff', ext: 'png' },
    { name: 'tiny.png', width: 32, height: 32, format: 'png', ext: 'png' },
  ] as const;

  for (const c of cases) {
    test(`${c.name} (${c.width}×${c.height}) → 256 and 512 px ${c.ext}, aspect kept, never upscaled`, async () => {
      const asset = await registerMedia(c.name, await makeImage(c.width, c.height, c.format));
      assert.equal(asset.preview_status, 'done');
      const paths = {
        '256': `cache/thumbs/${asset.id}_256.${c.ext}`,
        '512': `cache/thumbs/${asset.id}_512.${c.ext}`,
      };
      assert.deepEqual(asset.thumbnails, paths);
      assert.deepEqual(asset.metadata.thumbnails, paths);
      assert.equal(asset.thumb, paths['256']);
      assert.equal(asset.preview.kind, 'thumbnail');
      assert.deepEqual(asset.preview.paths, paths);
      assert.equal(asset.preview.default, paths['256']);
      assert.equal(asset.preview.width, c.width);
      assert.deepEqual(asset.links.thumbnails, paths);
      assert.equal(asset.links.thumbnail, paths['256']);
      for (const size of [256, 512] as const) {
        const meta = await sharp(path.join(ws.dir, paths[size])).metadata();
        const scale = Math.min(1, size / Math.max(c.width, c.height));
        assert.equal(meta.format, c.ext === 'jpg' ? 'jpeg' : c.ext);
        assert.equal(meta.width, Math.round(c.width * scale), `${size} width`);
        assert.ok(Math.abs(meta.height - Math.round(c.height * scale)) <= 1, `${size} height ${meta.height}`);
      }
      const sidecar = ws.json(`data/assets/${asset.sidecar}`);
      assert.deepEqual((sidecar.meta as any).thumbnails, paths, 'the sidecar has the preview too');
    });
  }

  test('EXIF orientation is applied (a landscape JPEG tagged 6 becomes a portrait thumbnail)', async () => {
    const asset = await registerMedia('rotated.jpg', await makeImage(800, 400, 'jpeg', 6));
    const meta = await sharp(thumbFile(`${asset.id}_256.jpg`)).metadata();
    assert.equal(meta.width, 128);
    assert.equal(meta.height, 256);
  });

  test('the thumbnail route: content type, content-addressed ETag, immutable when versioned, 304', async () => {
    const asset = await registerMedia('served.png', await makeImage(400, 200, 'png'));
    const res = await fetch(`${url}${asset.urls.thumbnails['512']}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const etag = res.headers.get('etag')!;
    assert.ok(etag.includes(asset.hash.slice(0, 16)));
    const body = Buffer.from(await res.arrayBuffer());
    assert.deepEqual(body, fs.readFileSync(thumbFile(`${asset.id}_512.png`)));
    const plain = await fetch(`${url}/api/assets/${asset.id}/thumbnail`);
    assert.equal(plain.headers.get('cache-control'), 'no-cache');
    const again = await fetch(`${url}/api/assets/${asset.id}/thumbnail?size=512`, {
      headers: { 'if-none-match': etag },
    });
    assert.equal(again.status, 304);
    const bad = await api(url, 'GET', `/api/assets/${asset.id}/thumbnail?size=100`);
    assert.equal(bad.status, 422);
  });

  test('a cleared preview cache heals: the missing thumbnail is made again on request', async () => {
    const asset = await registerMedia('healed.png', await makeImage(300, 200, 'png'));
    for (const size of [256, 512]) fs.rmSync(thumbFile(`${asset.id}_${size}.png`));
    const missing = await api(url, 'GET', `/api/assets/${asset.id}/thumbnail?size=512`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'preview_missing');
    assert.match(missing.body.message, /being made again: try again shortly/);
    for (const started = Date.now(); ;) {
      const res = await fetch(`${url}/api/assets/${asset.id}/thumbnail?size=512`);
      if (res.status === 200) {
        assert.equal(res.headers.get('content-type'), 'image/png');
        break;
      }
      assert.ok(Date.now() - started < 20_000, `the thumbnail came back (last: ${res.status})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const size of [256, 512])
      assert.ok(fs.existsSync(thumbFile(`${asset.id}_${size}.png`)), `${size} px`);
  });

  test('new bytes at the same path: same id, new hash, new thumbnails', async () => {
    ws.file('data/assets/edit/pic.png', await makeImage(300, 300, 'png'));
    const first = await api(url, 'POST', '/api/assets/register', {
      path: 'data/assets/edit/pic.png',
      copy: false,
      wait: true,
    });
    ws.file('data/assets/edit/pic.png', await makeImage(600, 200, 'png'));
    const second = await api(url, 'POST', '/api/assets/register', {
      path: 'data/assets/edit/pic.png',
      copy: false,
      wait: true,
    });
    assert.equal(second.body.asset_id, first.body.asset_id);
    assert.notEqual(second.body.asset.hash, first.body.asset.hash);
    assert.equal(second.body.asset.version, first.body.asset.version + 1);
    const meta = await sharp(thumbFile(`${first.body.asset_id}_256.png`)).metadata();
    assert.equal(meta.width, 256);
    assert.ok(Math.abs(meta.height - 85) <= 1);
    assert.equal(second.body.asset.preview.width, 600);
  });

  test('deleting an asset deletes all its preview files', async () => {
    const asset = await registerMedia('bye.png', await makeImage(300, 300, 'png'));
    assert.ok(fs.existsSync(thumbFile(`${asset.id}_512.png`)));
    await api(url, 'DELETE', `/api/assets/${asset.id}`);
    assert.ok(!fs.existsSync(thumbFile(`${asset.id}_256.png`)));
    assert.ok(!fs.existsSync(thumbFile(`${asset.id}_512.png`)));
  });
});

describe('formats game art comes in: BMP, TGA, DDS and PSD (decoded before libvips), SVG, Krita and OpenRaster', () => {
  const top = { r: 220, g: 30, b: 10 };
  const bottom = { r: 10, g: 40, b: 200 };
  const cases: Array<{ name: string; bytes: () => Buffer | string | Promise<Buffer> }> = [
    { name: 'wall.bmp', bytes: () => makeBmp(640, 360, top, bottom) },
    { name: 'wall-top-down.bmp', bytes: () => makeBmp(640, 360, top, bottom, true) },
    { name: 'hero.tga', bytes: () => makeTga(640, 360, top, bottom) },
    { name: 'skin.dds', bytes: () => makeDds(640, 360, (_x, y) => (y < 180 ? top : bottom), 'bgra32') },
    { name: 'cover.psd', bytes: () => makePsd(640, 360, top, bottom) },
    { name: 'badge.svg', bytes: () => makeSvg(640, 360, top, bottom) },
    { name: 'painting.kra', bytes: () => makeKra(640, 360, top, bottom) },
    { name: 'inks.ora', bytes: () => makeOra(640, 360, top, bottom) },
  ];

  for (const c of cases) {
    test(`${c.name}: 256 and 512 px PNG thumbnails, right way up, colours and opacity kept`, async () => {
      const asset = await registerMedia(c.name, Buffer.from(await c.bytes()));
      assert.equal(asset.preview_status, 'done', asset.preview_error);
      assert.equal(asset.preview.width, 640);
      for (const size of [256, 512] as const) {
        const thumb = await thumbnailPixels(`${asset.id}_${size}.png`);
        assert.deepEqual([thumb.width, thumb.height], [size, (size * 360) / 640]);
        for (const [y, want] of [
          [4, top],
          [thumb.height - 5, bottom],
        ] as const) {
          const [r, g, b, a] = thumb.at(10, y);
          assert.ok(
            Math.abs(r! - want.r) <= 3 && Math.abs(g! - want.g) <= 3 && Math.abs(b! - want.b) <= 3,
            `${size} px, row ${y}: ${[r, g, b].join()} is not ${[want.r, want.g, want.b].join()}`,
          );
          assert.equal(a, 255, 'opaque');
        }
      }
    });
  }

  test('a header claiming more pixels than allowed fails that preview with the reason; others go on', async () => {
    const bomb = makeBmp(4, 4, top, bottom);
    bomb.writeInt32LE(100_000, 18);
    bomb.writeInt32LE(100_000, 22);
    const asset = await registerMedia('bomb.bmp', bomb);
    assert.equal(asset.preview_status, 'failed');
    assert.match(asset.preview_error, /not a readable BMP image: it is 100000×100000 pixels, more than/);
    const truncated = await registerMedia('cut.tga', makeTga(64, 64, top, bottom).subarray(0, 100));
    assert.equal(truncated.preview_status, 'failed');
    assert.match(truncated.preview_error, /not a readable TGA image/);
    const after = await registerMedia('after.psd', makePsd(32, 32, top, bottom));
    assert.equal(after.preview_status, 'done', after.preview_error);
  });

  test('a DXT1 texture (DDS) gets its thumbnails from its top level; a DX10 one fails saying why', async () => {
    // (Colours DXT1's 5-6-5 bits hold exactly.)
    const red = { r: 255, g: 0, b: 0 };
    const blue = { r: 0, g: 0, b: 255 };
    const asset = await registerMedia(
      'crate.dds',
      makeDds(256, 128, (x) => (x < 128 ? red : blue), 'dxt1'),
    );
    assert.equal(asset.preview_status, 'done', asset.preview_error);
    assert.deepEqual([asset.preview.width, asset.preview.height], [256, 128]);
    const thumb = await thumbnailPixels(`${asset.id}_256.png`);
    assert.deepEqual([thumb.width, thumb.height], [256, 128]);
    assert.deepEqual(
      [thumb.at(10, 64), thumb.at(245, 64)],
      [
        [255, 0, 0, 255],
        [0, 0, 255, 255],
      ],
    );
    const hdr = await registerMedia(
      'sky-hdr.dds',
      makeDds(64, 64, () => red, 'bc6h'),
    );
    assert.equal(hdr.preview_status, 'failed');
    assert.match(
      hdr.preview_error,
      /^not a readable DDS image: its pixels are HDR \(BC6H\), which is not previewed yet/,
    );
  });

  test('a BC7 texture (DX10 header), what modern engines and mods ship, gets its thumbnails', async () => {
    // Top red and bottom translucent blue, in colours BC7's mode 6 holds exactly (see makeDds).
    const red = { r: 201, g: 31, b: 45, a: 255 };
    const blue = { r: 20, g: 60, b: 210, a: 128 };
    const asset = await registerMedia(
      'armour.dds',
      makeDds(128, 64, (_x, y) => (y < 32 ? red : blue), 'bc7'),
    );
    assert.equal(asset.preview_status, 'done', asset.preview_error);
    assert.deepEqual([asset.preview.width, asset.preview.height], [128, 64]);
    const thumb = await thumbnailPixels(`${asset.id}_256.png`);
    assert.deepEqual([thumb.width, thumb.height], [128, 64]);
    assert.deepEqual(
      [thumb.at(64, 8), thumb.at(64, 56)],
      [
        [201, 31, 45, 255],
        [20, 60, 210, 128],
      ],
    );
  });

  test('an OpenEXR image is shown as a screen would: linear light to sRGB, brighter than white clamped', async () => {
    // Top: pure red; bottom left: blue 8× brighter than white; bottom right: linear 0.214, sRGB middle grey.
    const exr = makeExr(64, 32, (x, y) =>
      y < 16 ? { r: 1, g: 0, b: 0 } : x < 32 ? { r: 0, g: 0, b: 8 } : { r: 0.214, g: 0.214, b: 0.214 },
    );
    const asset = await registerMedia('sky.exr', exr);
    assert.equal(asset.preview_status, 'done', asset.preview_error);
    assert.deepEqual([asset.preview.width, asset.preview.height], [64, 32]);
    const { width, height, at } = await thumbnailPixels(`${asset.id}_256.png`);
    assert.deepEqual([width, height], [64, 32], 'never upscaled');
    assert.deepEqual(
      [at(10, 4), at(10, 28)],
      [
        [255, 0, 0, 255],
        [0, 0, 255, 255],
      ],
    );
    const grey = at(50, 28);
    assert.ok(
      grey.slice(0, 3).every((v) => Math.abs(v - 128) <= 1),
      `middle grey, not ${grey.join()}`,
    );
    const broken = await registerMedia('cut.exr', exr.subarray(0, 200));
    assert.equal(broken.preview_status, 'failed');
    assert.match(broken.preview_error, /^not a readable OpenEXR image: /);
  });

  test('a Clip Studio document: thumbnails from its canvas preview, the canvas size as its size', async () => {
    // A 1280 × 720 canvas whose stored preview is 640 × 360.
    const asset = await registerMedia('key-visual.clip', await makeClip(1280, 720, top, bottom));
    assert.equal(asset.preview_status, 'done', asset.preview_error);
    assert.deepEqual([asset.preview.width, asset.preview.height], [1280, 720]);
    for (const size of [256, 512] as const) {
      const thumb = await thumbnailPixels(`${asset.id}_${size}.png`);
      assert.deepEqual([thumb.width, thumb.height], [size, (size * 360) / 640]);
      assert.deepEqual(
        [thumb.at(10, 4), thumb.at(10, thumb.height - 5)],
        [
          [top.r, top.g, top.b, 255],
          [bottom.r, bottom.g, bottom.b, 255],
        ],
      );
    }
    // Found by its size like any picture.
    const wide = await api(url, 'GET', '/api/assets/search?min_width=1280&q=key-visual&fields=uid');
    assert.deepEqual(wide.body.items, [{ uid: asset.uid }]);
  });

  test('an Aseprite sprite: its first frame composed from its visible layers, at its own size', async () => {
    // 64 × 32: the top half red, the bottom half blue on a background layer; a hidden layer of white over all.
    const halves = Buffer.concat([
      fill(64 * 16, top.r, top.g, top.b, 255),
      fill(64 * 16, bottom.r, bottom.g, bottom.b, 255),
    ]);
    const asset = await registerMedia(
      'hero-walk.aseprite',
      makeAseprite({
        width: 64,
        height: 32,
        depth: 32,
        frames: 4,
        layers: [
          { name: 'body', background: true },
          { name: 'guide', visible: false },
        ],
        cels: [
          { layer: 0, x: 0, y: 0, width: 64, height: 32, pixels: halves, compressed: true },
          { layer: 1, x: 0, y: 0, width: 64, height: 32, pixels: fill(64 * 32, 255, 255, 255, 255) },
        ],
      }),
    );
    assert.equal(asset.preview_status, 'done', asset.preview_error);
    assert.deepEqual([asset.preview.width, asset.preview.height, asset.preview.frames], [64, 32, 4]);
    const thumb = await thumbnailPixels(`${asset.id}_256.png`);
    assert.deepEqual([thumb.width, thumb.height], [64, 32], 'pixel art is not enlarged');
    assert.deepEqual(
      [thumb.at(5, 2), thumb.at(5, 30)],
      [
        [top.r, top.g, top.b, 255],
        [bottom.r, bottom.g, bottom.b, 255],
      ],
    );
  });

  /** An animation's played preview as served: its frames' delays and size, and one frame's middle pixel. */
  async function playedAnimation(
    asset: any,
  ): Promise<{ delay: number[]; size: number[]; middle: (page: number) => number[] }> {
    const res = await fetch(url + asset.urls.animation);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('content-type'), 'image/webp');
    assert.match(
      res.headers.get('cache-control') ?? '',
      /immutable/,
      'the URL carries the hash: cached for good',
    );
    const webp = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(webp).metadata();
    const size = [meta.width, meta.pageHeight ?? meta.height, meta.pages ?? 1];
    const middle = async (page: number): Promise<number[]> => {
      const { data, info } = await sharp(webp, { page }).raw().toBuffer({ resolveWithObject: true });
      const o = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
      return [...data.subarray(o, o + 3)];
    };
    const pages = await Promise.all(Array.from({ length: size[2]! }, (_, page) => middle(page)));
    return { delay: meta.delay ?? [], size, middle: (page) => pages[page]! };
  }

  const near = (actual: number[], expected: number[]): boolean =>
    actual.every((v, i) => Math.abs(v - expected[i]!) <= 12);

  test('an animated GIF: its first frame as the thumbnail, its frames played back with their delays; a still picture has neither', async () => {
    // Three 32 × 32 frames stacked: red, green, blue; the last saying 0 ms (browsers show such a frame for 100).
    const colours = [
      [220, 30, 10],
      [20, 200, 40],
      [10, 40, 200],
    ];
    const frames = Buffer.concat(colours.map(([r, g, b]) => fill(1024, r!, g!, b!, 255)));
    const gif = await sharp(frames, { raw: { width: 32, height: 96, channels: 4, pageHeight: 32 } })
      .gif({ delay: [80, 120, 0], loop: 0 })
      .toBuffer();
    const asset = await registerMedia('spin.gif', gif);
    assert.equal(asset.preview_status, 'done', asset.preview_error);
    assert.deepEqual(
      [asset.preview.width, asset.preview.height, asset.preview.frames, asset.preview.duration],
      [32, 32, 3, 0.3],
    );
    assert.deepEqual(asset.preview.animation, { path: `cache/thumbs/${asset.id}_anim.webp`, frames: 3 });
    const thumb = await thumbnailPixels(`${asset.id}_256.png`);
    const [r, g, b] = thumb.at(16, 16);
    assert.ok(r! > 180 && g! < 80 && b! < 80, `the first frame, red: ${[r, g, b].join()}`);

    const played = await playedAnimation(asset);
    assert.deepEqual(
      [played.delay, played.size],
      [
        [80, 120, 100],
        [32, 32, 3],
      ],
    );
    colours.forEach((colour, page) =>
      assert.ok(near(played.middle(page), colour), `frame ${page}: ${played.middle(page).join()}`),
    );

    // Edited in place into a still: its played preview is gone from the cache and the payload.
    ws.file(
      `data/assets/${asset.path}`,
      await sharp(fill(1024, 9, 9, 9, 255), { raw: { width: 32, height: 32, channels: 4 } })
        .gif()
        .toBuffer(),
    );
    const redone = (
      await api(url, 'POST', '/api/assets/register', {
        path: `data/assets/${asset.path}`,
        copy: false,
        wait: true,
      })
    ).body.asset;
    assert.equal(redone.uid, asset.uid);
    assert.deepEqual(
      [redone.preview.frames, redone.preview.animation, redone.urls.animation],
      [undefined, undefined, undefined],
    );
    assert.equal(fs.existsSync(thumbFile(`${asset.id}_anim.webp`)), false);
    assert.equal((await api(url, 'GET', `/api/assets/${asset.id}/animation`)).status, 404);

    const still = await registerMedia('one-frame.png', await makeImage(40, 30, 'png'));
    assert.deepEqual(
      [still.preview.frames, still.preview.animation, still.urls.animation],
      [undefined, undefined, undefined],
    );
    const none = await api(url, 'GET', `/api/assets/${still.id}/animation`);
    assert.equal(none.status, 404);
    assert.equal(none.body.code, 'no_animation');
    assert.match(none.body.message, /one-frame\.png\) is not an animation/);
  });

  test('an animated Aseprite sprite: its frames composed and played back, a linked cel drawn, each frame its duration', async () => {
    /** A cel covering a `width` × `height` sprite in one colour. */
    const whole = (width: number, height: number, { r, g, b }: { r: number; g: number; b: number }) => ({
      layer: 0,
      x: 0,
      y: 0,
      width,
      height,
      pixels: fill(width * height, r, g, b, 255),
      compressed: true,
    });
    const sprite = makeAseprite({
      width: 48,
      height: 24,
      depth: 32,
      duration: 150,
      layers: [{ name: 'body', background: true }, { name: 'flash' }],
      cels: [whole(48, 24, top)],
      later: [
        {
          duration: 50,
          cels: [
            { layer: 0, link: 0 },
            { layer: 1, x: 16, y: 8, width: 16, height: 8, pixels: fill(128, 250, 250, 250, 255) },
          ],
        },
        { duration: 200, cels: [whole(48, 24, bottom)] },
      ],
    });
    const asset = await registerMedia('hero-hit.aseprite', sprite);
    assert.equal(asset.preview_status, 'done', asset.preview_error);
    assert.deepEqual(
      [asset.preview.frames, asset.preview.duration, asset.preview.animation.frames],
      [3, 0.4, 3],
    );
    const played = await playedAnimation(asset);
    assert.deepEqual(
      [played.delay, played.size],
      [
        [150, 50, 200],
        [48, 24, 3],
      ],
    );
    // Small frames are kept lossless: the exact colours.
    assert.deepEqual(played.middle(0), [top.r, top.g, top.b]);
    assert.deepEqual(played.middle(1), [250, 250, 250], 'the flash over the linked body');
    assert.deepEqual(played.middle(2), [bottom.r, bottom.g, bottom.b]);

    // A sprite larger than the box: its frames fitted in 512 px, still an animation.
    const banner = await registerMedia(
      'title-banner.aseprite',
      makeAseprite({
        width: 1024,
        height: 256,
        depth: 32,
        layers: [{ name: 'sky' }],
        cels: [whole(1024, 256, top)],
        later: [{ cels: [whole(1024, 256, bottom)] }],
      }),
    );
    const fitted = await playedAnimation(banner);
    assert.deepEqual(
      [fitted.delay, fitted.size],
      [
        [100, 100],
        [512, 128, 2],
      ],
    );
    assert.ok(near(fitted.middle(1), [bottom.r, bottom.g, bottom.b]), fitted.middle(1).join());
  });

  test('a Clip Studio document without a canvas preview, or a file that is none, fails with the reason', async () => {
    const bare = await registerMedia('sketch.clip', await makeClip(64, 64, top, bottom, { preview: false }));
    assert.equal(bare.preview_status, 'failed');
    assert.equal(
      bare.preview_error,
      'not a readable Clip Studio document: it holds no canvas preview (saved without one?)',
    );
    const other = await registerMedia('renamed.clip', makeBmp(8, 9, top, bottom));
    assert.equal(
      other.preview_error,
      'not a readable Clip Studio document: it does not start with "CSFCHUNK"',
    );
    const cut = (await makeClip(64, 64, top, bottom)).subarray(0, 4300); // inside its database
    const short = await registerMedia('cut.clip', cut);
    assert.match(
      short.preview_error,
      /^not a readable Clip Studio document: its CHNKSQLi chunk runs past the end/,
    );
  });

  test('a Blender file: thumbnails from the picture it keeps of its scene, the version that saved it, no size of its own', async () => {
    // Blender 4.2 (8-byte pointers, little-endian), 2.79 saved compressed (gzip, 4-byte pointers,
    // big-endian), 5.0 saved compressed (Zstandard, its new header and block headers).
    const saved = [
      { name: 'props/crate.blend', header: { version: '402', pointer: 8, littleEndian: true }, shown: '4.2' },
      {
        name: 'props/old-crate.blend',
        header: { version: '279', pointer: 4, littleEndian: false },
        compress: 'gzip',
        shown: '2.79',
      },
      {
        name: 'props/new-crate.blend',
        header: { version: '0500', large: true },
        compress: 'zstd',
        shown: '5.0',
      },
    ] as const;
    for (const { name, header, shown, ...options } of saved) {
      const asset = await registerMedia(name, makeBlend(128, 64, top, bottom, header, options));
      assert.equal(asset.preview_status, 'done', `${name}: ${asset.preview_error}`);
      assert.deepEqual(asset.preview.blender_version, shown, name);
      assert.equal(asset.preview.width, undefined, 'a picture of the scene is no size of the file');
      const thumb = await thumbnailPixels(`${asset.id}_256.png`);
      assert.deepEqual([thumb.width, thumb.height], [128, 64], 'never upscaled');
      // Stored bottom row first: shown the right way up.
      assert.deepEqual(
        [thumb.at(10, 4), thumb.at(10, 60)],
        [
          [top.r, top.g, top.b, 255],
          [bottom.r, bottom.g, bottom.b, 255],
        ],
        name,
      );
    }
    // Not among the pictures found by their size.
    const sized = await api(url, 'GET', '/api/assets/search?min_width=1&q=crate.blend&fields=uid');
    assert.deepEqual(sized.body.items, []);
  });

  test('a Blender file saved without a preview picture, cut short, or none at all fails with the reason', async () => {
    const header = { version: '402', pointer: 8, littleEndian: true } as const;
    const bare = await registerMedia(
      'bare.blend',
      makeBlend(64, 64, top, bottom, header, { preview: false }),
    );
    assert.equal(bare.preview_status, 'failed');
    assert.match(
      bare.preview_error,
      /^not a readable Blender file: it was saved without a preview picture \(/,
    );
    const cut = await registerMedia('cut.blend', makeBlend(64, 64, top, bottom, header).subarray(0, 2000));
    assert.equal(
      cut.preview_error,
      'not a readable Blender file: the file ends before its preview picture (cut short?)',
    );
    const other = await registerMedia('renamed.blend', makeBmp(8, 11, top, bottom));
    assert.equal(other.preview_error, 'not a readable Blender file: it does not start with "BLENDER"');
  });

  test('a Krita document without its flattened picture, or an archive that is not one, fails with the reason', async () => {
    const flat = await registerMedia('unflattened.kra', await makeKra(64, 64, top, bottom, false));
    assert.equal(flat.preview_status, 'failed');
    assert.match(flat.preview_error, /^not a readable Krita document: it holds no mergedimage\.png/);
    const notZip = await registerMedia('renamed.ora', makeBmp(8, 8, top, bottom));
    assert.equal(notZip.preview_status, 'failed');
    assert.match(notZip.preview_error, /^not a readable OpenRaster document: /);
  });
});

test("an asset of another project than the server's: every URL it gives answers", async () => {
  ws.file('media/dlc/banner.png', await makeImage(300, 120, 'png'));
  const res = await api(url, 'POST', '/api/assets/register', {
    path: 'media/dlc/banner.png',
    asset_type: 'media',
    project_id: 'dlc',
    wait: true,
  });
  assert.equal(res.status, 200, res.text);
  const { urls } = res.body.asset;
  assert.match(urls.thumbnail, /project_id=dlc/);
  const self = await api(url, 'GET', urls.self);
  assert.equal(self.status, 200, self.text);
  assert.equal(self.body.asset.project_id, 'dlc');
  for (const [name, expected] of [
    ['file', 'image/png'],
    ['thumbnail', 'image/png'],
    ['sidecar', 'application/json'],
  ] as const) {
    const answer = await fetch(url + urls[name]);
    assert.equal(answer.status, 200, `${name}: ${await answer.text()}`);
    assert.match(answer.headers.get('content-type') ?? '', new RegExp(expected));
  }
  // Not in the default project: without its project the asset is not found.
  const bare = await fetch(`${url}/api/assets/${res.body.asset.id}/thumbnail`);
  assert.equal(bare.status, 404);
});

describe("fonts: a specimen card as the thumbnail, and the font's own facts", () => {
  const pressStart = (ext: 'woff' | 'woff2'): Buffer =>
    fs.readFileSync(
      path.join(
        process.cwd(),
        'node_modules/@fontsource/press-start-2p/files',
        `press-start-2p-latin-400-normal.${ext}`,
      ),
    );

  test('a WOFF2 gets 256 and 512 px PNG cards, its family and style; found by family; no picture facts', async () => {
    const asset = await registerMedia('ui-title.woff2', pressStart('woff2'));
    assert.equal(asset.preview_status, 'done', JSON.stringify(asset.preview));
    assert.deepEqual(
      [asset.preview.family, asset.preview.style, asset.preview.width, asset.preview.height],
      ['Press Start 2P', 'Regular', undefined, undefined],
    );
    assert.ok(asset.preview.glyphs > 90);
    for (const size of [256, 512]) {
      const res = await fetch(`${url}/api/assets/${asset.uid}/thumbnail?size=${size}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/png');
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      assert.deepEqual([meta.width, meta.height], [size, size]);
    }
    const byFamily = await api(url, 'GET', '/api/assets/search?q=press%20start&fields=uid');
    assert.deepEqual(
      byFamily.body.items.map((i: { uid: string }) => i.uid),
      [asset.uid],
      'the family is searchable, whatever the file is called',
    );
    const pictures = await api(url, 'GET', '/api/assets/search?min_width=1&fields=uid&limit=500');
    assert.ok(!pictures.body.items.some((i: { uid: string }) => i.uid === asset.uid), 'not a picture');
    const similar = await api(url, 'GET', `/api/assets/${asset.uid}/similar`);
    assert.equal(similar.status, 409, similar.text);
    assert.match(similar.body.message, /is not a picture/);
  });

  test('a broken font fails its preview with a reason that says so', async () => {
    const asset = await registerMedia('broken.ttf', Buffer.from('not a font at all'));
    assert.equal(asset.preview_status, 'failed');
    assert.match(asset.preview.error, /^media\/broken\.ttf could not be read as a font: /);
  });
});

describe('videos: their length and frame size from the container, no frame decoded', () => {
  test("a WebM gets its length and size as preview facts: sorted, bounded and shown like a sound's and a picture's", async () => {
    const asset = await registerMedia('opening.webm', makeWebmHeaders(42.5, 1280, 720));
    assert.equal(asset.preview_status, 'done', JSON.stringify(asset.preview));
    assert.deepEqual(asset.preview, { kind: 'video', duration: 42.5, width: 1280, height: 720 });
    assert.equal(asset.urls.thumbnail, undefined, 'no frame, so no thumbnail');
    const long = await api(url, 'GET', '/api/assets/search?min_duration=40&max_duration=45&fields=uid');
    assert.deepEqual(
      long.body.items.map((i: { uid: string }) => i.uid),
      [asset.uid],
    );
    const similar = await api(url, 'GET', `/api/assets/${asset.uid}/similar`);
    assert.equal(similar.status, 409, similar.text);
    assert.match(similar.body.message, /is not a picture/);
  });

  test("a poster frame drawn by the studio becomes the video's thumbnail, kept while its bytes are", async () => {
    const asset = await registerMedia('cutscene.webm', makeWebmHeaders(12, 640, 360));
    const frame = await makeImage(640, 360, 'png', undefined, { r: 20, g: 160, b: 90 });
    const put = (query: string, body: Buffer | string, type = 'image/png') =>
      fetch(`${url}/api/assets/${asset.uid}/poster?${query}`, {
        method: 'PUT',
        headers: { 'content-type': type },
        body: typeof body === 'string' ? body : new Uint8Array(body),
      }).then(async (res) => ({ status: res.status, body: await res.json() }));
    assert.equal((await api(url, 'GET', `/api/assets/${asset.uid}/thumbnail`)).status, 404, 'none yet');

    const set = await put(`at=1.5&hash=${asset.hash.slice(0, 16)}`, frame);
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const poster = set.body.asset;
    const paths = { '256': `cache/thumbs/${asset.uid}_256.jpg`, '512': `cache/thumbs/${asset.uid}_512.jpg` };
    assert.deepEqual(poster.preview, {
      kind: 'video',
      duration: 12,
      width: 640,
      height: 360,
      poster: { at: 1.5, width: 640, height: 360, hash: asset.hash },
      // (As a picture's preview lists its thumbnails.)
      paths,
      default: paths['256'],
    });
    assert.deepEqual([poster.thumb, poster.metadata.thumbnails], [paths['256'], paths]);
    assert.match(
      poster.urls.thumbnail,
      new RegExp(`/thumbnail\\?size=256&v=${asset.hash.slice(0, 16)}-1500$`),
    );
    const thumb = await fetch(url + poster.urls.thumbnail);
    assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
    const pixels = sharp(Buffer.from(await thumb.arrayBuffer()));
    assert.deepEqual([(await pixels.metadata()).width, (await pixels.metadata()).height], [256, 144]);
    const { dominant } = await pixels.stats();
    assert.ok(dominant.g > 120 && dominant.r < 60, JSON.stringify(dominant)); // the frame's green
    // Its colours are the poster's: the colour filter finds the video.
    assert.deepEqual(poster.colors, {
      palette: [{ name: 'green', hex: '#14a05a', share: 1 }],
      transparent: false,
    });
    const green = await api(url, 'GET', '/api/assets/search?color=green&fields=uid');
    assert.ok(
      green.body.items.some((i: { uid: string }) => i.uid === asset.uid),
      JSON.stringify(green.body),
    );
    assert.equal(
      (ws.json(`data/assets/${poster.sidecar}`) as Record<string, any>).preview.poster.at,
      1.5,
      'in the sidecar',
    );

    // Its facts read again (a requeue): the poster stays.
    const requeued = Date.now();
    await api(url, 'POST', '/api/previews/requeue', { ids: [asset.uid] });
    const again = await eventually('the facts read again, and the sidecar written after', async () => {
      const got = (await api(url, 'GET', `/api/assets/${asset.uid}`)).body.asset;
      // (The sidecar is written just after the row: a hand edit below must come after it.)
      const written = fs.statSync(path.join(ws.dir, 'data/assets', poster.sidecar)).mtimeMs >= requeued;
      return got.preview_status === 'done' && written ? got : undefined;
    });
    assert.equal(again.preview.poster?.at, 1.5, JSON.stringify(again.preview));
    assert.deepEqual(again.colors, poster.colors, 'its colours kept with it');
    assert.equal(again.urls.thumbnail, poster.urls.thumbnail);

    const stale = await put('at=2&hash=0123456789abcdef', frame);
    assert.deepEqual([stale.status, stale.body.code], [409, 'stale_poster']);

    // A hand edit of its sidecar since is taken in when another poster lands, not overwritten.
    const sidecarRel = `data/assets/${poster.sidecar}`;
    const doc = ws.json(sidecarRel) as Record<string, any>;
    doc.tags = [...doc.tags, 'opening'];
    const sidecarAbs = ws.file(sidecarRel, JSON.stringify(doc, null, 2));
    const later = fs.statSync(sidecarAbs).mtimeMs / 1000 + 1;
    fs.utimesSync(sidecarAbs, later, later);
    const second = await put(`at=3&hash=${asset.hash}`, frame);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.body.asset.preview.poster.at, 3);
    assert.ok(second.body.asset.tags.includes('opening'), second.body.asset.tags.join());
    assert.ok((ws.json(sidecarRel) as Record<string, any>).tags.includes('opening'), 'kept on disk');
    const garbage = await put(`at=2&hash=${asset.hash}`, 'not an image at all');
    assert.deepEqual([garbage.status, garbage.body.code], [400, 'bad_request']);
    assert.match(garbage.body.message, /could not be read as a PNG, JPEG or WebP image/);
    const text = await put(`at=2&hash=${asset.hash}`, 'hello', 'text/plain');
    assert.equal(text.status, 415);
    const picture = await registerMedia('still.png', frame);
    const notVideo = await fetch(`${url}/api/assets/${picture.uid}/poster?at=0&hash=${picture.hash}`, {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(frame),
    });
    assert.equal(notVideo.status, 409);

    // New bytes at its path: the poster of the old ones goes.
    ws.file(`data/assets/${asset.path}`, makeWebmHeaders(20, 640, 360));
    const res = await api(url, 'POST', '/api/assets/register', {
      path: `data/assets/${asset.path}`,
      copy: false,
      wait: true,
    });
    const redone = res.body.asset;
    assert.equal(redone.uid, asset.uid);
    assert.deepEqual(redone.preview, { kind: 'video', duration: 20, width: 640, height: 360 });
    assert.equal(redone.urls.thumbnail, undefined);
  });

  test('a file that is no video fails its preview with a reason that says so', async () => {
    const asset = await registerMedia('broken.mp4', Buffer.from('not a video at all'));
    assert.equal(asset.preview_status, 'failed');
    assert.match(asset.preview.error, /^media\/broken\.mp4 could not be read as a video: /);
  });
});

describe('waveforms', () => {
  const rate = 8000;

  async function waveformOf(name: string, bytes: Buffer): Promise<{ asset: any; wave: any }> {
    const asset = await registerMedia(name, bytes);
    assert.equal(asset.preview_status, 'done', asset.preview_error);
    assert.equal(asset.preview.kind, 'waveform');
    assert.equal(asset.thumb, `cache/thumbs/${asset.id}.waveform.json`);
    assert.equal(asset.links.preview, asset.thumb);
    const res = await fetch(`${url}${asset.urls.waveform}`);
    assert.equal(res.status, 200);
    return { asset, wave: await res.json() };
  }

  function assertBurstAtEnd(wave: any, seconds: number, channels: number): void {
    assert.equal(wave.kind, 'waveform');
    assert.equal(wave.channels, channels);
    assert.equal(wave.version, 2);
    assert.equal(wave.bits, 16);
    assert.equal(wave.length, wave.points.length);
    assert.equal(wave.data.length, wave.length * channels * 2);
    assert.ok(Math.abs(wave.duration - seconds) < 0.2, `duration ${wave.duration}`);
    assert.ok(
      wave.samples_per_point * wave.length >= wave.duration * wave.sample_rate,
      'covers the whole clip',
    );
    assert.ok(wave.points.every((p: number) => p >= 0 && p <= 1));
    const tail = wave.points.slice(-Math.floor(wave.length / (seconds * 2)));
    const head = wave.points.slice(0, Math.floor(wave.length / 2));
    // Most of the last half second is loud (MP3 pads its very end with a few ms of silence).
    const loud = tail.filter((p: number) => p > 0.5).length;
    assert.ok(loud >= tail.length * 0.8, `the burst in the last second shows: ${tail.slice(-8)}`);
    assert.ok(Math.max(...head) < 0.2, `the quiet start stays low: ${Math.max(...head)}`);
  }

  for (const [bits, float] of [
    [8, false],
    [16, false],
    [24, false],
    [32, true],
  ] as const) {
    for (const channels of [1, 2]) {
      test(`WAV ${bits}-bit${float ? ' float' : ''} ${channels === 1 ? 'mono' : 'stereo'}: the whole clip`, async () => {
        const seconds = 6;
        const { wave } = await waveformOf(
          `tone-${bits}-${channels}.wav`,
          makeWav(toneWithBurst(seconds, rate, channels), rate, bits, float),
        );
        assert.equal(wave.sample_rate, rate);
        assertBurstAtEnd(wave, seconds, channels);
      });
    }
  }

  test('a long clip (30 s stereo) is covered to its last second', async () => {
    const { wave } = await waveformOf('long.wav', makeWav(toneWithBurst(30, 22050, 2), 22050, 16));
    assertBurstAtEnd(wave, 30, 2);
  });

  test('8-bit silence (all 128) is silence, not full scale (§11.15)', async () => {
    const silence = [new Float32Array(rate)];
    const { wave } = await waveformOf('silence8.wav', makeWav(silence, rate, 8));
    assert.ok(
      wave.data.every((v: number) => Math.abs(v) < 300),
      'min/max stay near zero',
    );
  });

  for (const format of ['mp3', 'ogg', 'flac'] as const) {
    test(`${format.toUpperCase()} decoded without ffmpeg, burst at the end visible`, async () => {
      const bytes = await encode(format, toneWithBurst(5, 22050, 2), 22050);
      const { wave } = await waveformOf(`tone.${format}`, bytes);
      assertBurstAtEnd(wave, 5, 2);
    });
  }
});

describe('failures are data, not crashes', () => {
  const corrupt: Array<[string, Buffer]> = [
    ['broken.png', Buffer.from('definitely not a png')],
    ['broken.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])],
    ['broken.wav', Buffer.from('RIFF....WAVEjunkjunk')],
    ['broken.mp3', Buffer.alloc(3000, 7)],
    ['broken.flac', Buffer.from('fLaC garbage garbage')],
  ];

  test('each corrupt file stays registered with preview_status failed and no thumbnails', async () => {
    const truncated = (await makeImage(500, 500, 'png')).subarray(0, 300);
    const cutJpeg = (await makeImage(400, 300, 'jpeg')).subarray(0, 200);
    for (const [name, bytes] of [
      ...corrupt,
      ['truncated.png', truncated] as [string, Buffer],
      ['cut-short.jpg', cutJpeg] as [string, Buffer],
    ]) {
      const asset = await registerMedia(name, bytes);
      assert.equal(asset.preview_status, 'failed', name);
      assert.ok(asset.preview_error, `${name} has an error`);
      // One line, each complaint once (libvips repeats a cut JPEG's warnings line after line).
      const complaints: string[] = asset.preview_error.split('; ');
      assert.doesNotMatch(asset.preview_error, /\n/);
      assert.equal(new Set(complaints).size, complaints.length, asset.preview_error);
      assert.equal(asset.preview.status, 'failed');
      assert.equal(asset.thumb, undefined);
      assert.equal(asset.thumbnails, undefined);
      assert.equal(asset.metadata.thumbnails, undefined);
      assert.equal(asset.links.thumbnail, undefined);
      const route = asset.preview.kind === 'waveform' ? 'waveform' : 'thumbnail';
      const res = await api(url, 'GET', `/api/assets/${asset.id}/${route}`);
      assert.equal(res.status, 404);
      assert.equal(res.body.code, 'preview_not_ready');
    }
    assert.equal((await api(url, 'GET', '/health')).status, 200);
  });

  test('a preview past its deadline is stopped, its thread ended, and fails saying so; the server goes on', async () => {
    // (A deadline of 1 ms: no preview thread even starts in that time.)
    const own = makeWorkspace();
    const slow = await startServer(own.dir, [], { ASSET_REGISTRY_PREVIEW_TIMEOUT_MS: '1' });
    try {
      own.file('media/late.png', await makeImage(64, 64, 'png'));
      const res = await api(slow.url, 'POST', '/api/assets/register', { path: 'media/late.png', wait: true });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.asset.preview_status, 'failed');
      assert.match(
        res.body.asset.preview_error,
        /reading it took longer than 0\.001 s and was stopped \(a damaged file\?\)/,
      );
      assert.equal((await api(slow.url, 'GET', '/health')).status, 200);
    } finally {
      await slow.stop();
      own.cleanup();
    }
  });

  test('the queue reports failures and can queue them again', async () => {
    const status = await api(url, 'GET', '/api/previews');
    assert.ok(status.body.counts.failed >= corrupt.length);
    // Each failure names its asset's file, so it can be found and fixed.
    const failed = new Map(
      status.body.failed.map((f: { path: string; error: string }) => [f.path, f.error] as const),
    );
    for (const [name] of corrupt) assert.ok(failed.get(`media/${name}`), `${name} is listed with its error`);
    const requeue = await api(url, 'POST', '/api/previews/requeue', { failed: true });
    assert.equal(requeue.status, 200);
    assert.ok(requeue.body.queued >= corrupt.length);
    // Made again (and failed again): counted in the server's wave (once each job's outcome has
    // landed, a moment after the queue's counts show it).
    let after = status;
    for (const until = Date.now() + 30_000; Date.now() < until;) {
      after = await api(url, 'GET', '/api/previews');
      const idle = !after.body.counts.queued && !after.body.counts.running;
      if (idle && (after.body.wave?.finished ?? 0) >= requeue.body.queued) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(after.body.project_id, 'default');
    assert.ok(after.body.wave, 'a wave right after the queue ran');
    assert.ok(after.body.wave.finished >= requeue.body.queued, JSON.stringify(after.body.wave));
    assert.ok(after.body.wave.seconds >= 0);
    assert.ok(after.body.counts.failed >= corrupt.length);
    const text = await api(url, 'GET', `/api/assets/search?q=broken.png`);
    const id = text.body.items[0].id;
    const notPreviewable = ws.file('media/notes.txt', 'text');
    const reg = await api(url, 'POST', '/api/assets/register', {
      path: path.relative(ws.dir, notPreviewable),
    });
    const bad = await api(url, 'POST', '/api/previews/requeue', { ids: [reg.body.asset_id] });
    assert.equal(bad.status, 400);
    assert.ok(id);
    // Unknown ids are named, and nothing is queued, not even the known one: a finished preview
    // sent along stays finished (queued again, it would be queued or running at once).
    const listed = await api(url, 'GET', '/api/assets/search?limit=200&fields=uid,preview_status');
    const done = listed.body.items.find((a: { preview_status?: string }) => a.preview_status === 'done');
    assert.ok(done, 'an asset whose preview is done');
    const unknown = await api(url, 'POST', '/api/previews/requeue', {
      ids: [done.uid, 'nosuch1', 'nosuch2', 'nosuch1'],
    });
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(
      unknown.body.message,
      'No asset has the ids nosuch1, nosuch2 in project default: nothing was queued. Leave them out and send the others again.',
    );
    assert.equal((await api(url, 'GET', `/api/assets/${done.uid}`)).body.asset.preview_status, 'done');
  });
});

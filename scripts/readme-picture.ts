/**
 * Makes the README's gallery picture (docs/images/gallery.png) from the real studio: a
 * visual novel's characters (cut-outs on a transparent ground), backgrounds, a sound and a
 * script, registered by a rebuild with their previews, two tiles selected, in Chromium at
 * 1366 × 860. Run it when the studio's look changes: `npx tsx scripts/readme-picture.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import sharp from 'sharp';
import { makeWav } from '../test/helpers/media.js';
import { api, REPO } from '../test/helpers/server.js';
import { serveRebuilt } from '../test/helpers/studio.js';
import { makeWorkspace } from '../test/helpers/workspace.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

type Rgb = [number, number, number];
const rgb = ([r, g, b]: Rgb): string => `rgb(${r},${g},${b})`;

/** A vertical gradient with a disc: `cutOut` keeps only the figure, on a transparent ground. */
function picture(width: number, height: number, from: Rgb, to: Rgb, cutOut: boolean): Promise<Buffer> {
  const [w, h] = [width, height];
  const body = cutOut
    ? `<ellipse cx="${w / 2}" cy="${h * 0.3}" rx="${w * 0.2}" ry="${w * 0.2}" fill="${rgb(from)}"/>` +
      `<path d="M ${w * 0.18} ${h} Q ${w / 2} ${h * 0.35} ${w * 0.82} ${h} Z" fill="url(#g)"/>`
    : `<rect width="${w}" height="${h}" fill="url(#g)"/>` +
      `<circle cx="${w / 2}" cy="${h / 2}" r="${Math.min(w, h) * 0.15}" fill="white" fill-opacity="0.35"/>`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">` +
    `<stop offset="0" stop-color="${rgb(from)}"/><stop offset="1" stop-color="${rgb(to)}"/></linearGradient></defs>${body}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const palettes = {
  night: [
    [40, 70, 150],
    [5, 15, 60],
  ],
  dusk: [
    [230, 120, 90],
    [150, 40, 30],
  ],
  market: [
    [240, 200, 140],
    [180, 130, 70],
  ],
  forest: [
    [120, 180, 150],
    [40, 100, 70],
  ],
  classroom: [
    [150, 80, 170],
    [70, 10, 90],
  ],
  castle: [
    [60, 60, 80],
    [10, 10, 25],
  ],
} satisfies Record<string, [Rgb, Rgb]>;

const ws = makeWorkspace('areg-readme-');
try {
  const characters: Array<[string, keyof typeof palettes]> = [
    ['hero', 'forest'],
    ['villain', 'dusk'],
    ['mentor', 'castle'],
    ['rival', 'classroom'],
    ['shopkeeper', 'market'],
  ];
  for (const [name, colors] of characters)
    ws.file(
      `data/assets/characters/${name}.png`,
      await picture(600, 1000, ...(palettes[colors] as [Rgb, Rgb]), true),
    );
  for (const [name, colors] of Object.entries(palettes))
    ws.file(
      `data/assets/backgrounds/${name}.jpg`,
      await picture(1920, 1080, ...(colors as [Rgb, Rgb]), false),
    );
  // A theme that swells and fades twice.
  const theme = new Float32Array(6 * 8000).map(
    (_, i) =>
      Math.sin((2 * Math.PI * 220 * i) / 8000) * (0.15 + 0.8 * Math.abs(Math.sin((Math.PI * i) / 24000))),
  );
  ws.file('data/assets/audio/theme.wav', makeWav([theme], 8000, 16));
  ws.file('data/assets/scripts/chapter1.rpy', 'label start:\n    scene night\n    show hero\n');
  const { server, ids } = await serveRebuilt(ws, { wait_for_thumbs: true });
  try {
    await api(server.url, 'POST', '/api/assets/bulk', {
      ids: Object.values(ids),
      add_tags: ['chapter-1'],
      license: 'CC-BY-4.0',
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    await page.goto(`${server.url}/#/`);
    await page
      .getByTestId('status-line')
      .getByText(/Showing 13 of 13 assets/)
      .waitFor();
    await page.locator(`.tile[data-uid="${ids['characters/hero.png']}"]`).click();
    await page.locator(`.tile[data-uid="${ids['characters/rival.png']}"]`).click({ modifiers: ['Control'] });
    // Every thumbnail drawn before the picture is taken.
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.tile img')].every((img) => img.complete),
    );
    await page.screenshot({ path: path.join(REPO, 'docs', 'images', 'gallery.png') });
    await browser.close();
  } finally {
    await server.stop();
  }
  process.stdout.write(
    `docs/images/gallery.png (${fs.statSync(path.join(REPO, 'docs/images/gallery.png')).size} bytes)\n`,
  );
} finally {
  ws.cleanup();
}

/**
 * Damaged files against every decoder the previews run in JavaScript (BMP, TGA, PSD, DDS,
 * OpenEXR, Aseprite): each file cut short at many points, and with bytes overwritten, must decode or be
 * refused with an error, never hang (parse-exr looped for good on a cut file). Run in a child
 * process with a time limit (helpers/damage.ts).
 */
import { test } from 'node:test';
import { moduleUrl, runDamageScript } from '../helpers/damage.js';

const script = `
import { decodeImage } from ${moduleUrl('src/previews/decode-image.ts')};
import { fill, makeAseprite, makeBmp, makeDds, makeExr, makePsd, makeTga } from ${moduleUrl('test/helpers/media.ts')};
import { damageRounds } from ${moduleUrl('test/helpers/damage.ts')};
const top = { r: 200, g: 40, b: 10 };
const bottom = { r: 10, g: 60, b: 220 };
const files = {
  '.bmp': makeBmp(24, 16, top, bottom),
  '.tga': makeTga(24, 16, top, bottom),
  '.psd': makePsd(24, 16, top, bottom),
  '.dds': makeDds(24, 16, (_x, y) => (y < 8 ? top : bottom), 'dxt1'),
  '.exr': makeExr(24, 16, (x) => ({ r: x / 24, g: 0.5, b: 0.1 })),
  '.dds32': makeDds(24, 16, (_x, y) => (y < 8 ? top : bottom), 'bgra32'),
  '.ase': makeAseprite({
    width: 24,
    height: 16,
    depth: 32,
    layers: [{ name: 'ground', background: true }, { name: 'ink', opacity: 200 }],
    cels: [
      { layer: 0, x: 0, y: 0, width: 24, height: 16, pixels: fill(384, 200, 40, 10, 255), compressed: true },
      { layer: 1, x: 4, y: 4, width: 8, height: 8, pixels: fill(64, 10, 60, 220, 255) },
    ],
  }),
  '.ddsbc7': makeDds(24, 16, (_x, y) => (y < 8 ? { r: 201, g: 41, b: 11 } : { r: 11, g: 61, b: 221 }), 'bc7'),
  // An animation: later frames' cels, one linked to the first frame's.
  '.aseanim': makeAseprite({
    width: 16,
    height: 8,
    depth: 32,
    layers: [{ name: 'body' }],
    cels: [{ layer: 0, x: 0, y: 0, width: 16, height: 8, pixels: fill(128, 200, 40, 10, 255), compressed: true }],
    later: [
      { cels: [{ layer: 0, link: 0 }] },
      { cels: [{ layer: 0, x: 2, y: 2, width: 4, height: 4, pixels: fill(16, 10, 60, 220, 255), compressed: true }] },
    ],
  }),
};
const counts = {};
for (const [key, whole] of Object.entries(files)) {
  counts[key] = await damageRounds(whole, async (bytes) => {
    try {
      await decodeImage(key.startsWith('.ase') ? '.ase' : key.slice(0, 4), bytes, 1e6);
      return true;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('not a readable')) return false;
      throw err;
    }
  });
}
process.stdout.write(JSON.stringify(counts));
`;

test('BMP, TGA, PSD, DDS, OpenEXR and Aseprite decoders refuse damaged files with a reason, and never hang', (t) => {
  t.diagnostic(JSON.stringify(runDamageScript(script, 120)));
});

const models = `
import { fbxFacts } from ${moduleUrl('src/previews/fbx.ts')};
import { GLB_HEAD_BYTES, glbJsonLength, gltfFacts } from ${moduleUrl('src/previews/gltf.ts')};
import { makeFbxCube, makeGlb } from ${moduleUrl('test/helpers/media.ts')};
import { damageRounds } from ${moduleUrl('test/helpers/damage.ts')};
const readers = {
  fbx: [makeFbxCube({ image: 'C:\\\\art\\\\skin.png', takes: 1, compressed: true }), (bytes) => fbxFacts(bytes)],
  glb: [
    makeGlb({ animations: 1 }),
    (bytes) => gltfFacts(bytes.subarray(GLB_HEAD_BYTES, GLB_HEAD_BYTES + glbJsonLength(bytes)).toString('utf8')),
  ],
};
const counts = {};
for (const [name, [whole, read]] of Object.entries(readers)) {
  counts[name] = await damageRounds(whole, async (bytes) => {
    try {
      read(bytes);
      return true;
    } catch (err) {
      // Refused on purpose (an Error with its reason), not by a read past the end (a RangeError).
      if (err instanceof Error && err.constructor === Error) return false;
      throw err;
    }
  });
}
process.stdout.write(JSON.stringify(counts));
`;

test('the FBX and glTF readers refuse damaged models with a reason of their own, and never hang', (t) => {
  t.diagnostic(JSON.stringify(runDamageScript(models, 120)));
});

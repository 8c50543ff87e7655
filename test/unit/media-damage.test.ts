/**
 * Damaged sounds, fonts and videos against the decoders their previews run (the @audio WASM and
 * JavaScript decoders through the waveform worker, fontkit through the specimen card,
 * music-metadata through the video facts, a PSD's sections read by their lengths, yauzl and
 * libvips through a Krita document's picture): each file cut short at many points, and with bytes
 * overwritten, must give its preview or an error, never hang or take the process down, and the
 * decoder must still read a whole file afterwards (helpers/damage.ts).
 */
import { test } from 'node:test';
import { moduleUrl, runDamageScript } from '../helpers/damage.js';

const prelude = `
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { damageRounds } from ${moduleUrl('test/helpers/damage.ts')};
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'areg-damage-'));
let n = 0;
/** Writes the bytes to a file of their own and runs the reader on it; an Error is a refusal. */
const onFile = (ext, read) => async (bytes) => {
  const file = path.join(dir, 'f' + n++ + ext);
  fs.writeFileSync(file, bytes);
  try {
    await read(file);
    return true;
  } catch (err) {
    if (err instanceof Error && err.message) return false;
    throw new Error('not an Error with a message: ' + String(err));
  } finally {
    fs.rmSync(file, { force: true });
  }
};
const counts = {};
`;

test('damaged WAV, MP3, Ogg Vorbis and FLAC files give a waveform or an error, never a hang', (t) => {
  const script = `${prelude}
import run from ${moduleUrl('src/workers/waveform-worker.ts')};
import { encode, makeWav } from ${moduleUrl('test/helpers/media.ts')};
const rate = 22050;
const tone = new Float32Array(rate * 3).map((_, i) => 0.6 * Math.sin((2 * Math.PI * 440 * i) / rate));
const files = {
  wav: ['.wav', makeWav([tone], rate, 16)],
  mp3: ['.mp3', await encode('mp3', [tone], rate)],
  vorbis: ['.ogg', await encode('ogg', [tone], rate)],
  flac: ['.flac', await encode('flac', [tone], rate)],
};
for (const [codec, [ext, whole]] of Object.entries(files)) {
  counts[codec] = await damageRounds(
    whole,
    onFile(ext, (source) => run({ source, codec, out: source + '.waveform.json', points: 200 })),
    100,
  );
}
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify(counts));
`;
  t.diagnostic(JSON.stringify(runDamageScript(script, 150)));
});

test('damaged fonts (WOFF, WOFF2, TrueType), video headers (WebM), Photoshop, Krita, Clip Studio and Blender documents, FBX models (binary, ASCII) and USD models (text, package) give their preview or an error, never a hang', (t) => {
  const script = `${prelude}
import { fontSpecimen } from ${moduleUrl('src/previews/font-specimen.ts')};
import { woffToSfnt } from ${moduleUrl('src/previews/woff.ts')};
import run from ${moduleUrl('src/workers/video-worker.ts')};
import { makeBlend, makeClip, makeFbxCube, makeKra, makePsd, makeUsdz, makeWebmHeaders, usdaCube } from ${moduleUrl('test/helpers/media.ts')};
import model from ${moduleUrl('src/workers/model-worker.ts')};
import { blendPreviewOf } from ${moduleUrl('src/previews/blend.ts')};
import { clipPreviewOf } from ${moduleUrl('src/previews/clip-studio.ts')};
import { decodeImage } from ${moduleUrl('src/previews/decode-image.ts')};
import { psdWithoutLayers } from ${moduleUrl('src/previews/psd.ts')};
import { mergedImageOf } from ${moduleUrl('src/previews/layered-document.ts')};
import sharp from 'sharp';
const fonts = ${JSON.stringify(`node_modules/@fontsource/press-start-2p/files/press-start-2p-latin-400-normal`)};
const wholeFonts = {
  '.woff': fs.readFileSync(fonts + '.woff'),
  '.woff2': fs.readFileSync(fonts + '.woff2'),
  '.ttf': woffToSfnt(fs.readFileSync(fonts + '.woff'), 1e6), // the same font unwrapped
};
for (const [ext, whole] of Object.entries(wholeFonts))
  counts[ext] = await damageRounds(whole, onFile(ext, async (file) => fontSpecimen(fs.readFileSync(file))));
counts['.webm'] = await damageRounds(makeWebmHeaders(12.5, 640, 360), onFile('.webm', (source) => run({ source })));
const top = { r: 200, g: 40, b: 10 };
const bottom = { r: 10, g: 60, b: 220 };
// A Photoshop file read by its sections' lengths (its merged image alone), then decoded.
counts['.psd'] = await damageRounds(
  makePsd(24, 16, top, bottom, { alpha: 200 }),
  onFile('.psd', async (file) => decodeImage('.psd', await psdWithoutLayers(file, 1e6), 1e6)),
);
// A Krita document: the zip reader finds its flattened picture, libvips decodes it.
counts['.kra'] = await damageRounds(
  await makeKra(48, 32, top, bottom),
  onFile('.kra', async (file) => sharp(await mergedImageOf(file, '.kra', 1e6)).raw().toBuffer()),
);
// A Clip Studio document: its chunks walked, its database read from a temporary file, the preview decoded.
counts['.clip'] = await damageRounds(
  await makeClip(48, 32, top, bottom),
  onFile('.clip', async (file) => sharp((await clipPreviewOf(file, 1e6)).png).raw().toBuffer()),
);
// A Blender file: its blocks walked to the picture of its scene, plain and as Blender compresses it.
for (const compress of [undefined, 'gzip', 'zstd'])
  counts['.blend ' + (compress ?? 'plain')] = await damageRounds(
    makeBlend(24, 16, top, bottom, { version: '0500', large: true }, { compress }),
    onFile('.blend', (file) => blendPreviewOf(file, 1e6)),
  );
// An FBX model's facts through the model worker, binary and ASCII.
for (const ascii of [false, true])
  counts['.fbx ' + (ascii ? 'ascii' : 'binary')] = await damageRounds(
    makeFbxCube({ image: 'C:\\\\maps\\\\wood.png', takes: 1, ascii }),
    onFile('.fbx', (source) => model({ source, root: path.dirname(source), relPath: path.basename(source) })),
  );
// A USD model's facts through the model worker: a text layer, and a package holding one and its texture.
const usda = usdaCube({ texture: 'maps/wood.png', animated: true, references: ['parts/base.usda'] });
counts['.usda'] = await damageRounds(
  Buffer.from(usda),
  onFile('.usda', (source) => model({ source, root: path.dirname(source), relPath: path.basename(source) })),
);
counts['.usdz'] = await damageRounds(
  await makeUsdz([['scene.usda', usda], ['maps/wood.png', Buffer.alloc(300, 7)]]),
  onFile('.usdz', (source) => model({ source, root: path.dirname(source), relPath: path.basename(source) })),
);
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify(counts));
`;
  t.diagnostic(JSON.stringify(runDamageScript(script, 150)));
});

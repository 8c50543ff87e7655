/**
 * Facts of USD models (OpenUSD: `.usda` text, `.usdc` binary "crate", `.usd` either, `.usdz` a
 * zip package of them with their textures), read with three.js's own layer parsers: the studio
 * draws them with three's USDLoader, which composes those. Each layer's specs are counted as
 * written, not composed (a mesh referenced twice counts once, as a glTF's mesh shown by two nodes
 * does). Worker side: pure, the model worker reads the files.
 */
import { posix } from 'node:path';
import { USDAParser } from 'three/addons/loaders/usd/USDAParser.js';
import { USDCParser } from 'three/addons/loaders/usd/USDCParser.js';
import type { ModelFacts } from './gltf.js';

/** Extensions (lowercase, with the dot) read as USD. */
export const USD_EXTS: ReadonlySet<string> = new Set(['.usd', '.usda', '.usdc', '.usdz']);
/** The most of a binary layer read (a package's textures are not read, only listed). */
export const MAX_USD_LAYER_BYTES = 512 * 1024 * 1024;
/**
 * The most of a text layer read: parsed into objects, text takes far more memory than its size
 * (140 MB of points: 1.3 GB and 12 s here), and a dense mesh is saved as a crate anyway.
 */
export const MAX_USDA_BYTES = 128 * 1024 * 1024;

const CRATE_MAGIC = 'PXR-USDC';
const TEXT_MAGIC = '#usda';
/** Sdf's spec types (pxr/usd/sdf/types.h). */
const SPEC_PRIM = 6;

type Spec = { specType: number; fields: Record<string, unknown> };
type Specs = Record<string, Spec>;

/** A layer: its name (in its package, or the file's) and bytes. */
export interface UsdLayer {
  name: string;
  bytes: Uint8Array;
}

/** Whether a name is a USD layer's (inside a package: not its textures). */
export const isUsdLayerName = (name: string): boolean => /\.usd[ac]?$/i.test(name);

/** The most of a layer read, by its first bytes (see MAX_USDA_BYTES) or its name. */
export const maxLayerBytes = (head: Uint8Array | string): number =>
  (typeof head === 'string' ? /\.usda$/i.test(head) : startsWith(head, TEXT_MAGIC))
    ? MAX_USDA_BYTES
    : MAX_USD_LAYER_BYTES;

/** Whether bytes start as a zip archive does (a `.usdz`, or a `.usd` that is one). */
export const isZip = (head: Uint8Array): boolean =>
  head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;

function startsWith(bytes: Uint8Array, text: string): boolean {
  return bytes.length >= text.length && [...text].every((c, i) => bytes[i] === c.charCodeAt(0));
}

/** A layer's specs, and the asset paths it names (textures, sublayers, references, payloads). */
function readLayer(layer: UsdLayer): { specs: Specs; assets: string[] } {
  const { bytes, name } = layer;
  const crate = startsWith(bytes, CRATE_MAGIC);
  if (!crate && !startsWith(bytes, TEXT_MAGIC))
    throw new Error(`${name} starts with neither ${TEXT_MAGIC} nor ${CRATE_MAGIC}: not a USD layer`);
  try {
    if (crate) {
      const specs = new USDCParser().parseData(bytes.slice().buffer).specsByPath;
      return { specs, assets: crateAssets(specs) };
    }
    const text = new TextDecoder().decode(bytes);
    return { specs: new USDAParser().parseData(text).specsByPath, assets: textAssets(text) };
  } catch (err) {
    // (The parsers' own words say where they stopped, not what the file is.)
    throw new Error(
      `${name}, a ${crate ? 'binary' : 'text'} USD layer, cannot be read: ${(err as Error).message}`,
    );
  }
}

/** The asset paths a text layer names: `@path@` or `@@@path@@@`, comments left out. */
function textAssets(text: string): string[] {
  const out: string[] = [];
  // (A `#` starts a comment outside strings and asset paths; `#usda` itself is one.)
  const token =
    /"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|@@@([\s\S]*?)@@@|@([^@\n]*)@|#[^\n]*/g;
  for (const match of text.matchAll(token)) {
    const asset = match[1] ?? match[2];
    if (asset) out.push(asset);
  }
  return out;
}

/** The asset paths a crate layer's specs name: asset values, sublayers, references and payloads. */
function crateAssets(specs: Specs): string[] {
  const out: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') out.push(value.replace(/^@|@$/g, ''));
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') {
      const { assetPath, explicitItems, prependedItems, appendedItems, addedItems } = value as Record<
        string,
        unknown
      >;
      for (const part of [assetPath, explicitItems, prependedItems, appendedItems, addedItems]) collect(part);
    }
  };
  for (const { fields } of Object.values(specs)) {
    const type = typeof fields.typeName === 'string' ? fields.typeName : '';
    if (type.startsWith('asset')) collect(fields.default);
    for (const key of ['subLayers', 'references', 'payload']) collect(fields[key]);
  }
  return out.filter(Boolean);
}

/** Numbers in a USD array value (a plain array, a typed array, or an array of tuples). */
function numbersIn(value: unknown): number[] {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as Float32Array);
  if (!Array.isArray(value)) return [];
  return value.flatMap((v: unknown) => (typeof v === 'number' ? [v] : numbersIn(v)));
}

const attribute = (specs: Specs, prim: string, name: string): unknown =>
  specs[`${prim}.${name}`]?.fields.default;

/**
 * The facts of a USD model: its layers (a lone file's one, or a package's, the root first) and,
 * for a package, the names of every file in it (the asset paths found there are no files beside
 * it). Throws with the reason for what it cannot read.
 */
export function usdFacts(layers: readonly UsdLayer[], packaged?: readonly string[]): ModelFacts {
  if (!layers.length) throw new Error('the package holds no USD layer (.usda, .usdc or .usd)');
  const facts: ModelFacts = {
    triangles: 0,
    vertices: 0,
    meshes: 0,
    materials: 0,
    textures: 0,
    animations: 0,
    resources: [],
  };
  const inPackage = new Set(packaged?.map((name) => posix.normalize(name)));
  const textureFiles = new Set<string>();
  let skeletalAnimations = 0;
  let timeSampled = false;
  for (const layer of layers) {
    const { specs, assets } = readLayer(layer);
    for (const [path, spec] of Object.entries(specs)) {
      if (spec.fields.timeSamples !== undefined) timeSampled = true;
      if (spec.specType !== SPEC_PRIM) continue;
      switch (spec.fields.typeName) {
        case 'Mesh': {
          facts.meshes++;
          const counts = numbersIn(attribute(specs, path, 'faceVertexCounts'));
          facts.triangles += counts.reduce((sum, n) => sum + Math.max(0, n - 2), 0);
          const points = attribute(specs, path, 'points');
          const flat = numbersIn(points);
          facts.vertices +=
            Array.isArray(points) && Array.isArray(points[0]) ? points.length : flat.length / 3;
          break;
        }
        case 'Material':
          facts.materials++;
          break;
        case 'SkelAnimation':
          skeletalAnimations++;
          break;
        case 'Shader':
          if (attribute(specs, path, 'info:id') === 'UsdUVTexture') {
            const file = attribute(specs, path, 'inputs:file');
            textureFiles.add(typeof file === 'string' ? file : path);
          }
          break;
      }
    }
    // Asset paths resolve from the layer that names them: in a package, those found in it are no
    // files beside it.
    const folder = posix.dirname(layer.name);
    for (const asset of assets) {
      if (packaged && inPackage.has(posix.join(folder, asset.replace(/\\/g, '/')))) continue;
      if (!facts.resources.includes(asset)) facts.resources.push(asset);
    }
  }
  facts.textures = textureFiles.size;
  facts.animations = skeletalAnimations || (timeSampled ? 1 : 0);
  facts.vertices = Math.round(facts.vertices);
  return facts;
}

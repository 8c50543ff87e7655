/**
 * Worker side of a 3D model's facts (previews/gltf.ts, fbx.ts, obj.ts, usd.ts): a GLB's JSON
 * chunk is read (not its binary chunk of vertices and textures), a `.gltf` file whole, an FBX
 * whole, an OBJ line by line and its material libraries, a USD layer whole or a `.usdz`'s layers
 * (not its textures); the files it refers to are looked for beside it, inside the assets root.
 */
import fs from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import { resolveUnder } from '../files/safe-path.js';
import {
  GLB_HEAD_BYTES,
  glbJsonLength,
  gltfFacts,
  MAX_GLTF_JSON_BYTES,
  relatedPath,
  type ModelFacts,
} from '../previews/gltf.js';
import { FBX_HEAD_BYTES, fbxFacts, fbxVersion, MAX_FBX_BYTES } from '../previews/fbx.js';
import { besideLibrary, MAX_MTL_BYTES, MAX_OBJ_BYTES, mtlTextures, objFacts } from '../previews/obj.js';
import { isUsdLayerName, isZip, maxLayerBytes, USD_EXTS, usdFacts, type UsdLayer } from '../previews/usd.js';
import yauzl from 'yauzl';
import { zipEntries } from '../files/zip-entries.js';
import { readAll } from '../files/read-all.js';

export interface ModelTask {
  /** The model's file. */
  source: string;
  /** The assets root and the model's path in it (POSIX), for the files it refers to. */
  root: string;
  relPath: string;
}

export interface ModelResult extends ModelFacts {
  /** The resources not found beside it (or leading outside the assets root). */
  missing: string[];
}

/** The model's JSON text: a GLB's JSON chunk, or a `.gltf` file. */
async function jsonText(source: string): Promise<string> {
  const file = await fs.open(source, 'r');
  try {
    if (path.extname(source).toLowerCase() === '.glb') {
      const head = Buffer.alloc(GLB_HEAD_BYTES);
      const { bytesRead } = await file.read(head, 0, GLB_HEAD_BYTES, 0);
      const length = glbJsonLength(head.subarray(0, bytesRead));
      const json = Buffer.alloc(length);
      const read = await file.read(json, 0, length, GLB_HEAD_BYTES);
      if (read.bytesRead < length) throw new Error('the file ends inside its JSON chunk');
      return json.toString('utf8');
    }
    refuseOver((await file.stat()).size, MAX_GLTF_JSON_BYTES, 'of JSON read');
    return (await file.readFile()).toString('utf8');
  } finally {
    await file.close();
  }
}

/** Refuses a file larger than what is read of it. */
function refuseOver(size: number, max: number, what = 'read'): void {
  if (size > max) throw new Error(`the file is ${size} bytes, more than the ${max} ${what}`);
}

/** The file at `rel` below the root (its absolute path and size), if it is one, inside the root. */
function fileInside(root: string, rel: string | undefined): { abs: string; size: number } | undefined {
  if (rel === undefined) return undefined;
  try {
    const { abs } = resolveUnder(root, rel);
    const stats = statSync(abs);
    return stats.isFile() ? { abs, size: stats.size } : undefined;
  } catch {
    return undefined;
  }
}

/** An OBJ's facts, its material libraries and the textures they name among its resources. */
async function objModel(task: ModelTask): Promise<ModelFacts> {
  refuseOver((await fs.stat(task.source)).size, MAX_OBJ_BYTES);
  const { libraries, ...facts } = await objFacts(task.source);
  const resources = [...libraries];
  const textures = new Set<string>();
  for (const library of libraries) {
    const file = fileInside(task.root, relatedPath(task.relPath, library));
    if (!file || file.size > MAX_MTL_BYTES) continue;
    for (const texture of mtlTextures(await fs.readFile(file.abs, 'utf8'))) {
      const uri = besideLibrary(library, texture);
      textures.add(uri);
      if (!resources.includes(uri)) resources.push(uri);
    }
  }
  return { ...facts, textures: textures.size, resources };
}

/** An FBX's facts (binary or ASCII), from the whole file (up to MAX_FBX_BYTES). */
async function fbxModel(task: ModelTask): Promise<ModelFacts> {
  const file = await fs.open(task.source, 'r');
  try {
    // Its header first: another file, or an FBX older than 7, is refused without reading it all.
    const head = Buffer.alloc(FBX_HEAD_BYTES);
    fbxVersion(head.subarray(0, (await file.read(head, 0, FBX_HEAD_BYTES, 0)).bytesRead));
    refuseOver((await file.stat()).size, MAX_FBX_BYTES);
    return fbxFacts(await file.readFile());
  } finally {
    await file.close();
  }
}

/** A USD model's facts: a lone layer's, or a package's (its layers read, its textures only listed). */
async function usdModel(task: ModelTask): Promise<ModelFacts> {
  const file = await fs.open(task.source, 'r');
  try {
    const head = Buffer.alloc(8);
    const start = head.subarray(0, (await file.read(head, 0, 8, 0)).bytesRead);
    if (!isZip(start)) {
      refuseOver((await file.stat()).size, maxLayerBytes(start));
      return usdFacts([{ name: path.basename(task.source), bytes: await file.readFile() }]);
    }
  } finally {
    await file.close();
  }
  const zip = await yauzl.openPromise(task.source, { lazyEntries: true, autoClose: false });
  try {
    const names: string[] = [];
    const layers: UsdLayer[] = [];
    for await (const entry of zipEntries(zip)) {
      if (entry.fileName.endsWith('/')) continue;
      names.push(entry.fileName);
      if (!isUsdLayerName(entry.fileName)) continue;
      refuseOver(entry.uncompressedSize, maxLayerBytes(entry.fileName), `read of ${entry.fileName}`);
      layers.push({ name: entry.fileName, bytes: await readAll(await zip.openReadStreamPromise(entry)) });
    }
    return usdFacts(layers, names);
  } finally {
    zip.close();
  }
}

const FORMATS: Record<string, { name: string; facts: (task: ModelTask) => Promise<ModelFacts> }> = {
  '.obj': { name: 'OBJ', facts: objModel },
  '.fbx': { name: 'FBX', facts: fbxModel },
  ...Object.fromEntries([...USD_EXTS].map((ext) => [ext, { name: 'USD', facts: usdModel }])),
};
const GLTF = { name: 'glTF', facts: async (task: ModelTask) => gltfFacts(await jsonText(task.source)) };

export default async function run(task: ModelTask): Promise<ModelResult> {
  const format = FORMATS[path.extname(task.source).toLowerCase()] ?? GLTF;
  let facts: ModelFacts;
  try {
    facts = await format.facts(task);
  } catch (err) {
    throw new Error(`not a readable ${format.name} model: ${(err as Error).message}`);
  }
  const missing = facts.resources.filter((uri) => !fileInside(task.root, relatedPath(task.relPath, uri)));
  return { ...facts, missing };
}

/**
 * Worker side of a 3D model's facts (previews/gltf.ts): a GLB's JSON chunk is read (not its
 * binary chunk of vertices and textures), a `.gltf` file whole; the files it refers to are looked
 * for beside it, inside the assets root.
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
    const { size } = await file.stat();
    if (size > MAX_GLTF_JSON_BYTES)
      throw new Error(`the file is ${size} bytes, more than the ${MAX_GLTF_JSON_BYTES} of JSON read`);
    return (await file.readFile()).toString('utf8');
  } finally {
    await file.close();
  }
}

const isFileInside = (root: string, rel: string | undefined): boolean => {
  if (rel === undefined) return false;
  try {
    return statSync(resolveUnder(root, rel).abs).isFile();
  } catch {
    return false;
  }
};

export default async function run(task: ModelTask): Promise<ModelResult> {
  let facts: ModelFacts;
  try {
    facts = gltfFacts(await jsonText(task.source));
  } catch (err) {
    throw new Error(`not a readable glTF model: ${(err as Error).message}`);
  }
  const missing = facts.resources.filter((uri) => !isFileInside(task.root, relatedPath(task.relPath, uri)));
  return { ...facts, missing };
}

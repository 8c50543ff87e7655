/**
 * Wavefront OBJ models (`.obj`, with their `.mtl` material libraries), what photogrammetry, many
 * asset stores and older pipelines export: plain text, read line by line. Its facts as a glTF
 * model's (previews/gltf.ts): triangles (a face of n corners is n − 2), vertices, the materials
 * it uses, and the files it needs: its material libraries and the textures they name.
 */
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { createInterface } from 'node:readline';
import type { ModelFacts } from './gltf.js';

/** An OBJ larger than this is not read (a scan of hundreds of millions of lines). */
export const MAX_OBJ_BYTES = 1024 * 1024 * 1024;
/** A material library larger than this is not read for its textures. */
export const MAX_MTL_BYTES = 16 * 1024 * 1024;

/** What the OBJ's own lines say: its facts, and the material libraries it names. */
export async function objFacts(
  file: string,
): Promise<Omit<ModelFacts, 'textures'> & { libraries: string[] }> {
  let [triangles, vertices, lines, faces] = [0, 0, 0, 0];
  const materials = new Set<string>();
  const libraries: string[] = [];
  const input = createReadStream(file, { encoding: 'utf8' });
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    lines++;
    const line = raw.trimStart();
    if (line.startsWith('v ') || line.startsWith('v\t')) vertices++;
    else if (line.startsWith('f ') || line.startsWith('f\t')) {
      faces++;
      triangles += Math.max(0, line.split(/\s+/).filter(Boolean).length - 3);
    } else if (line.startsWith('usemtl')) materials.add(line.slice(6).trim());
    else if (line.startsWith('mtllib')) {
      // Several names may follow; a name with spaces is one name (as most exporters write it).
      const name = line.slice(6).trim();
      if (name && !libraries.includes(name)) libraries.push(name);
    } else if (lines === 1 && line.includes('\0')) throw new Error('it is binary, not OBJ text');
  }
  if (!vertices && !faces) throw new Error('it holds no vertices ("v" lines) nor faces ("f" lines)');
  return {
    triangles,
    vertices,
    meshes: 1,
    materials: materials.size,
    animations: 0,
    resources: [],
    libraries,
  };
}

/** The texture files a material library names (`map_Kd`, `bump`, … : the last word of the line). */
export function mtlTextures(text: string): string[] {
  const found: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!/^(map_\w+|bump|disp|decal|refl|norm)\s/i.test(line)) continue;
    const name = line.split(/\s+/).at(-1);
    if (name && !found.includes(name)) found.push(name);
  }
  return found;
}

/** A texture named by the library at `library` (relative to the model), relative to the model. */
export const besideLibrary = (library: string, texture: string): string =>
  posix.dirname(library) === '.' ? texture : posix.join(posix.dirname(library), texture.replace(/\\/g, '/'));

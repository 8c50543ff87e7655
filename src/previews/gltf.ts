/**
 * 3D models in glTF 2.0 (`.glb`, the binary container, and `.gltf`, its JSON form), what game
 * engines, Blender and most asset stores exchange. What a designer reads off a model before
 * opening it comes from its JSON alone (no vertex is read): how many triangles and vertices its
 * meshes hold, its materials, textures and animations, and which files beside it it needs (a
 * `.gltf`'s `.bin` buffers and texture images). Its picture is drawn by the studio (WebGL), which
 * sends it as the model's poster, as it does a video's frame.
 */
import { posix } from 'node:path';
import { isJsonObject } from '../domain/json.js';

/** The model's facts, kept in `meta.preview`. */
export interface ModelFacts {
  /** Triangles in its meshes (each mesh counted once, however many nodes show it). */
  triangles: number;
  vertices: number;
  meshes: number;
  materials: number;
  textures: number;
  animations: number;
  /** Files it refers to by relative URI (buffers, images), in the order it names them. */
  resources: string[];
}

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a; // "JSON"
/** A GLB's header and its first chunk's header. */
export const GLB_HEAD_BYTES = 20;
/** The JSON read at most (a scene's description: meshes, nodes, materials; not its vertices). */
export const MAX_GLTF_JSON_BYTES = 64 * 1024 * 1024;

/** How many bytes of a GLB hold its JSON chunk (read from its first 20 bytes), after those 20. */
export function glbJsonLength(head: Buffer): number {
  if (head.length < GLB_HEAD_BYTES) throw new Error('the file is too short to hold a GLB header');
  if (head.readUInt32LE(0) !== GLB_MAGIC) throw new Error('it does not start with "glTF"');
  const version = head.readUInt32LE(4);
  if (version !== 2) throw new Error(`it is glTF ${version}: only glTF 2.0 is read`);
  if (head.readUInt32LE(16) !== CHUNK_JSON) throw new Error('its first chunk is not its JSON');
  const length = head.readUInt32LE(12);
  if (length > MAX_GLTF_JSON_BYTES)
    throw new Error(`its JSON chunk is ${length} bytes, more than the ${MAX_GLTF_JSON_BYTES} read`);
  return length;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const count = (value: unknown): number => (typeof value === 'number' && value >= 0 ? Math.floor(value) : 0);

// Primitive modes: 4 triangles (the default), 5 a strip, 6 a fan; points and lines have none.
const TRIANGLES = 4;
const TRIANGLE_STRIP = 5;
const TRIANGLE_FAN = 6;

/** The facts of a model from its JSON text (a `.gltf` file, or a GLB's JSON chunk). */
export function gltfFacts(jsonText: string): ModelFacts {
  let gltf: unknown;
  try {
    gltf = JSON.parse(jsonText);
  } catch (err) {
    throw new Error(`its JSON does not parse (${(err as Error).message})`);
  }
  if (!isJsonObject(gltf) || !isJsonObject(gltf.asset))
    throw new Error('its JSON has no "asset" object: not glTF');
  const version = typeof gltf.asset.version === 'string' ? gltf.asset.version : '';
  if (!version.startsWith('2.'))
    throw new Error(`it is glTF ${version || 'of no version'}: only glTF 2.0 is read`);
  const accessors = list(gltf.accessors);
  const accessorCount = (index: unknown): number => {
    const accessor = typeof index === 'number' ? accessors[index] : undefined;
    return isJsonObject(accessor) ? count(accessor.count) : 0;
  };
  let triangles = 0;
  let vertices = 0;
  for (const mesh of list(gltf.meshes)) {
    if (!isJsonObject(mesh)) continue;
    for (const primitive of list(mesh.primitives)) {
      if (!isJsonObject(primitive) || !isJsonObject(primitive.attributes)) continue;
      const positions = accessorCount(primitive.attributes.POSITION);
      const corners = primitive.indices === undefined ? positions : accessorCount(primitive.indices);
      const mode = primitive.mode ?? TRIANGLES;
      vertices += positions;
      if (mode === TRIANGLES) triangles += Math.floor(corners / 3);
      else if (mode === TRIANGLE_STRIP || mode === TRIANGLE_FAN) triangles += Math.max(0, corners - 2);
    }
  }
  const resources: string[] = [];
  for (const holder of [...list(gltf.buffers), ...list(gltf.images)]) {
    const uri = isJsonObject(holder) ? holder.uri : undefined;
    if (typeof uri === 'string' && uri && !/^data:/i.test(uri) && !resources.includes(uri))
      resources.push(uri);
  }
  return {
    triangles,
    vertices,
    meshes: list(gltf.meshes).length,
    materials: list(gltf.materials).length,
    textures: list(gltf.textures).length,
    animations: list(gltf.animations).length,
    resources,
  };
}

/**
 * A relative URI as a path below the model's folder (percent-escapes decoded, as glTF URIs are
 * written); undefined for an absolute URL or path, which a model in an assets folder cannot use.
 */
function resourcePath(uri: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/') || uri.startsWith('\\')) return undefined;
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}

/**
 * Where a model at `modelPath` (relative to the assets root, POSIX) finds the file a relative URI
 * names: a path relative to the root, or undefined when the URI is absolute or leads above the
 * root. (`../textures/hull.png` beside `models/ship/` is `models/textures/hull.png`.)
 */
export function relatedPath(modelPath: string, uri: string): string | undefined {
  const relative = resourcePath(uri);
  if (relative === undefined || relative.includes('\0')) return undefined;
  const joined = posix.normalize(posix.join(posix.dirname(modelPath), relative.replace(/\\/g, '/')));
  return joined === '..' || joined.startsWith('../') || joined === '.' ? undefined : joined;
}

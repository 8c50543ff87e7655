/**
 * Autodesk FBX models (FBX 7.x, binary or ASCII), what Unity, Unreal, Maya and Blender exchange
 * most: their facts as a glTF model's (previews/gltf.ts), from the file's node tree, read by the
 * format as Blender's and three.js's readers document it: binary, a 27-byte header, then nested
 * node records (an end offset, a property count and length, a name, the properties, the
 * children); ASCII, the same tree as text (`Name: prop, prop {` children `}`, arrays as
 * `*count { a: values }`, `;` comments), as some exporters and older pipelines write it. Counted:
 * meshes (`Geometry` of type `Mesh`) and their vertices (`Vertices`: x, y, z each) and triangles
 * (`PolygonVertexIndex`: a negative index ends a polygon of n corners, n − 2 triangles), materials,
 * textures, animation stacks, and the image files it names that it does not embed.
 */
import zlib from 'node:zlib';
import type { ModelFacts } from './gltf.js';

const MAGIC = 'Kaydara FBX Binary  \0';
const HEADER_BYTES = 27;
/** An FBX larger than this is not read into memory for its facts. */
export const MAX_FBX_BYTES = 512 * 1024 * 1024;
const MAX_DEPTH = 64;

type Property = number | bigint | boolean | string | Buffer | ArrayView;

/** An array property, decoded only when asked (most are vertex data nobody counts). */
interface ArrayView {
  kind: 'array';
  type: string;
  length: number;
  encoding: number;
  data: Buffer;
}

interface FbxNode {
  name: string;
  props: Property[];
  children: FbxNode[];
}

const isArray = (p: Property | undefined): p is ArrayView =>
  typeof p === 'object' && p !== null && !Buffer.isBuffer(p) && p.kind === 'array';

/** The node records from `at` to `end` (a list ends at a null record, or at `end`). */
function readNodes(bytes: Buffer, at: number, end: number, wide: boolean, depth: number): FbxNode[] {
  if (depth > MAX_DEPTH) throw new Error(`its nodes nest deeper than ${MAX_DEPTH}`);
  const nodes: FbxNode[] = [];
  const headBytes = wide ? 25 : 13;
  while (at + headBytes <= end) {
    const read = (i: number): number =>
      wide ? Number(bytes.readBigUInt64LE(at + i * 8)) : bytes.readUInt32LE(at + i * 4);
    const nodeEnd = read(0);
    if (nodeEnd === 0) break; // the null record closing the list
    const [count, listLength] = [read(1), read(2)];
    const nameLength = bytes.readUInt8(at + headBytes - 1);
    if (nodeEnd <= at || nodeEnd > end) throw new Error(`a node at byte ${at} runs past its parent`);
    const name = bytes.toString('latin1', at + headBytes, at + headBytes + nameLength);
    const propsAt = at + headBytes + nameLength;
    if (propsAt + listLength > nodeEnd) throw new Error(`the properties of ${name} run past it`);
    const props = readProperties(bytes, propsAt, propsAt + listLength, count);
    const children = readNodes(bytes, propsAt + listLength, nodeEnd, wide, depth + 1);
    nodes.push({ name, props, children });
    at = nodeEnd;
  }
  return nodes;
}

const SCALAR_BYTES: Record<string, number> = { Y: 2, C: 1, I: 4, F: 4, D: 8, L: 8 };
const ELEMENT_BYTES: Record<string, number> = { f: 4, d: 8, l: 8, i: 4, b: 1 };

function readProperties(bytes: Buffer, at: number, end: number, count: number): Property[] {
  const props: Property[] = [];
  for (let n = 0; n < count; n++) {
    if (at >= end) throw new Error('a node has fewer properties than it says');
    const type = String.fromCharCode(bytes.readUInt8(at));
    at++;
    const scalar = SCALAR_BYTES[type];
    const element = ELEMENT_BYTES[type];
    if (scalar !== undefined) {
      if (at + scalar > end) throw new Error('a property runs past its node');
      props.push(
        type === 'Y'
          ? bytes.readInt16LE(at)
          : type === 'C'
            ? bytes.readUInt8(at) !== 0
            : type === 'I'
              ? bytes.readInt32LE(at)
              : type === 'F'
                ? bytes.readFloatLE(at)
                : type === 'D'
                  ? bytes.readDoubleLE(at)
                  : bytes.readBigInt64LE(at),
      );
      at += scalar;
    } else if (element !== undefined) {
      if (at + 12 > end) throw new Error('an array property runs past its node');
      const [length, encoding, stored] = [
        bytes.readUInt32LE(at),
        bytes.readUInt32LE(at + 4),
        bytes.readUInt32LE(at + 8),
      ];
      const size = encoding ? stored : length * element;
      if (at + 12 + size > end) throw new Error('an array property runs past its node');
      props.push({ kind: 'array', type, length, encoding, data: bytes.subarray(at + 12, at + 12 + size) });
      at += 12 + size;
    } else if (type === 'S' || type === 'R') {
      const length = bytes.readUInt32LE(at);
      if (at + 4 + length > end) throw new Error('a string property runs past its node');
      const raw = bytes.subarray(at + 4, at + 4 + length);
      props.push(type === 'S' ? raw.toString('utf8') : raw);
      at += 4 + length;
    } else throw new Error(`a property has the unknown type ${JSON.stringify(type)}`);
  }
  return props;
}

/**
 * An ASCII FBX's node tree, as the binary reader gives it: quoted strings (`"Geometry::cube"`
 * becomes `cube\0\x01Geometry`, as binary files store names), numbers, bare words (`T`, `Y`), and
 * an array (`*24 { a: 1,2,… }`) as an int32 array property, which is all the facts read of one.
 */
export function readTextNodes(text: string): FbxNode[] {
  let at = 0;
  const fail = (why: string): never => {
    const line = text.slice(0, at).split('\n').length;
    throw new Error(`line ${line}: ${why}`);
  };
  /** Skips blanks (line ends too, when `lines`) and `;` comments. */
  const skip = (lines: boolean): void => {
    for (;;) {
      const c = text[at];
      if (c === ';') {
        const end = text.indexOf('\n', at);
        at = end < 0 ? text.length : end;
      } else if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF' || (lines && c === '\n')) at++;
      else return;
    }
  };
  const prop = (): Property => {
    const c = text[at];
    if (c === '"') {
      const end = text.indexOf('"', at + 1);
      if (end < 0) fail('a string does not end');
      const raw = text.slice(at + 1, end).replace(/&quot;/g, '"');
      at = end + 1;
      const named = /^(\w+)::(.*)$/s.exec(raw);
      return named ? `${named[2]}\0\u0001${named[1]}` : raw;
    }
    const token = /^(\*?[-+\w.]+)/.exec(text.slice(at, at + 64))?.[1];
    if (!token) return fail(`unexpected ${JSON.stringify(c ?? 'end of file')}`);
    at += token.length;
    const n = Number(token.replace(/^\*/, ''));
    return Number.isNaN(n) ? token : token.startsWith('*') ? `*${n}` : n;
  };
  const nodes = (depth: number): FbxNode[] => {
    if (depth > MAX_DEPTH) fail(`its nodes nest deeper than ${MAX_DEPTH}`);
    const list: FbxNode[] = [];
    for (;;) {
      skip(true);
      if (at >= text.length || text[at] === '}') return list;
      const name = /^([\w|]+):/.exec(text.slice(at, at + 256))?.[1];
      if (name === undefined) return fail('a node name (`Name:`) was expected');
      at += name.length + 1;
      const props: Property[] = [];
      skip(false);
      if (at < text.length && text[at] !== '{' && text[at] !== '\n') {
        props.push(prop());
        for (;;) {
          const before = at;
          skip(true);
          if (text[at] !== ',') {
            at = before;
            break;
          }
          at++;
          skip(true);
          props.push(prop());
        }
      }
      skip(false);
      let children: FbxNode[] = [];
      if (text[at] === '{') {
        at++;
        children = nodes(depth + 1);
        if (text[at] !== '}') fail(`${name} is not closed`);
        at++;
      }
      const count = typeof props[0] === 'string' && /^\*\d+$/.test(props[0]) ? Number(props[0].slice(1)) : -1;
      const values = children.find((n) => n.name === 'a')?.props;
      if (count >= 0 && values) {
        const ints = Int32Array.from(values, (v) => (typeof v === 'number' ? Math.trunc(v) : 0));
        const data = Buffer.from(ints.buffer, ints.byteOffset, ints.byteLength);
        props[0] = { kind: 'array', type: 'i', length: ints.length, encoding: 0, data };
      }
      list.push({ name, props, children });
    }
  };
  const top = nodes(0);
  if (at < text.length) fail('a `}` closes nothing');
  return top;
}

/** An int32 array's values (inflated to at most its stated size). */
function int32s(view: ArrayView): Int32Array {
  const expected = view.length * 4;
  let data = view.data;
  if (view.encoding) {
    try {
      data = zlib.inflateSync(view.data, { maxOutputLength: Math.max(1, expected) });
    } catch (err) {
      throw new Error(`an index array does not inflate to its size (${(err as Error).message})`);
    }
  }
  if (data.length < expected) throw new Error('an index array is shorter than it says');
  const copy = Buffer.from(data.subarray(0, expected)); // (aligned for the view)
  return new Int32Array(copy.buffer, copy.byteOffset, view.length);
}

const child = (node: FbxNode, name: string): FbxNode | undefined =>
  node.children.find((c) => c.name === name);
const text = (node: FbxNode | undefined): string =>
  node && typeof node.props[0] === 'string' ? node.props[0] : '';

/** Bytes of a file's start that tell a binary FBX (its header) from anything else. */
export const FBX_HEAD_BYTES = 64;

/** An ASCII FBX's first line: `; FBX 7.4.0 project file`. */
const ASCII_HEAD = /^\uFEFF?\s*;\s*FBX\s+(\d+)\.(\d+)\.(\d+)/;

/**
 * The FBX version its first bytes give (7400 for 7.4), and whether the file is ASCII; or the
 * reason it is not an FBX 7 file.
 */
export function fbxVersion(head: Buffer): { version: number; ascii: boolean } {
  const ascii = ASCII_HEAD.exec(head.toString('latin1', 0, FBX_HEAD_BYTES));
  let version: number;
  if (ascii) version = Number(ascii[1]) * 1000 + Number(ascii[2]) * 100 + Number(ascii[3]);
  else {
    if (head.length < HEADER_BYTES) throw new Error('the file is too short to hold an FBX header');
    if (head.toString('latin1', 0, MAGIC.length) !== MAGIC)
      throw new Error('it does not start with "Kaydara FBX Binary" or "; FBX"');
    version = head.readUInt32LE(23);
  }
  if (version < 7000) throw new Error(`it is FBX ${version}: only FBX 7.0 and later are read`);
  return { version, ascii: ascii !== null };
}

/** The facts of an FBX file's bytes, binary or ASCII. */
export function fbxFacts(bytes: Buffer): ModelFacts {
  const { version, ascii } = fbxVersion(bytes);
  const top = ascii
    ? readTextNodes(bytes.toString('utf8'))
    : readNodes(bytes, HEADER_BYTES, bytes.length, version >= 7500, 0);
  const objects = top.find((n) => n.name === 'Objects')?.children ?? [];
  let [meshes, vertices, triangles, materials, textures, animations] = [0, 0, 0, 0, 0, 0];
  const resources: string[] = [];
  for (const node of objects) {
    if (node.name === 'Geometry' && node.props[2] === 'Mesh') {
      meshes++;
      const positions = child(node, 'Vertices')?.props[0];
      if (isArray(positions)) vertices += Math.floor(positions.length / 3);
      const corners = child(node, 'PolygonVertexIndex')?.props[0];
      if (isArray(corners)) {
        const indices = int32s(corners);
        let polygons = 0;
        for (const index of indices) if (index < 0) polygons++;
        triangles += Math.max(0, indices.length - 2 * polygons);
      }
    } else if (node.name === 'Material') materials++;
    else if (node.name === 'AnimationStack') animations++;
    else if (node.name === 'Texture') textures++;
    else if (node.name === 'Video') {
      // An image not embedded (no Content) is looked for by the name after its last backslash,
      // as three.js's loader does (an artist's absolute Windows path: its file name).
      const content = child(node, 'Content')?.props[0];
      const file = (text(child(node, 'RelativeFilename')) || text(child(node, 'Filename'))).split('\\').pop();
      const inside = Buffer.isBuffer(content) && content.length > 0;
      if (file && !inside && !resources.includes(file)) resources.push(file);
    }
  }
  return { triangles, vertices, meshes, materials, textures, animations, resources };
}

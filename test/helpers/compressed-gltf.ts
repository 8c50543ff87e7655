/**
 * The cube of gltfCube (test/helpers/media.ts) as a GLB whose mesh is compressed as game-ready
 * glTF often is: its buffers by meshopt (EXT_meshopt_compression) or its mesh by Draco
 * (KHR_draco_mesh_compression), written with the reference encoders (npm meshoptimizer, draco3d).
 */
import draco3d from 'draco3d';
import { MeshoptEncoder } from 'meshoptimizer';
import { glbOf, gltfCube } from './media.js';

const padded = (bytes: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from(bytes), Buffer.alloc((4 - (bytes.length % 4)) % 4)]);

/** The cube's positions, normals and indices as gltfCube lays them out in its buffer. */
function cubeArrays(bin: Buffer): { positions: Float32Array; normals: Float32Array; indices: Uint16Array } {
  const copy = new Uint8Array(bin); // (aligned)
  return {
    positions: new Float32Array(copy.buffer, 0, 72),
    normals: new Float32Array(copy.buffer, 288, 72),
    indices: new Uint16Array(copy.buffer, 576, 36),
  };
}

export async function makeCompressedGlb(
  compression: 'meshopt' | 'draco',
  color: [number, number, number],
): Promise<Buffer> {
  const { json, bin } = gltfCube({ color });
  const { positions, normals, indices } = cubeArrays(bin);
  if (compression === 'meshopt') {
    await MeshoptEncoder.ready;
    // (Vertex codec version 0: the one EXT_meshopt_compression specifies.)
    const parts = [
      {
        data: MeshoptEncoder.encodeVertexBufferLevel(new Uint8Array(positions.buffer, 0, 288), 24, 12, 2, 0),
        stride: 12,
        count: 24,
        mode: 'ATTRIBUTES',
      },
      {
        data: MeshoptEncoder.encodeVertexBufferLevel(new Uint8Array(normals.buffer, 288, 288), 24, 12, 2, 0),
        stride: 12,
        count: 24,
        mode: 'ATTRIBUTES',
      },
      {
        data: MeshoptEncoder.encodeIndexBuffer(new Uint8Array(indices.buffer, 576, 72), 36, 2),
        stride: 2,
        count: 36,
        mode: 'TRIANGLES',
      },
    ].map((part) => ({ ...part, length: part.data.length, data: padded(part.data) }));
    const offsets = parts.map((_, i) => parts.slice(0, i).reduce((sum, p) => sum + p.data.length, 0));
    const views = json.bufferViews as Array<Record<string, unknown>>;
    parts.forEach((part, i) => {
      views[i] = {
        ...views[i],
        buffer: 1,
        extensions: {
          EXT_meshopt_compression: {
            buffer: 0,
            byteOffset: offsets[i],
            byteLength: part.length, // (the stream itself: the decoder reads it to its end)
            byteStride: part.stride,
            count: part.count,
            mode: part.mode,
          },
        },
      };
    });
    const compressed = Buffer.concat(parts.map((p) => p.data));
    json.buffers = [
      { byteLength: compressed.length },
      { byteLength: bin.length, extensions: { EXT_meshopt_compression: { fallback: true } } },
    ];
    json.extensionsUsed = ['EXT_meshopt_compression'];
    json.extensionsRequired = ['EXT_meshopt_compression'];
    return glbOf(json, compressed);
  }
  const draco = await draco3d.createEncoderModule({});
  const encoder = new draco.Encoder();
  const builder = new draco.MeshBuilder();
  const mesh = new draco.Mesh();
  builder.AddFacesToMesh(mesh, 12, Uint32Array.from(indices));
  const position = builder.AddFloatAttributeToMesh(mesh, draco.POSITION, 24, 3, positions);
  const normal = builder.AddFloatAttributeToMesh(mesh, draco.NORMAL, 24, 3, normals);
  const out = new draco.DracoInt8Array();
  const length = encoder.EncodeMeshToDracoBuffer(mesh, out);
  const encoded = padded(Uint8Array.from({ length }, (_, i) => out.GetValue(i) & 0xff));
  for (const object of [out, mesh, builder, encoder]) draco.destroy(object);
  const meshes = json.meshes as Array<{ primitives: Array<Record<string, unknown>> }>;
  meshes[0]!.primitives[0]!.extensions = {
    KHR_draco_mesh_compression: { bufferView: 0, attributes: { POSITION: position, NORMAL: normal } },
  };
  json.accessors = (json.accessors as Array<Record<string, unknown>>).map(
    ({ bufferView: _, ...accessor }) => accessor,
  );
  json.bufferViews = [{ buffer: 0, byteOffset: 0, byteLength: encoded.length }];
  json.buffers = [{ byteLength: encoded.length }];
  json.extensionsUsed = ['KHR_draco_mesh_compression'];
  json.extensionsRequired = ['KHR_draco_mesh_compression'];
  return glbOf(json, encoded);
}

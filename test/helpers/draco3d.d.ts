// The part of draco3d's encoder (npm draco3d, no types of its own) the tests use to write
// Draco-compressed glTF meshes (test/helpers/compressed-gltf.ts).
declare module 'draco3d' {
  interface DracoInt8Array {
    size(): number;
    GetValue(index: number): number;
  }
  interface EncoderModule {
    POSITION: number;
    NORMAL: number;
    Encoder: new () => { EncodeMeshToDracoBuffer(mesh: object, out: DracoInt8Array): number };
    MeshBuilder: new () => {
      AddFacesToMesh(mesh: object, faces: number, indices: Uint32Array): boolean;
      AddFloatAttributeToMesh(
        mesh: object,
        attribute: number,
        count: number,
        size: number,
        values: Float32Array,
      ): number;
    };
    Mesh: new () => object;
    DracoInt8Array: new () => DracoInt8Array;
    destroy(object: object): void;
  }
  const draco3d: { createEncoderModule(options: object): Promise<EncoderModule> };
  export default draco3d;
}

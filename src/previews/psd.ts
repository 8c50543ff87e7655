/**
 * A Photoshop file's merged image without its layers, read by seeking: a layered illustration is
 * mostly its layers (a 1.5 GB PSD may merge into 60 MB), and ag-psd reads from one buffer, so the
 * whole file was read into memory to preview it, and files over 1 GiB were not previewed at all.
 * Only the header, the colour mode data and the merged image data are read (PSD/PSB file format,
 * "File header" to "Image data" sections); the image resources and the layer and mask section are
 * skipped by their lengths, and a PSD of those parts alone is handed to ag-psd.
 *
 * One thing the layers say matters to the merged image: a negative layer count means its first
 * alpha channel is the transparency of the merged result (ag-psd then takes the white matte out of
 * its edges). A one-layer section with an empty layer and that sign is written in its place.
 */
import fs from 'node:fs/promises';

const refuse = (why: string): Error => new Error(`not a readable PSD image: ${why}`);

/**
 * The layer and mask section of a PSD whose merged image has transparency (a negative count):
 * one layer, no pixels, no channels, "normal" blending, no name.
 */
function transparentMergeSection(large: boolean): Buffer {
  const record = Buffer.alloc(46);
  // bounds (16) and channel count (2) are zeros
  record.write('8BIMnorm', 18, 'latin1');
  record.writeUInt8(255, 26); // opacity; clipping, flags, filler 0
  record.writeUInt32BE(12, 30); // extra data: no mask (4), no blending ranges (4), empty name (4)
  const lengths = large ? 8 : 4;
  const info = Buffer.alloc(2 + record.length);
  info.writeInt16BE(-1, 0);
  record.copy(info, 2);
  const section = Buffer.alloc(lengths + lengths + info.length + 4); // + global mask info: none
  const put = (at: number, n: number): void => {
    if (large) section.writeBigUInt64BE(BigInt(n), at);
    else section.writeUInt32BE(n, at);
  };
  put(0, section.length - lengths);
  put(lengths, info.length);
  info.copy(section, 2 * lengths);
  return section;
}

/**
 * The file as a PSD of its header, colour mode data and merged image alone (see above). Refuses a
 * merged image of more than `maxBytes` bytes, and a file whose sections run past its end.
 */
export async function psdWithoutLayers(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const read = async (at: number, length: number): Promise<Buffer> => {
      if (at + length > size) throw refuse('it is cut short');
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, at);
      if (bytesRead < length) throw refuse('it is cut short');
      return buffer;
    };
    const header = await read(0, 26);
    if (header.toString('latin1', 0, 4) !== '8BPS') throw refuse('it does not start with "8BPS"');
    const large = header.readUInt16BE(4) === 2; // PSB: 8-byte lengths in the layer section
    const colorModeLength = (await read(26, 4)).readUInt32BE(0);
    const colorMode = await read(26, 4 + colorModeLength);
    const resourcesAt = 30 + colorModeLength;
    const layersAt = resourcesAt + 4 + (await read(resourcesAt, 4)).readUInt32BE(0);
    const lengths = large ? 8 : 4;
    const lengthAt = async (at: number): Promise<number> => {
      const bytes = await read(at, lengths);
      return large ? Number(bytes.readBigUInt64BE(0)) : bytes.readUInt32BE(0);
    };
    const layersLength = await lengthAt(layersAt);
    // The layer count's sign, when there is a layer info part with a count in it.
    const transparentMerge =
      layersLength >= lengths + 2 &&
      (await lengthAt(layersAt + lengths)) >= 2 &&
      (await read(layersAt + 2 * lengths, 2)).readInt16BE(0) < 0;
    const imageAt = layersAt + lengths + layersLength;
    if (imageAt + 2 > size) throw refuse('it is cut short before its merged image');
    const imageLength = size - imageAt;
    if (imageLength > maxBytes)
      throw refuse(`its merged image is ${imageLength} bytes, more than the ${maxBytes} previewed`);
    return Buffer.concat([
      header,
      colorMode,
      Buffer.alloc(4), // no image resources
      transparentMerge ? transparentMergeSection(large) : Buffer.alloc(lengths), // no layers
      await read(imageAt, imageLength),
    ]);
  } finally {
    await handle.close();
  }
}

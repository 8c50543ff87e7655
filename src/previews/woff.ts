/**
 * WOFF 1.0 to a plain TrueType/OpenType font, with Node's zlib, before fontkit sees it: fontkit
 * inflates WOFF tables with tiny-inflate, which loops for good on a table cut short (a font file
 * copied halfway spun a preview thread until its deadline). zlib refuses such data instead, and
 * every table is checked to lie inside the file first. (WOFF 1.0 spec, §4-5.)
 */
import zlib from 'node:zlib';

const HEADER = 44;
const ENTRY = 20;

export const isWoff = (bytes: Buffer): boolean =>
  bytes.length >= 4 && bytes.toString('latin1', 0, 4) === 'wOFF';

const refuse = (why: string): Error => new Error(`not a readable WOFF font: ${why}`);

/** The sfnt (TTF/OTF) the WOFF file wraps; throws a readable error for a damaged file. */
export function woffToSfnt(bytes: Buffer, maxBytes: number): Buffer {
  if (bytes.length < HEADER) throw refuse('the file is shorter than its header');
  const flavor = bytes.readUInt32BE(4);
  const count = bytes.readUInt16BE(12);
  if (!count) throw refuse('it has no tables');
  if (HEADER + count * ENTRY > bytes.length)
    throw refuse('the table directory runs past the end of the file');
  const tables: Array<{ tag: number; checksum: number; data: Buffer }> = [];
  let total = 12 + 16 * count;
  for (let i = 0; i < count; i++) {
    const at = HEADER + i * ENTRY;
    const tag = bytes.readUInt32BE(at);
    const name = bytes.toString('latin1', at, at + 4);
    const offset = bytes.readUInt32BE(at + 4);
    const compLength = bytes.readUInt32BE(at + 8);
    const origLength = bytes.readUInt32BE(at + 12);
    if (offset + compLength > bytes.length)
      throw refuse(`its ${name} table ends past the end of the file (cut short?)`);
    if (compLength > origLength) throw refuse(`its ${name} table is longer compressed than whole`);
    total += origLength + ((4 - (origLength % 4)) % 4);
    if (total > maxBytes) throw refuse(`its tables add up to more than ${maxBytes} bytes`);
    const stored = bytes.subarray(offset, offset + compLength);
    let data = stored;
    if (compLength < origLength) {
      try {
        data = zlib.inflateSync(stored, { maxOutputLength: origLength });
      } catch {
        throw refuse(`its ${name} table does not decompress`);
      }
      if (data.length !== origLength) throw refuse(`its ${name} table decompresses to the wrong size`);
    }
    tables.push({ tag, checksum: bytes.readUInt32BE(at + 16), data });
  }
  // The sfnt offset table, a record per table (in the directory's order, which WOFF keeps sorted
  // by tag), then the tables, each padded to four bytes.
  const out = Buffer.alloc(total);
  const power = 2 ** Math.floor(Math.log2(count));
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(count, 4);
  out.writeUInt16BE(power * 16, 6);
  out.writeUInt16BE(Math.log2(power), 8);
  out.writeUInt16BE(count * 16 - power * 16, 10);
  let offset = 12 + 16 * count;
  tables.forEach(({ tag, checksum, data }, i) => {
    const record = 12 + 16 * i;
    out.writeUInt32BE(tag, record);
    out.writeUInt32BE(checksum, record + 4);
    out.writeUInt32BE(offset, record + 8);
    out.writeUInt32BE(data.length, record + 12);
    data.copy(out, offset);
    offset += data.length + ((4 - (data.length % 4)) % 4);
  });
  return out;
}

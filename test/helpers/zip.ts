/**
 * Reading back the zips the product writes (exports), with the same reader it uses for documents;
 * writing zips to import.
 */
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { zipEntries } from '../../src/files/zip-entries.js';

/** Every entry of a zip: name → bytes and modification time. */
export async function unzip(zip: Buffer): Promise<Map<string, { bytes: Buffer; mtime: Date }>> {
  const archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const entries = new Map<string, { bytes: Buffer; mtime: Date }>();
  for await (const entry of zipEntries(archive)) {
    const chunks: Buffer[] = [];
    for await (const chunk of await archive.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    // yauzl does not check checksums; an unzip tool would refuse a wrong one.
    if (zlib.crc32(bytes) !== entry.crc32) throw new Error(`${entry.fileName}: its CRC-32 does not match`);
    entries.set(entry.fileName, { bytes, mtime: entry.getLastModDate() });
  }
  return entries;
}

/** A zip of these entries (yazl), optionally with names patched afterwards to ones yazl refuses. */
export function makeZip(
  entries: Array<[string, string | Buffer]>,
  patch?: [string, string],
): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(Buffer.from(data), name);
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => {
        let bytes = Buffer.concat(chunks);
        if (patch) bytes = Buffer.from(bytes.toString('latin1').replaceAll(patch[0], patch[1]), 'latin1');
        resolve(bytes);
      })
      .on('error', reject);
  });
}

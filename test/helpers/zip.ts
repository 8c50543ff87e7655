/** Reading back the zips the product writes (exports), with the same reader it uses for documents. */
import zlib from 'node:zlib';
import yauzl from 'yauzl';
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

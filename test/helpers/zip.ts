/** Reading back the zips the product writes (exports), with the same reader it uses for documents. */
import yauzl from 'yauzl';
import { zipEntries } from '../../src/files/zip-entries.js';

/** Every entry of a zip: name → bytes and modification time. */
export async function unzip(zip: Buffer): Promise<Map<string, { bytes: Buffer; mtime: Date }>> {
  const archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const entries = new Map<string, { bytes: Buffer; mtime: Date }>();
  for await (const entry of zipEntries(archive)) {
    const chunks: Buffer[] = [];
    for await (const chunk of await archive.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.set(entry.fileName, { bytes: Buffer.concat(chunks), mtime: entry.getLastModDate() });
  }
  return entries;
}

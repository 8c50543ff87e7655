/**
 * Krita (.kra) and OpenRaster (.ora) documents, the painting sources an art folder keeps beside
 * its exports: zip archives holding a flattened `mergedimage.png` of the whole canvas, stored for
 * viewers and file managers. Only that entry is read (through the archive's central directory,
 * never the layers), and the thumbnail worker resizes it like any PNG. Worker side only.
 */
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { readAll } from '../files/read-all.js';
import { zipEntries } from '../files/zip-entries.js';

/** Extensions (lowercase, with the dot) previewed from their flattened picture. */
export const LAYERED_DOCUMENT_EXTS: ReadonlySet<string> = new Set(['.kra', '.ora']);

const FORMAT_NAMES: Record<string, string> = { '.kra': 'Krita', '.ora': 'OpenRaster' };
const MERGED_IMAGE = 'mergedimage.png';

/**
 * The PNG bytes of a document's flattened picture. Refuses an entry that would inflate to more
 * than `maxBytes` (its size is checked as it inflates too: a zip may lie about it).
 */
export async function mergedImageOf(file: string, ext: string, maxBytes: number): Promise<Buffer> {
  const name = FORMAT_NAMES[ext] ?? ext;
  let zip: ZipFile | undefined;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
    let entry: Entry | undefined;
    for await (const candidate of zipEntries(zip))
      if (candidate.fileName === MERGED_IMAGE) {
        entry = candidate;
        break;
      }
    if (!entry) throw new Error(`it holds no ${MERGED_IMAGE}, the flattened picture to preview`);
    if (entry.uncompressedSize > maxBytes)
      throw new Error(
        `its ${MERGED_IMAGE} is ${entry.uncompressedSize} bytes, more than the ${maxBytes} previewed`,
      );
    return await readAll(await zip.openReadStreamPromise(entry));
  } catch (err) {
    throw new Error(`not a readable ${name} document: ${(err as Error).message}`);
  } finally {
    zip?.close();
  }
}

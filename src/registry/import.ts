/**
 * A zip of assets unpacked into the assets root and registered: the other half of an export
 * (a pack from a contractor, another project, a modder). Files land under `dest` at their paths
 * in the archive; sidecars in it (`<file>.asset.json`) come along, so the rebuild that registers
 * the new files takes their metadata. Nothing already under the root is overwritten: a file
 * there is reported as `existing` and left as it is (with its sidecar). Hidden files, OS junk
 * and `_meta` are left out as a rebuild leaves them. The whole archive's names are checked
 * before anything is written (a name leading out of the root refuses it whole).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry } from 'yauzl';
import { isSkippedName } from '../domain/asset-paths.js';
import { SIDECAR_SUFFIX } from '../domain/asset.js';
import { AppError, badRequest, errorMessage } from '../domain/errors.js';
import { tempPathFor } from '../files/atomic-write.js';
import { moveFileNoReplace } from '../files/move-file.js';
import { statIfThere } from '../files/if-there.js';
import { cleanRelativePath, notAFolder, resolveUnder } from '../files/safe-path.js';
import { zipEntries } from '../files/zip-entries.js';
import type { AssetRegistry } from './registry.js';

/** An archive that would unpack to more than this is refused before anything is written. */
export const MAX_IMPORT_BYTES = 64 * 1024 ** 3;
const MAX_IMPORT_FILES = 100_000;

export interface ImportReport {
  /** The assets registered from the archive (new, or an existing asset's bytes at a new path). */
  imported: Array<{ id: string; path: string }>;
  /** Paths in the archive where a file is already: left as they are. */
  existing: string[];
  /** Entries left out, and why. */
  skipped: Array<{ name: string; reason: string }>;
  bytes: number;
  /** The change recorded, to undo the import (its files go to the trash); null when nothing was imported. */
  change_id: number | null;
}

/** Where an import is: unpacking the archive's files, then registering those it wrote. */
export interface ImportProgress {
  phase: 'unpacking' | 'registering';
  files_done: number;
  files_total: number;
}

interface Planned {
  entry: Entry;
  rel: string;
  abs: string;
}

/** Why an entry is not unpacked, or undefined when it is. */
function leftOut(rel: string): string | undefined {
  const segments = rel.split('/');
  if (segments.some(isSkippedName)) return 'a hidden or system file';
  if (segments.includes('_meta')) return "the registry's own _meta folder";
  return undefined;
}

export async function importZip(
  registry: AssetRegistry,
  zipFile: string,
  dest: string,
  onProgress?: (progress: ImportProgress) => void,
): Promise<ImportReport> {
  const root = registry.context.paths.assetsRoot;
  const destRel = dest.trim() ? cleanRelativePath(dest, 'dest') : '';
  // A destination that is a file, or under one, can hold nothing: refused before any entry.
  if (destRel) {
    const { abs } = resolveUnder(root, destRel, 'dest');
    if (statIfThere(abs)?.isDirectory() === false) throw notAFolder(`dest ${destRel} is a file`);
  }
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipFile, { lazyEntries: true, autoClose: false });
  } catch (err) {
    throw badRequest(`The file is not a readable zip archive: ${(err as Error).message}.`);
  }
  try {
    const report: ImportReport = { imported: [], existing: [], skipped: [], bytes: 0, change_id: null };
    const files: Planned[] = [];
    const sidecars = new Map<string, Planned>();
    let total = 0;
    try {
      for await (const entry of zipEntries(zip)) {
        if (entry.fileName.endsWith('/')) continue;
        const rel = cleanRelativePath(
          destRel ? `${destRel}/${entry.fileName}` : entry.fileName,
          'a name in the archive',
        );
        const reason = leftOut(rel);
        if (reason) {
          report.skipped.push({ name: entry.fileName, reason });
          continue;
        }
        let abs: string;
        try {
          abs = resolveUnder(root, rel, 'a name in the archive').abs;
        } catch (err) {
          // A name leading out of the root refuses the archive; one that cannot be placed (a
          // folder of it is a file here) is left out.
          if (err instanceof AppError && err.code !== 'not_a_folder') throw err;
          report.skipped.push({ name: entry.fileName, reason: `not written: ${(err as Error).message}` });
          continue;
        }
        const planned = { entry, rel, abs };
        if (rel.endsWith(SIDECAR_SUFFIX)) sidecars.set(rel.slice(0, -SIDECAR_SUFFIX.length), planned);
        else files.push(planned);
        total += entry.uncompressedSize;
      }
    } catch (err) {
      throw badRequest(`The archive cannot be imported: ${(err as Error).message}. Nothing was written.`);
    }
    if (files.length > MAX_IMPORT_FILES)
      throw badRequest(
        `The archive holds ${files.length} files, more than ${MAX_IMPORT_FILES}: import it in parts.`,
      );
    if (total > MAX_IMPORT_BYTES)
      throw badRequest(
        `The archive would unpack to ${total} bytes, more than ${MAX_IMPORT_BYTES}. Nothing was written.`,
      );

    const written: string[] = [];
    let done = 0;
    const unpack = async ({ entry, abs }: Planned): Promise<boolean> => {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      // (A temp name the rebuild's sweep removes if this process is killed while it unpacks.)
      const temp = tempPathFor(abs);
      try {
        await pipeline(await zip.openReadStreamPromise(entry), fs.createWriteStream(temp, { flags: 'wx' }));
        fs.utimesSync(temp, entry.getLastModDate(), entry.getLastModDate());
        moveFileNoReplace(temp, abs);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      } finally {
        fs.rmSync(temp, { force: true });
      }
    };
    const inArchive = new Set(files.map((f) => f.rel));
    for (const [rel, sidecar] of sidecars)
      if (!inArchive.has(rel))
        report.skipped.push({ name: sidecar.entry.fileName, reason: 'a sidecar without its file' });
    const unpacking = (filesDone: number): void =>
      onProgress?.({ phase: 'unpacking', files_done: filesDone, files_total: files.length });
    for (const file of files) {
      unpacking(done++);
      let unpacked: boolean;
      try {
        // A file there already stays, and so does its sidecar.
        unpacked = !fs.existsSync(file.abs) && (await unpack(file));
      } catch (err) {
        // A folder of the archive that is a file here, a full disk: this one is left out.
        report.skipped.push({ name: file.entry.fileName, reason: `not written: ${errorMessage(err)}` });
        continue;
      }
      if (!unpacked) {
        report.existing.push(file.rel);
        continue;
      }
      written.push(file.rel);
      registry.filePlaced(file.rel);
      report.bytes += file.entry.uncompressedSize;
      const sidecar = sidecars.get(file.rel);
      // Without it the file is registered with path-derived metadata, as a rebuild would.
      if (sidecar && !fs.existsSync(sidecar.abs)) await unpack(sidecar).catch(() => false);
    }
    unpacking(files.length);
    if (written.length) {
      const registering = (filesDone: number): void =>
        onProgress?.({ phase: 'registering', files_done: filesDone, files_total: written.length });
      registering(0);
      await registry.rebuild({
        paths: written,
        removeStale: false,
        waitForThumbs: false,
        onProgress: (p) => registering(p.files_done),
      });
      registering(written.length);
      for (const rel of written) {
        const record = registry.atPath(rel);
        if (record) report.imported.push({ id: record.uid, path: rel });
        else report.skipped.push({ name: rel, reason: 'unpacked, but the rebuild did not register it' });
      }
      const name = path.basename(zipFile);
      report.change_id = registry.recordImport(
        `Import ${name}${destRel ? ` into ${destRel}` : ''}`,
        report.imported.map((i) => i.id),
      );
    }
    return report;
  } finally {
    zip.close();
  }
}

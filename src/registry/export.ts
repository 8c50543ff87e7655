/**
 * A selection of assets as one zip: each file at its path under the assets root (so the archive
 * unpacks into the same folders, and a rebuild there registers it, metadata and all), with its
 * sidecar unless left out. Entries are stored, not deflated: pictures and sounds are
 * compressed already, and a stored archive's size is known before its first byte (the browser
 * shows real progress; the CLI a bar). Files are read as the archive is written, one at a time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import yazl from 'yazl';
import { sidecarRelPath, type AssetRecord } from '../domain/asset.js';
import { AppError } from '../domain/errors.js';
import { isJsonObject, parseJsonText, stringsIn } from '../domain/json.js';
import { jsonText } from '../files/atomic-write.js';
import { isInside, realpathLoose } from '../files/safe-path.js';
import { relatedPath } from '../previews/gltf.js';
import type { AssetRegistry } from './registry.js';
import { statIfThere } from '../files/if-there.js';

interface PlannedFile {
  /** Its asset's id; '' for a file a model names that is no asset (sent without a sidecar). */
  id: string;
  path: string;
  abs: string;
  bytes: number;
  mtime: Date;
  /**
   * The sidecar's bytes, read when planned: the registry rewrites a sidecar whenever its asset
   * changes (a preview made, an edit), and a file that changes while the archive is written cuts
   * the download, so sidecars are sent as they were then. (~1 KB each: 100 MB for 100,000.)
   */
  sidecar?: Buffer;
}

export interface ExportPlan {
  files: PlannedFile[];
  /** The files' bytes (sidecars not counted). */
  bytes: number;
  /** Ids no asset of the project has. */
  unknown: string[];
  /** Assets whose file is not on disk (or is not a file under the root): left out. */
  missing: Array<{ id: string; path: string }>;
  /**
   * Files added because a model among them names them (a `.gltf`'s buffers and textures, an
   * OBJ's material libraries, an FBX's images): the model would not load where the zip is
   * unpacked without them.
   */
  resources: string[];
}

/**
 * Files are looked at this many at a time, with synchronous calls (a few microseconds each for
 * metadata in the cache, against tens for the thread pool's hand-offs: 2,000 files took 150-370
 * ms), the event loop let go between batches (~5 ms each): 100,000 do not stall the server.
 */
const PLAN_BATCH = 256;

/** The real path of a file under `root`, and its stat; undefined when it is not one (a link out included). */
function fileUnder(root: string, abs: string): { real: string; stat: fs.Stats } | undefined {
  let real: string;
  try {
    real = fs.realpathSync.native(abs);
  } catch {
    return undefined;
  }
  if (!isInside(root, real)) return undefined;
  const stat = statIfThere(real);
  return stat?.isFile() ? { real, stat } : undefined;
}

/**
 * The sidecar on disk when it reads as a JSON object: a rebuild where the archive is unpacked
 * takes its hand edits, as one here would. Missing or broken: the registry's own.
 */
function sidecarBytes(registry: AssetRegistry, record: AssetRecord, root: string): Buffer {
  const file = fileUnder(root, registry.sidecarPath(record));
  try {
    const bytes = file && fs.readFileSync(file.real);
    if (bytes && isJsonObject(parseJsonText(bytes.toString('utf8')))) return bytes;
  } catch {
    // Unreadable or not JSON: the registry's sidecar instead.
  }
  return Buffer.from(jsonText(registry.sidecarDocument(record)));
}

/** What an export of these ids holds, from the registry and the disk as they are now. */
export async function planExport(
  registry: AssetRegistry,
  ids: readonly string[],
  options: { sidecars: boolean },
): Promise<ExportPlan> {
  const unique = [...new Set(ids)];
  const records = registry.getMany(unique);
  const found = new Set(records.map((r) => r.uid));
  const plan: ExportPlan = {
    files: [],
    bytes: 0,
    unknown: unique.filter((id) => !found.has(id)),
    missing: [],
    resources: [],
  };
  const root = realpathLoose(registry.context.paths.assetsRoot);
  for (let i = 0; i < records.length; i += PLAN_BATCH) {
    if (i) await new Promise(setImmediate);
    for (const record of records.slice(i, i + PLAN_BATCH)) {
      const file = fileUnder(root, registry.absolutePath(record));
      if (!file) {
        plan.missing.push({ id: record.uid, path: record.path });
        continue;
      }
      plan.files.push({
        id: record.uid,
        path: record.path,
        abs: file.real,
        bytes: file.stat.size,
        mtime: file.stat.mtime,
        sidecar: options.sidecars ? sidecarBytes(registry, record, root) : undefined,
      });
      plan.bytes += file.stat.size;
    }
  }
  addModelResources(registry, records, plan, root, options);
  return plan;
}

/**
 * Adds the files the models of the plan name, found beside them under the root (as their facts
 * last read them: those missing then are not looked for), once each: an asset's with its
 * sidecar, another file alone.
 */
function addModelResources(
  registry: AssetRegistry,
  records: readonly AssetRecord[],
  plan: ExportPlan,
  root: string,
  options: { sidecars: boolean },
): void {
  const inPlan = new Set(plan.files.map((f) => f.path));
  for (const record of records) {
    const preview = record.meta.preview;
    if (!inPlan.has(record.path) || !isJsonObject(preview) || preview.kind !== 'model') continue;
    const missing = new Set(stringsIn(preview.missing));
    for (const uri of stringsIn(preview.resources)) {
      const rel = missing.has(uri) ? undefined : relatedPath(record.path, uri);
      if (rel === undefined || inPlan.has(rel)) continue;
      const file = fileUnder(root, path.join(root, rel));
      if (!file) continue;
      inPlan.add(rel);
      const asset = registry.atPath(rel);
      plan.files.push({
        id: asset?.uid ?? '',
        path: rel,
        abs: file.real,
        bytes: file.stat.size,
        mtime: file.stat.mtime,
        sidecar: options.sidecars && asset ? sidecarBytes(registry, asset, root) : undefined,
      });
      plan.bytes += file.stat.size;
      plan.resources.push(rel);
    }
  }
}

/** The error for a plan without a file: the files are gone from disk, or the ids are no assets. */
export function nothingToExport(plan: ExportPlan, asked: number, projectId: string): AppError {
  const shown = plan.missing.slice(0, 5).map((m) => m.path);
  return new AppError(
    404,
    'nothing_to_export',
    plan.missing.length
      ? `None of the files is on disk (${shown.join(', ')}${plan.missing.length > 5 ? ', …' : ''}): ` +
          'put them back, or run a rebuild to bring the registry in line with the disk.'
      : `None of the ${asked} ids is an asset of project ${projectId}.`,
  );
}

export interface ExportArchive {
  stream: Readable;
  /** The archive's exact size in bytes. */
  size: Promise<number>;
}

const STORED = { compress: false, mode: 0o100644 } as const;

// yazl checksums every byte with buffer-crc32, a table loop in JavaScript (~0.4 GB/s here: an
// export of 1 GB spent 2.4 s of its 7 s in it); zlib's crc32 (Node 20.15+, native) computes the
// same function at ~4.5 GB/s. yazl calls `crc32.unsigned(chunk, previous)` on the CommonJS
// module it requires, the one required here, so the faster one is put in its place. Should yazl
// ever get a copy of its own, it keeps its loop (slower, still right); the export tests check
// every entry's checksum.
const bufferCrc32 = createRequire(import.meta.url)('buffer-crc32') as {
  unsigned: (input: Buffer, previous?: number) => number;
};
bufferCrc32.unsigned = (input, previous = 0) => zlib.crc32(input, previous);

/**
 * The archive of a plan, as a stream. Each file is opened when its turn comes, and one whose size
 * changed since it was planned fails the stream (an archive with a cut file would unpack wrong);
 * `onFile` follows the files' bytes.
 */
export function exportArchive(
  plan: ExportPlan,
  onFile?: (done: number, bytes: number) => void,
): ExportArchive {
  const zip = new yazl.ZipFile();
  let done = 0;
  let bytes = 0;
  // The file being read: closed with the archive when a download is given up half-way (yazl
  // would leave it open, one descriptor per aborted download).
  const reading = new Set<fs.ReadStream>();
  for (const file of plan.files) {
    zip.addReadStreamLazy(file.path, { ...STORED, mtime: file.mtime, size: file.bytes }, (cb) => {
      const stream = fs.createReadStream(file.abs);
      reading.add(stream);
      stream.on('close', () => reading.delete(stream));
      stream.on('end', () => onFile?.(++done, (bytes += file.bytes)));
      cb(null, stream);
    });
    if (file.sidecar)
      zip.addBuffer(file.sidecar, sidecarRelPath(file.path), { ...STORED, mtime: file.mtime });
  }
  // @types/yazl gives end's callback no argument; yazl passes the archive's size.
  const end = zip as unknown as { end(options: object, sized: (size: number) => void): void };
  // yazl 3.3 counts the ZIP64 end records in its size once the central directory passes 64 KB
  // but writes them only past 4 GB: 76 bytes short of the Content-Length, every client saw a cut
  // download. Always writing them (every unzip tool of this century reads them) keeps both equal.
  const size = new Promise<number>((resolve) => end.end({ forceZip64Format: true }, resolve));
  const stream = zip.outputStream as unknown as Readable;
  // yazl reports a failed read on the zip object; the stream is what callers hold.
  zip.on('error', (err: Error) => stream.destroy(err));
  stream.on('close', () => {
    for (const file of reading) file.destroy();
  });
  return { stream, size };
}

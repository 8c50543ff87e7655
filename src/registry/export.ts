/**
 * A selection of assets as one zip: each file at its path under the assets root (so the archive
 * unpacks into the same folders, and a rebuild there registers it, metadata and all), with its
 * sidecar unless left out. Entries are stored, not deflated: pictures and sounds are
 * compressed already, and a stored archive's size is known before its first byte (the browser
 * shows real progress; the CLI a bar). Files are read as the archive is written, one at a time.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { sidecarRelPath, type AssetRecord } from '../domain/asset.js';
import { AppError } from '../domain/errors.js';
import { isJsonObject, parseJsonText } from '../domain/json.js';
import { jsonText } from '../files/atomic-write.js';
import { isInside, realpathLoose } from '../files/safe-path.js';
import type { AssetRegistry } from './registry.js';

/** A sidecar as it is on disk (the user's hand edits included), or as the registry writes it. */
type PlannedSidecar = { abs: string; bytes: number; mtime: Date } | { data: Buffer };

interface PlannedFile {
  id: string;
  path: string;
  abs: string;
  bytes: number;
  mtime: Date;
  sidecar?: PlannedSidecar;
}

export interface ExportPlan {
  files: PlannedFile[];
  /** The files' bytes (sidecars not counted). */
  bytes: number;
  /** Ids no asset of the project has. */
  unknown: string[];
  /** Assets whose file is not on disk (or is not a file under the root): left out. */
  missing: Array<{ id: string; path: string }>;
}

/** Files are looked at this many at a time: a selection of 100,000 is planned without blocking the server. */
const PLAN_BATCH = 256;

/** The real path of a file under `root`, and its stat; undefined when it is not one (a link out included). */
async function fileUnder(root: string, abs: string): Promise<{ real: string; stat: fs.Stats } | undefined> {
  const real = await fsp.realpath(abs).catch(() => undefined);
  if (!real || !isInside(root, real)) return undefined;
  const stat = await fsp.stat(real).catch(() => undefined);
  return stat?.isFile() ? { real, stat } : undefined;
}

/**
 * The sidecar on disk when it reads as a JSON object: a rebuild where the archive is unpacked
 * takes its hand edits, as one here would. Missing or broken: the registry's own.
 */
async function plannedSidecar(
  registry: AssetRegistry,
  record: AssetRecord,
  root: string,
): Promise<PlannedSidecar> {
  const file = await fileUnder(root, registry.sidecarPath(record));
  const bytes = file && (await fsp.readFile(file.real).catch(() => undefined));
  if (file && bytes?.length === file.stat.size) {
    try {
      if (isJsonObject(parseJsonText(bytes.toString('utf8'))))
        return { abs: file.real, bytes: file.stat.size, mtime: file.stat.mtime };
    } catch {
      // Not JSON: the registry's sidecar instead.
    }
  }
  return { data: Buffer.from(jsonText(registry.sidecarDocument(record))) };
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
  };
  const root = realpathLoose(registry.context.paths.assetsRoot);
  const planFile = async (record: AssetRecord): Promise<PlannedFile | undefined> => {
    const file = await fileUnder(root, registry.absolutePath(record));
    if (!file) return undefined;
    const { real, stat } = file;
    const sidecar = options.sidecars ? await plannedSidecar(registry, record, root) : undefined;
    return { id: record.uid, path: record.path, abs: real, bytes: stat.size, mtime: stat.mtime, sidecar };
  };
  for (let i = 0; i < records.length; i += PLAN_BATCH) {
    const batch = records.slice(i, i + PLAN_BATCH);
    const planned = await Promise.all(batch.map(planFile));
    batch.forEach((record, j) => {
      const file = planned[j];
      if (!file) return plan.missing.push({ id: record.uid, path: record.path });
      plan.files.push(file);
      plan.bytes += file.bytes;
    });
  }
  return plan;
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

/**
 * The archive of a plan, as a stream. A file whose size changed since it was planned fails the
 * stream (an archive with a cut file would unpack wrong); `onFile` follows the files' bytes.
 */
const STORED = { compress: false, mode: 0o100644 } as const;

/** A file read when its turn comes; its size is checked as it is read. */
function addFile(
  zip: yazl.ZipFile,
  name: string,
  abs: string,
  size: number,
  mtime: Date,
  onEnd?: () => void,
): void {
  zip.addReadStreamLazy(name, { ...STORED, mtime, size }, (cb) => {
    const stream = fs.createReadStream(abs);
    if (onEnd) stream.on('end', onEnd);
    cb(null, stream);
  });
}

export function exportArchive(
  plan: ExportPlan,
  onFile?: (done: number, bytes: number) => void,
): ExportArchive {
  const zip = new yazl.ZipFile();
  let done = 0;
  let bytes = 0;
  for (const file of plan.files) {
    addFile(zip, file.path, file.abs, file.bytes, file.mtime, () => onFile?.(++done, (bytes += file.bytes)));
    const sidecar = file.sidecar;
    const sidecarPath = sidecarRelPath(file.path);
    if (sidecar && 'data' in sidecar)
      zip.addBuffer(sidecar.data, sidecarPath, { ...STORED, mtime: file.mtime });
    else if (sidecar) addFile(zip, sidecarPath, sidecar.abs, sidecar.bytes, sidecar.mtime);
  }
  // @types/yazl gives end's callback no argument; yazl passes the archive's size.
  const end = zip as unknown as { end(options: object, sized: (size: number) => void): void };
  const size = new Promise<number>((resolve) => end.end({}, resolve));
  const stream = zip.outputStream as unknown as Readable;
  // yazl reports a failed read on the zip object; the stream is what callers hold.
  zip.on('error', (err: Error) => stream.destroy(err));
  return { stream, size };
}

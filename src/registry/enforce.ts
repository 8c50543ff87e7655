/**
 * Enforce (reference §6, with its gaps closed): audit every asset's sidecar and metadata, and
 * repair in the direction asked. `overwrite` really rewrites existing sidecars (restoring a
 * hand-corrupted one), and `fill_metadata` works on its own (for every asset whose sidecar the
 * flags allow to be written).
 */
import fs from 'node:fs';
import { isJsonObject, parseJsonText, type JsonObject } from '../domain/json.js';
import {
  normaliseLicense,
  normaliseTags,
  pathDerivedTags,
  sameJson,
  userMetadata,
} from '../domain/metadata.js';
import type { AssetRecord } from '../domain/asset.js';
import { filesFound, isOrphanedSidecar, removeOrphanedSidecars } from './orphans.js';
import type { AssetRegistry } from './registry.js';
import { scanAssets } from './scan.js';

export interface EnforceOptions {
  fixMissing?: boolean;
  overwrite?: boolean;
  fillMetadata?: boolean;
  /** Move the orphaned sidecars (beside no file, named by no row) to the trash. */
  removeOrphans?: boolean;
  /** Hears how many assets are checked (of about `total`) after each chunk. */
  onProgress?: (checked: number, total: number) => void;
}

export interface EnforceReport {
  /** Still missing after this run, newest first. */
  missing_sidecars: string[];
  /** Written or rewritten by this run, sorted. */
  repaired_sidecars: string[];
  /** Still lacking tags and/or licence after this run, newest first. */
  metadata_missing: Array<{ uid: string; fields: Array<'tags' | 'license'> }>;
  metadata_fixed: string[];
  /** Sidecars that are not valid JSON objects (left as they are unless `overwrite`). */
  invalid_sidecars: Array<{ uid: string; error: string }>;
  /**
   * Sidecars that disagree with the registry (left as they are unless `overwrite`): the hash,
   * the tags, the licence, or the rest of the metadata (`meta`, edited by hand).
   */
  mismatched_sidecars: Array<{ uid: string; fields: Disagreement[] }>;
  /**
   * Assets whose file is not at their path (moved or deleted outside the registry): no sidecar
   * is written beside no file, nor their metadata filled. A rebuild finds where they went (or
   * removes them).
   */
  missing_files: string[];
  /** Sidecars beside no file still there after this run (rel paths under the assets root, sorted). */
  orphaned_sidecars: string[];
  /** Orphaned sidecars this run moved to the trash (`remove_orphans`), sorted. */
  removed_orphans: string[];
  /** The trash folder they went to (`.trash/<batch>`), or null. */
  orphans_trash: string | null;
  checked: number;
}

function missingFields(meta: JsonObject): Array<'tags' | 'license'> {
  const fields: Array<'tags' | 'license'> = [];
  if (!Array.isArray(meta.tags) || meta.tags.length === 0) fields.push('tags');
  if (typeof meta.license !== 'string' || !meta.license.trim()) fields.push('license');
  return fields;
}

type SidecarState =
  { state: 'missing' } | { state: 'invalid'; error: string } | { state: 'ok'; doc: JsonObject };

function readSidecar(file: string): SidecarState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { state: 'missing' };
  }
  try {
    const doc = parseJsonText(text);
    return isJsonObject(doc) ? { state: 'ok', doc } : { state: 'invalid', error: 'not a JSON object' };
  } catch (err) {
    return { state: 'invalid', error: (err as Error).message };
  }
}

type Disagreement = 'hash' | 'tags' | 'license' | 'metadata';

/** The user's metadata but the tags and licence (compared on their own). */
function otherMetadata(meta: JsonObject): JsonObject {
  const { tags: _tags, license: _license, ...rest } = userMetadata(meta);
  return rest;
}

function disagreements(record: AssetRecord, doc: JsonObject): Disagreement[] {
  const fields: Disagreement[] = [];
  if (doc.hash !== record.hash) fields.push('hash');
  const lower = (tags: string[]): string => JSON.stringify(tags.map((t) => t.toLowerCase()));
  if (lower(normaliseTags(doc.tags)) !== lower(normaliseTags(record.meta.tags))) fields.push('tags');
  if (normaliseLicense(doc.license ?? null) !== normaliseLicense(record.meta.license ?? null))
    fields.push('license');
  // Filling would rewrite such a sidecar from the row, and a title typed into it would be lost.
  if (!sameJson(otherMetadata(isJsonObject(doc.meta) ? doc.meta : {}), otherMetadata(record.meta)))
    fields.push('metadata');
  return fields;
}

const CHUNK = 128;

/**
 * Audits one asset into the report and commits its metadata fix when asked; returns the record
 * whose sidecar is to be (re)written, if any.
 */
function audit(
  registry: AssetRegistry,
  record: AssetRecord,
  options: EnforceOptions,
  report: EnforceReport,
): AssetRecord | undefined {
  report.checked++;
  if (!fs.existsSync(registry.absolutePath(record))) {
    report.missing_files.push(record.uid);
    return undefined;
  }
  const sidecar = readSidecar(registry.sidecarPath(record));
  let rewrite = false;
  // A sidecar the flags do not allow to be written (missing without fix_missing; unparseable or
  // disagreeing without overwrite) is left as it is, so its metadata is not filled either:
  // filling rewrites the sidecar.
  let leave = false;
  if (sidecar.state === 'missing') {
    if (options.fixMissing) rewrite = true;
    else {
      report.missing_sidecars.push(record.uid);
      leave = true;
    }
  } else if (sidecar.state === 'invalid') {
    if (options.overwrite) rewrite = true;
    else {
      report.invalid_sidecars.push({ uid: record.uid, error: sidecar.error });
      leave = true;
    }
  } else {
    const fields = disagreements(record, sidecar.doc);
    if (fields.length && options.overwrite) rewrite = true;
    else if (fields.length) {
      report.mismatched_sidecars.push({ uid: record.uid, fields });
      leave = true;
    }
  }

  let current = record;
  let write: AssetRecord | undefined;
  const lacking = missingFields(record.meta);
  if (lacking.length && options.fillMetadata && !leave) {
    const patch: JsonObject = {};
    if (lacking.includes('tags')) patch.tags = pathDerivedTags(record.path);
    if (lacking.includes('license')) patch.license = 'unknown';
    const updated = registry.commitMetadata(record.uid, patch);
    current = updated ?? registry.get(record.uid) ?? record;
    if (updated || rewrite) write = current; // filling rewrites the sidecar
    report.metadata_fixed.push(record.uid);
    if (rewrite) report.repaired_sidecars.push(record.uid);
  } else if (rewrite) {
    write = current;
    report.repaired_sidecars.push(record.uid);
  }
  const still = missingFields(current.meta);
  if (still.length) report.metadata_missing.push({ uid: record.uid, fields: still });
  return write;
}

/** Finds the sidecars beside no file under the assets root, and takes them away when asked. */
async function auditOrphans(
  registry: AssetRegistry,
  options: EnforceOptions,
  report: EnforceReport,
): Promise<void> {
  const { paths, pool } = registry.context;
  const root = paths.assetsRoot;
  const scan = await scanAssets(root, (dir, relDir) => pool.scanFolder(dir, relDir));
  const onDisk = filesFound(scan);
  const orphans = scan.sidecars.filter((rel) => isOrphanedSidecar(root, rel, onDisk)).sort();
  if (options.removeOrphans && orphans.length) {
    const { removed, trash } = await removeOrphanedSidecars(registry.context, orphans);
    report.removed_orphans = removed;
    report.orphans_trash = trash;
  }
  const gone = new Set(report.removed_orphans);
  report.orphaned_sidecars = orphans.filter((rel) => !gone.has(rel));
}

export async function enforceRegistry(
  registry: AssetRegistry,
  options: EnforceOptions = {},
): Promise<EnforceReport> {
  const report: EnforceReport = {
    missing_sidecars: [],
    repaired_sidecars: [],
    metadata_missing: [],
    metadata_fixed: [],
    invalid_sidecars: [],
    mismatched_sidecars: [],
    missing_files: [],
    orphaned_sidecars: [],
    removed_orphans: [],
    orphans_trash: null,
    checked: 0,
  };
  const { store } = registry.context;
  const total = store.assetCount(registry.projectId);
  // A page at a time (a million records are not held at once), newest first. Each chunk's
  // metadata fixes are committed in one transaction, then its sidecars are written together
  // with one durability barrier (as the rebuild's batches); the event loop runs between chunks.
  for (let before: number | undefined = Infinity; before !== undefined;) {
    const from = before;
    const uids = store.uidsBefore(registry.projectId, from, CHUNK);
    // A sidecar write of this process under way would show an older state: wait for it, then
    // read the page again, as it is now.
    await registry.settleSidecars(uids);
    const toWrite: AssetRecord[] = [];
    store.transaction(() => {
      const page = store.recordsBefore(registry.projectId, from, CHUNK);
      before = page.next;
      for (const record of page.records) {
        const written = audit(registry, record, options, report);
        if (written) toWrite.push(written);
      }
    });
    const errors = await registry.writeSidecars(toWrite, (record) => registry.announceUpdated(record));
    // A file taken away since it was audited: not repaired after all.
    const gone = new Set(toWrite.filter((_, i) => errors[i]?.code === 'file_missing').map((r) => r.uid));
    if (gone.size) {
      report.repaired_sidecars = report.repaired_sidecars.filter((uid) => !gone.has(uid));
      report.missing_files.push(...gone);
    }
    const failed = errors.find((error) => error !== undefined && error.code !== 'file_missing');
    if (failed) throw failed;
    options.onProgress?.(report.checked, Math.max(total, report.checked));
    await new Promise((resolve) => setImmediate(resolve));
  }
  report.repaired_sidecars.sort();
  report.metadata_fixed.sort();
  await auditOrphans(registry, options, report);
  return report;
}

/**
 * Orphaned sidecars: `<file>.asset.json` beside no file. A file deleted by hand without its
 * sidecar leaves one, and so does a file taken away by hand as the registry wrote its sidecar
 * (see ARCHITECTURE.md, "the live folder's stray sidecar"). The rebuild counts them; enforce
 * lists them and, asked to (`remove_orphans`), moves them into the trash, from where their batch can
 * be put back (a sidecar may hold the only copy of tags typed for a file since deleted).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SIDECAR_SUFFIX } from '../domain/asset.js';
import { AppError } from '../domain/errors.js';
import { TRASH_DIR, trashBatchNotFound, type OrphansRestored } from '../files/trash.js';
import type { RegistryContext } from './context.js';
import type { ScanResult } from './scan.js';
import { sidecarTargets } from './sidecars.js';

/** The paths of the files a scan found, those it cannot register (named as they are) too. */
export const filesFound = (scan: ScanResult): Set<string> =>
  new Set([...scan.files, ...scan.unusable].map((f) => f.rel));

/** The sidecar at `sidecarRel` is there, and no file is beside it (`onDisk`: the files a scan found). */
export function isOrphanedSidecar(root: string, sidecarRel: string, onDisk: ReadonlySet<string>): boolean {
  const assetRel = sidecarRel.slice(0, -SIDECAR_SUFFIX.length);
  return (
    !onDisk.has(assetRel) &&
    !fs.existsSync(path.join(root, assetRel)) &&
    fs.existsSync(path.join(root, sidecarRel))
  );
}

export interface OrphansRemoved {
  /** The sidecars taken away (rel paths under the assets root, sorted). */
  removed: string[];
  /** Where they went (`.trash/<batch>`), or null when the trash is off (deleted) or none went. */
  trash: string | null;
}

/**
 * Takes away the orphaned sidecars among `sidecarRels` (each looked at again, under the file
 * lease: a file may have come back since the scan), with their `_meta` mirrors. A sidecar whose
 * path a row of any project still names is left: that row's file is missing, and its sidecar is
 * the row's (the rebuild reports the missing file; removing the row is the user's call).
 */
export function removeOrphanedSidecars(
  ctx: RegistryContext,
  sidecarRels: readonly string[],
): Promise<OrphansRemoved> {
  const { assetsRoot, metaRoot } = ctx.paths;
  return ctx.lease.hold(() => {
    const removed: string[] = [];
    let batch: string | undefined;
    for (const sidecarRel of [...sidecarRels].sort()) {
      const assetRel = sidecarRel.slice(0, -SIDECAR_SUFFIX.length);
      if (!isOrphanedSidecar(assetsRoot, sidecarRel, new Set()) || ctx.store.pathUsers(assetRel).length)
        continue;
      const { primary } = sidecarTargets(assetsRoot, metaRoot, assetRel);
      if (ctx.trash.enabled)
        ctx.trash.putAlone((batch ??= ctx.trash.orphansBatchName()), sidecarRel, primary);
      else fs.unlinkSync(primary);
      ctx.sidecars.removeMirror(assetRel);
      removed.push(sidecarRel);
    }
    return { removed, trash: batch === undefined ? null : `${TRASH_DIR}/${batch}` };
  });
}

/**
 * Puts a batch of orphaned sidecars back from the trash (under the file lease), each where no
 * file is now. A removal's batch is not put back here: its change's undo brings the files back
 * with their assets (a 409 says which).
 */
export function restoreOrphanedSidecars(ctx: RegistryContext, name: string): Promise<OrphansRestored> {
  const batch = ctx.trash.batch(name);
  if (!batch) throw trashBatchNotFound(name);
  if (batch.changeId !== null)
    throw new AppError(
      409,
      'restore_by_undo',
      `Batch ${name} holds the files of removal #${batch.changeId}: undo that change (POST ` +
        `/api/changes/${batch.changeId}/undo, or \`asset-registry undo ${batch.changeId}\`) to bring them ` +
        'back with their assets.',
      { change_id: batch.changeId },
    );
  if (!batch.orphans)
    throw new AppError(
      409,
      'not_restorable',
      `Batch ${name} was not made by the registry (no removal or enforce named it): move its files back by hand.`,
    );
  return ctx.lease.hold(
    // (Emptied while the lease was awaited: gone, as if asked a moment later.)
    () => ctx.trash.restoreOrphans(name, ctx.paths.assetsRoot) ?? Promise.reject(trashBatchNotFound(name)),
  );
}

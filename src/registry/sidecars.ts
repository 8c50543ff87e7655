/**
 * Writes `<file>.asset.json` and its `_meta` mirror from the registry row. Writes for one asset
 * are serialised and each reads the row at write time, so the last write on disk always shows
 * the newest state even when updates race.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildSidecar, sidecarRelPath, type AssetRecord, type ProvenanceRecord } from '../domain/asset.js';
import { jsonText, writeFileAtomic } from '../files/atomic-write.js';

export interface SidecarTarget {
  /** Absolute path of the primary sidecar. */
  primary: string;
  /** Absolute path of the mirror, or undefined when mirroring is off. */
  mirror: string | undefined;
}

/**
 * The mirror keeps the whole file name (`_meta/images/hero.png.json`), fixing the reference's
 * collision where `hero.png` and `hero.jpg` shared `_meta/images/hero.json`.
 */
export function sidecarTargets(assetsRoot: string, metaRoot: string | false, relPath: string): SidecarTarget {
  return {
    primary: path.join(assetsRoot, sidecarRelPath(relPath)),
    mirror: metaRoot === false ? undefined : path.join(metaRoot, `${relPath}.json`),
  };
}

export class SidecarWriter {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly assetsRoot: string,
    private readonly metaRoot: string | false,
  ) {}

  /**
   * Queues a write of the current state of an asset. `load` is called when the write runs and
   * returns the record and its latest provenance (or undefined when the asset is gone).
   */
  write(
    key: string,
    load: () => { record: AssetRecord; provenance: ProvenanceRecord | undefined } | undefined,
  ): Promise<{ record: AssetRecord; mtimeMs: number } | undefined> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const state = load();
        if (!state) return undefined;
        const text = jsonText(buildSidecar(state.record, state.provenance));
        const targets = sidecarTargets(this.assetsRoot, this.metaRoot, state.record.path);
        // Both at once: their fsyncs share the filesystem's journal commit, so a registration
        // waits for one durable write, not two in a row.
        const [mtimeMs] = await Promise.all([
          writeFileAtomic(targets.primary, text),
          targets.mirror ? writeFileAtomic(targets.mirror, text) : undefined,
        ]);
        return { record: state.record, mtimeMs };
      });
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next;
  }

  async remove(relPath: string): Promise<void> {
    const targets = sidecarTargets(this.assetsRoot, this.metaRoot, relPath);
    await fs.rm(targets.primary, { force: true });
    if (targets.mirror) await fs.rm(targets.mirror, { force: true });
  }

  /** Resolves once every queued write has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}

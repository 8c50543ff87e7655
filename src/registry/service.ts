/**
 * Opens everything a registry needs (database, worker pool, event log, sidecar writer) once per
 * process, and hands out one AssetRegistry per project.
 */
import path from 'node:path';
import { FileLease } from '../files/file-lease.js';
import { Trash, type OrphansRestored } from '../files/trash.js';
import { hooks as processHooks, type HookBus } from '../hooks/bus.js';
import { PreviewQueue } from '../previews/queue.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { WorkerPool } from '../workers/pool.js';
import type { RegistryContext } from './context.js';
import { EventLog } from './events.js';
import { restoreOrphanedSidecars } from './orphans.js';
import { resolvePaths, type PathOptions, type RegistryPaths } from './paths.js';
import { AssetRegistry } from './registry.js';
import { SidecarWriter } from './sidecars.js';

export interface OpenOptions extends PathOptions {
  /** The hook bus to deliver on; the process-wide one by default. */
  hooks?: HookBus;
  workerThreads?: number;
  /** Told when a change of files waits over two seconds for another process (see FileLease). */
  onLeaseWait?: (lockDir: string) => void;
}

export class RegistryService {
  private readonly projects = new Map<string, AssetRegistry>();

  private readonly ctx: RegistryContext;

  private constructor(parts: Omit<RegistryContext, 'previews'>) {
    this.ctx = {
      ...parts,
      previews: new PreviewQueue({
        store: parts.store,
        pool: parts.pool,
        assetsRoot: parts.paths.assetsRoot,
        thumbsRoot: parts.paths.thumbsRoot,
        owner: parts.events.origin,
        apply: (job, outcome, recorded) => this.project(job.project_id).applyPreview(job, outcome, recorded),
      }),
    };
  }

  static open(options: OpenOptions = {}): RegistryService {
    const paths = resolvePaths(options);
    const store = new SqliteStore(paths.dbPath);
    const pool = new WorkerPool(options.workerThreads);
    const lease = new FileLease(
      path.join(paths.stagingDir, 'files.lock'),
      options.onLeaseWait ? { onWaiting: options.onLeaseWait } : {},
    );
    return new RegistryService({
      store,
      paths,
      pool,
      events: new EventLog(store, options.hooks ?? processHooks),
      sidecars: new SidecarWriter(paths.assetsRoot, paths.metaRoot, lease, (files) => pool.writeFiles(files)),
      trash: new Trash(paths.trashDir, paths.trashDays, paths.trashMaxBytes),
      lease,
    });
  }

  get previews(): PreviewQueue {
    return this.ctx.previews;
  }

  get paths(): RegistryPaths {
    return this.ctx.paths;
  }

  get events(): EventLog {
    return this.ctx.events;
  }

  get trash(): Trash {
    return this.ctx.trash;
  }

  /** Puts a batch of orphaned sidecars back from the trash (see registry/orphans.ts). */
  restoreOrphans(batch: string): Promise<OrphansRestored> {
    return restoreOrphanedSidecars(this.ctx, batch);
  }

  get hooks(): HookBus {
    return this.ctx.events.bus;
  }

  get store(): SqliteStore {
    return this.ctx.store;
  }

  /** The registry of a project (the configured default when `projectId` is blank). */
  project(projectId?: string | null): AssetRegistry {
    const id = projectId?.trim() || this.ctx.paths.projectId;
    let registry = this.projects.get(id);
    if (!registry) {
      registry = new AssetRegistry(this.ctx, id);
      this.projects.set(id, registry);
    }
    return registry;
  }

  async close(): Promise<void> {
    this.ctx.events.stop();
    await this.ctx.previews.stop();
    await this.ctx.sidecars.idle();
    await this.ctx.pool.close();
    this.ctx.store.close();
  }
}

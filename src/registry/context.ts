/** What every per-project registry shares within one process. */
import type { FileLease } from '../files/file-lease.js';
import type { Trash } from '../files/trash.js';
import type { PreviewQueue } from '../previews/queue.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import type { WorkerPool } from '../workers/pool.js';
import type { EventLog } from './events.js';
import type { RegistryPaths } from './paths.js';
import type { SidecarWriter } from './sidecars.js';

export interface RegistryContext {
  store: SqliteStore;
  pool: WorkerPool;
  paths: RegistryPaths;
  events: EventLog;
  sidecars: SidecarWriter;
  previews: PreviewQueue;
  trash: Trash;
  /** Held while files move, go or get sidecars, against other processes (see files/file-lease.ts). */
  lease: FileLease;
}

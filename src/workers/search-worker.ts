/**
 * Worker-thread side of searches that test every row's text (a 1-2 character `q`): ~1 s at
 * 1,000,000 assets, which on the server's thread would hold every other request. This thread
 * has its own read-only connection; in WAL mode it reads the last committed data, so a search
 * still sees every write that was answered before it was asked.
 */
import type { AssetRecord } from '../domain/asset.js';
import { SqliteStore, type SearchQuery } from '../store/sqlite-store.js';

export type SearchTask =
  | { op: 'search'; dbPath: string; query: SearchQuery }
  | { op: 'searchIds'; dbPath: string; query: SearchQuery; max: number };

export interface SearchPage {
  total: number;
  records: AssetRecord[];
}

/** One connection per database, kept with its caches for the thread's life. */
const stores = new Map<string, SqliteStore>();

function storeFor(dbPath: string): SqliteStore {
  let store = stores.get(dbPath);
  if (!store) {
    store = new SqliteStore(dbPath, { readOnly: true });
    stores.set(dbPath, store);
  }
  return store;
}

export default function run(task: Extract<SearchTask, { op: 'search' }>): SearchPage;
export default function run(task: Extract<SearchTask, { op: 'searchIds' }>): string[];
export default function run(task: SearchTask): SearchPage | string[] {
  const store = storeFor(task.dbPath);
  return task.op === 'search' ? store.search(task.query) : store.searchIds(task.query, task.max);
}

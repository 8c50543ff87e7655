/**
 * Search work that only a write can make stale, kept per connection: exact totals of queries the
 * counter table cannot answer (several filters, text), the row ids of the duplicates filters,
 * and "anchors" for deep offsets (the sort key at every ANCHOR_STEP-th position of a query's
 * order, so an offset seeks from the nearest anchor instead of walking every skipped entry).
 * Everything is dropped when the database version moves (`PRAGMA data_version` for other
 * connections' commits, `total_changes()` for this connection's own writes), so a cached answer
 * is always the answer of the current data.
 */

/** Anchors are kept every this many positions; offsets below it walk directly. */
export const ANCHOR_STEP = 10_000;

/** The sort key of one position: the sort column's value (the row id for "created") and the row id. */
export interface SortKey {
  k: string | number;
  id: number;
}

/** A Map that forgets its least recently used entry beyond `max`. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  clear(): void {
    this.map.clear();
  }
}

export class SearchCache {
  private version = '';
  private readonly totals = new Lru<number>(512);
  private readonly anchorSets = new Lru<Map<number, SortKey>>(64);
  private readonly rowidLists = new Lru<string>(8);

  /** Call at the start of every read with the version of the snapshot being read. */
  sync(version: string): void {
    if (version === this.version) return;
    this.version = version;
    this.totals.clear();
    this.anchorSets.clear();
    this.rowidLists.clear();
  }

  /**
   * The row ids a costly filter selects (the duplicates), as the JSON list its query takes:
   * computed, and written out, once per version (not again for every page).
   */
  rowidList(key: string, compute: () => number[]): string {
    let ids = this.rowidLists.get(key);
    if (ids === undefined) {
      ids = JSON.stringify(compute());
      this.rowidLists.set(key, ids);
    }
    return ids;
  }

  total(filterKey: string): number | undefined {
    return this.totals.get(filterKey);
  }

  setTotal(filterKey: string, n: number): void {
    this.totals.set(filterKey, n);
  }

  /** The anchors of one filter + order (position → key of the entry just before it), created empty. */
  anchors(orderKey: string): Map<number, SortKey> {
    let set = this.anchorSets.get(orderKey);
    if (!set) {
      set = new Map();
      this.anchorSets.set(orderKey, set);
    }
    return set;
  }
}

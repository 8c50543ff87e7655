/**
 * The change log (migration 12): what each edit made through the registry changed, asset by
 * asset, so that it can be undone. A change holds, per asset, the state of each metadata key it
 * touched before and after (see domain/changes.ts); the newest {@link CHANGES_KEPT} changes of a
 * project are kept. Writes run in the caller's transaction, so an edit and its record of itself
 * commit together.
 */
import type Database from 'better-sqlite3';
import type { ChangeRecord, KeyStates, NewChange } from '../domain/changes.js';
import { storedObject } from '../domain/json.js';

/** Changes kept per project; older ones (and their items) go when a new one is made. */
export const CHANGES_KEPT = 200;

export type ChangeRow = ChangeRecord;

export interface ChangeItem {
  uid: string;
  before: KeyStates;
  after: KeyStates;
}

interface ItemRow {
  uid: string;
  before: string;
  after: string;
}

const itemOf = (row: ItemRow): ChangeItem => ({
  uid: row.uid,
  before: storedObject(row.before) as KeyStates,
  after: storedObject(row.after) as KeyStates,
});

export class ChangeLog {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      add: db.prepare<[string, string, string, string, string, number | null]>(
        `INSERT INTO changes (project_id, kind, subject, summary, created_at, undo_of)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      addItem: db.prepare<[number, string, string, string]>(
        'INSERT INTO change_items (change_id, uid, before, after) VALUES (?, ?, ?, ?)',
      ),
      count: db.prepare<[number, number]>('UPDATE changes SET assets = assets + ? WHERE id = ?'),
      removeItem: db.prepare<[number, string]>('DELETE FROM change_items WHERE change_id = ? AND uid = ?'),
      rename: db.prepare<[string, number]>('UPDATE changes SET summary = ? WHERE id = ?'),
      one: db.prepare<[string, number], ChangeRow>('SELECT * FROM changes WHERE project_id = ? AND id = ?'),
      list: db.prepare<[string, number, number], ChangeRow>(
        'SELECT * FROM changes WHERE project_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
      ),
      // The newest change not undone that is not itself an undo (a redo counts): what a plain
      // "undo" takes back.
      latestUndoable: db.prepare<[string], ChangeRow>(
        `SELECT * FROM changes WHERE project_id = ? AND undone_by IS NULL AND kind != 'undo' AND assets > 0
         ORDER BY id DESC LIMIT 1`,
      ),
      claim: db.prepare<[number, number]>(
        'UPDATE changes SET undone_by = ? WHERE id = ? AND undone_by IS NULL',
      ),
      release: db.prepare<[number, number]>(
        'UPDATE changes SET undone_by = NULL WHERE id = ? AND undone_by = ?',
      ),
      drop: db.prepare<[number]>('DELETE FROM changes WHERE id = ? AND assets = 0'),
      item: db.prepare<[number, string], ItemRow>(
        'SELECT uid, before, after FROM change_items WHERE change_id = ? AND uid = ?',
      ),
      items: db.prepare<[number, string, number], ItemRow>(
        'SELECT uid, before, after FROM change_items WHERE change_id = ? AND uid > ? ORDER BY uid LIMIT ?',
      ),
      forAsset: db.prepare<[string, string, number], ChangeRow & { item_before: string; item_after: string }>(
        `SELECT c.*, i.before AS item_before, i.after AS item_after
         FROM change_items i JOIN changes c ON c.id = i.change_id
         WHERE i.uid = ? AND c.project_id = ? ORDER BY c.id DESC LIMIT ?`,
      ),
      oldestKept: db.prepare<[string, number], { id: number }>(
        'SELECT id FROM changes WHERE project_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?',
      ),
      pruneItems: db.prepare<[string, number]>(
        'DELETE FROM change_items WHERE change_id IN (SELECT id FROM changes WHERE project_id = ? AND id < ?)',
      ),
      prune: db.prepare<[string, number]>('DELETE FROM changes WHERE project_id = ? AND id < ?'),
    };
  }

  /** Starts a change (in the caller's transaction) and drops the oldest beyond {@link CHANGES_KEPT}. */
  begin(projectId: string, change: NewChange, createdAt: string): number {
    const { kind, subject = 'metadata', summary, undoOf } = change;
    const id = Number(
      this.stmts.add.run(projectId, kind, subject, summary, createdAt, undoOf ?? null).lastInsertRowid,
    );
    const oldest = this.stmts.oldestKept.get(projectId, CHANGES_KEPT - 1);
    if (oldest) {
      this.stmts.pruneItems.run(projectId, oldest.id);
      this.stmts.prune.run(projectId, oldest.id);
    }
    return id;
  }

  /** Records what the change did to these assets (each asset once per change). */
  addItems(changeId: number, items: readonly ChangeItem[]): void {
    for (const item of items) {
      this.stmts.addItem.run(changeId, item.uid, JSON.stringify(item.before), JSON.stringify(item.after));
    }
    if (items.length) this.stmts.count.run(items.length, changeId);
  }

  /** Takes one asset's item out of a change again (what it recorded was put back before it was done). */
  removeItem(changeId: number, uid: string): void {
    if (this.stmts.removeItem.run(changeId, uid).changes) this.stmts.count.run(-1, changeId);
  }

  /** Deletes a change that holds no asset (nothing it was to record happened). */
  dropEmpty(id: number): void {
    this.stmts.drop.run(id);
  }

  /** A change's summary, as it grows (an upload session adding files). */
  rename(id: number, summary: string): void {
    this.stmts.rename.run(summary, id);
  }

  get(projectId: string, id: number): ChangeRow | undefined {
    return this.stmts.one.get(projectId, id);
  }

  /** The newest changes first, those older than `before` (an id) when given. */
  list(projectId: string, limit: number, before = Number.MAX_SAFE_INTEGER): ChangeRow[] {
    return this.stmts.list.all(projectId, before, limit);
  }

  latestUndoable(projectId: string): ChangeRow | undefined {
    return this.stmts.latestUndoable.get(projectId);
  }

  /** Marks `id` undone by `by`, unless it was undone already (then false). */
  claim(id: number, by: number): boolean {
    return this.stmts.claim.run(by, id).changes === 1;
  }

  /**
   * Takes back the claim of an undo that failed before it changed anything (its record goes
   * too); one that changed some assets keeps it, with what it did recorded.
   */
  release(id: number, by: number): void {
    if (this.stmts.drop.run(by).changes) this.stmts.release.run(id, by);
  }

  /** The changes that touched one asset, newest first, each with what it did to that asset. */
  forAsset(projectId: string, uid: string, limit: number): Array<{ change: ChangeRow; item: ChangeItem }> {
    return this.stmts.forAsset.all(uid, projectId, limit).map(({ item_before, item_after, ...change }) => ({
      change,
      item: itemOf({ uid, before: item_before, after: item_after }),
    }));
  }

  /** The items of a change for these assets (those it touched). */
  itemsOf(changeId: number, uids: readonly string[]): ChangeItem[] {
    return uids.flatMap((uid) => {
      const row = this.stmts.item.get(changeId, uid);
      return row ? [itemOf(row)] : [];
    });
  }

  /** A change's items in uid order, `limit` after `afterUid`. */
  items(changeId: number, afterUid: string, limit: number): ChangeItem[] {
    return this.stmts.items.all(changeId, afterUid, limit).map(itemOf);
  }
}

/** What a change records (domain/changes.ts) and the change log that keeps it (a real database file). */
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { holdsStates, keyChanges, undoOf, withStates, type ChangeRecord } from '../../src/domain/changes.js';
import { CHANGES_KEPT, type ChangeItem } from '../../src/store/change-log.js';
import { SqliteStore, utcNow } from '../../src/store/sqlite-store.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

describe('keyChanges / holdsStates / withStates', () => {
  test('only the keys that differ, a missing key apart from null; the version is not a change', () => {
    const before = { tags: ['a'], license: null, title: 'Old', version: 3 };
    const after = { tags: ['a', 'b'], license: null, notes: 'new', version: 4 };
    assert.deepEqual(keyChanges(before, after), {
      before: { tags: [['a']], title: ['Old'], notes: [] },
      after: { tags: [['a', 'b']], title: [], notes: ['new'] },
    });
    assert.equal(keyChanges(before, { ...before, version: 9 }), undefined);
    assert.deepEqual(keyChanges({ license: null }, {}), {
      before: { license: [null] },
      after: { license: [] },
    });
  });

  test('undo puts the states back where they still hold, and only those keys', () => {
    const before = { tags: ['a'], title: 'Old', version: 1 };
    const after = { tags: ['a', 'b'], notes: 'new', version: 2 };
    const states = keyChanges(before, after);
    assert.ok(states);
    const later = { ...after, preview: { width: 10 }, version: 5 };
    assert.equal(holdsStates(later, states.after), true, 'other keys changing does not matter');
    assert.deepEqual(withStates(later, states.before), {
      tags: ['a'],
      title: 'Old',
      preview: { width: 10 },
      version: 5,
    });
    assert.equal(holdsStates({ ...later, tags: ['a', 'b', 'c'] }, states.after), false);
    assert.equal(
      holdsStates({ ...later, title: 'Typed since' }, states.after),
      false,
      'a key it removed, set again',
    );
  });

  test('an undo of an undo is a redo, and of a redo an undo, about what the change was about', () => {
    const change = (kind: ChangeRecord['kind'], summary: string): ChangeRecord => ({
      id: 1,
      project_id: 'p',
      kind,
      subject: kind === 'redo' ? 'path' : 'metadata',
      summary,
      created_at: '',
      assets: 1,
      undo_of: null,
      undone_by: null,
    });
    assert.deepEqual(undoOf(change('bulk_edit', 'Add tag x')), {
      kind: 'undo',
      subject: 'metadata',
      summary: 'Undo: Add tag x',
      undoOf: 1,
    });
    assert.deepEqual(undoOf(change('undo', 'Undo: Add tag x')), {
      kind: 'redo',
      subject: 'metadata',
      summary: 'Redo: Add tag x',
      undoOf: 1,
    });
    assert.deepEqual(undoOf(change('redo', 'Redo: Move a to b')), {
      kind: 'undo',
      subject: 'path',
      summary: 'Undo: Move a to b',
      undoOf: 1,
    });
  });
});

describe('ChangeLog', () => {
  let ws: Workspace;
  let store: SqliteStore;
  beforeEach(() => {
    ws = makeWorkspace();
    store = new SqliteStore(path.join(ws.dir, 'registry.sqlite'));
  });
  afterEach(() => {
    store.close();
    ws.cleanup();
  });

  const item = (uid: string): ChangeItem => ({ uid, before: { tags: [[]] }, after: { tags: [['x']] } });

  test(`keeps the newest ${CHANGES_KEPT} changes of a project, with their items; other projects untouched`, () => {
    const log = store.changes;
    const other = store.transaction(() => {
      const id = log.begin('other', { kind: 'edit', summary: 'Edit b' }, utcNow());
      log.addItems(id, [item('b1')]);
      return id;
    });
    const ids: number[] = [];
    for (let i = 0; i < CHANGES_KEPT + 5; i++) {
      store.transaction(() => {
        const id = log.begin('p', { kind: 'bulk_edit', summary: `Edit ${i}` }, utcNow());
        log.addItems(id, [item(`u${i}a`), item(`u${i}b`)]);
        ids.push(id);
      });
    }
    const kept = log.list('p', 1000);
    assert.equal(kept.length, CHANGES_KEPT);
    assert.deepEqual(
      kept.map((c) => c.id),
      ids.slice(5).reverse(),
    );
    assert.equal(kept[0]?.assets, 2);
    assert.deepEqual(log.items(ids[0] as number, '', 10), [], 'items of a dropped change go with it');
    assert.deepEqual(
      log.items(ids[5] as number, '', 10).map((i) => i.uid),
      ['u5a', 'u5b'],
    );
    assert.equal(log.get('other', other)?.assets, 1);
    assert.deepEqual(
      log.list('p', 3, ids[10]).map((c) => c.id),
      [ids[9], ids[8], ids[7]],
      'the next page: older than an id',
    );
  });

  test('the newest undoable skips undos, undone and empty changes; a claim holds once; a release only when nothing was done', () => {
    const log = store.changes;
    const begin = (kind: ChangeRecord['kind'], items: number, undoOf?: number): number =>
      store.transaction(() => {
        const id = log.begin('p', { kind, summary: kind, ...(undoOf ? { undoOf } : {}) }, utcNow());
        log.addItems(
          id,
          Array.from({ length: items }, (_, i) => item(`${kind}${i}`)),
        );
        return id;
      });
    const edit = begin('bulk_edit', 2);
    begin('edit', 0);
    assert.equal(log.latestUndoable('p')?.id, edit);
    const undo = begin('undo', 2, edit);
    assert.equal(log.claim(edit, undo), true);
    assert.equal(log.claim(edit, undo), false, 'a second claim fails');
    assert.equal(log.latestUndoable('p'), undefined, 'an undo is not what a plain undo takes back');
    const redo = begin('redo', 2, undo);
    log.claim(undo, redo);
    assert.equal(log.latestUndoable('p')?.id, redo, 'a redo is');

    const failed = begin('undo', 0, redo);
    log.claim(redo, failed);
    log.release(redo, failed);
    assert.equal(log.get('p', redo)?.undone_by, null, 'released');
    assert.equal(log.get('p', failed), undefined, 'and the empty undo is gone');
    const partial = begin('undo', 1, redo);
    log.claim(redo, partial);
    log.release(redo, partial);
    assert.equal(log.get('p', redo)?.undone_by, partial, 'an undo that did something keeps its claim');
  });
});

/** SqliteStore against a real temp-file database: records, search, provenance and the event log. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { AssetRecord } from '../../src/domain/asset.js';
import { filterKeys, mediaFacts } from '../../src/domain/asset.js';
import type { HookEnvelope } from '../../src/hooks/bus.js';
import { seededRandom } from '../../bench/tools.js';
import { migrate } from '../../src/store/migrations.js';
import { MAX_PAIR_CHARS } from '../../src/store/search-chars.js';
import { SqliteStore, utcNow, type SearchQuery } from '../../src/store/sqlite-store.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let store: SqliteStore;
let dbPath: string;

beforeEach(() => {
  ws = makeWorkspace();
  dbPath = path.join(ws.dir, 'config', 'registry.sqlite');
  store = new SqliteStore(dbPath);
});
afterEach(() => {
  store.close();
  ws.cleanup();
});

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function asset(name: string, over: Partial<AssetRecord> = {}): AssetRecord {
  const hash = sha(name + JSON.stringify(over));
  return {
    projectId: 'default',
    uid: hash.slice(0, 16),
    type: 'documents',
    path: `documents/${name}`,
    hash,
    bytes: 10,
    meta: { tags: [] },
    createdAt: '2024-01-01 00:00:00',
    updatedAt: '2024-01-01 00:00:00',
    thumb: null,
    ...over,
  };
}

function add(name: string, over: Partial<AssetRecord> = {}): AssetRecord {
  const rec = asset(name, over);
  store.insert(rec);
  return rec;
}

const search = (q: Partial<SearchQuery> = {}) => store.search({ projectId: 'default', limit: 100, ...q });
const paths = (q: Partial<SearchQuery> = {}): string[] => search(q).records.map((r) => r.path);

describe('records', () => {
  test('insert then get by uid, by path and by hash returns the same record', () => {
    const rec = add('hero.txt', { meta: { tags: ['Hero'], license: 'MIT', notes: { deep: [1] } } });
    const byUid = store.getByUid('default', rec.uid);
    assert.ok(byUid);
    assert.equal(byUid.path, 'documents/hero.txt');
    assert.equal(byUid.hash, rec.hash);
    assert.equal(byUid.bytes, 10);
    assert.deepEqual(byUid.meta, rec.meta);
    assert.equal(byUid.createdAt, '2024-01-01 00:00:00');
    assert.equal(byUid.thumb, null);
    assert.equal(store.getByPath('default', 'documents/hero.txt')?.uid, rec.uid);
    assert.deepEqual(
      store.findByHash('default', rec.hash).map((r) => r.uid),
      [rec.uid],
    );
  });

  test('lookups are scoped to the project', () => {
    const rec = add('p.txt', { projectId: 'other' });
    assert.equal(store.getByUid('default', rec.uid), undefined);
    assert.equal(store.getByUid('other', rec.uid)?.projectId, 'other');
    assert.deepEqual(store.findByHash('default', rec.hash), []);
  });

  test('FIXED §11.3: the same uid may exist in two projects', () => {
    const rec = add('shared.txt');
    store.insert({ ...rec, projectId: 'other' });
    assert.ok(store.getByUid('default', rec.uid));
    assert.ok(store.getByUid('other', rec.uid));
    assert.deepEqual(
      store
        .pathUsers(rec.path)
        .map((u) => u.project_id)
        .sort(),
      ['default', 'other'],
    );
  });

  test('two assets cannot share one path in a project', () => {
    add('dup.txt');
    assert.throws(() => store.insert(asset('other', { path: 'documents/dup.txt' })), /UNIQUE/);
  });

  test('stored meta that is not valid JSON reads back as {raw: text}', () => {
    const rec = add('raw.txt');
    store.db.prepare('UPDATE assets SET meta = ? WHERE uid = ?').run('not json', rec.uid);
    assert.deepEqual(store.getByUid('default', rec.uid)?.meta, { raw: 'not json' });
  });

  test('data survives closing and reopening the database file', () => {
    const rec = add('persist.txt', { meta: { tags: ['keep'] } });
    store.close();
    store = new SqliteStore(dbPath);
    assert.deepEqual(store.getByUid('default', rec.uid)?.meta, { tags: ['keep'] });
    assert.deepEqual(paths({ tags: ['keep'] }), ['documents/persist.txt']);
  });

  test("file states come a page at a time, every row of the project once, in row order, alone or beside other projects' rows", () => {
    const pathsOf = (projectId: string): string[] =>
      [...store.fileStatePages(projectId, 3)].flatMap((page) => {
        assert.ok(page.length <= 3);
        return page.map((state) => state.path);
      });
    const mine = Array.from({ length: 7 }, (_, i) => add(`mine-${i}.txt`).path);
    assert.deepEqual(pathsOf('default'), mine, 'one project (the table in row order)');
    const theirs: string[] = [];
    for (let i = 0; i < 7; i++) {
      theirs.push(add(`theirs-${i}.txt`, { projectId: 'other' }).path);
      mine.push(add(`mine-more-${i}.txt`).path);
    }
    assert.deepEqual(pathsOf('default'), mine, 'interleaved with another project (its index)');
    assert.deepEqual(pathsOf('other'), theirs);
    assert.deepEqual(pathsOf('nobody'), []);
  });

  test('utcNow is UTC in the reference format YYYY-MM-DD HH:MM:SS', () => {
    assert.match(utcNow(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });
});

describe('search filters', () => {
  test('text of 3+ characters matches any substring of path, uid and meta strings', () => {
    add('Characters/Alice.png', { path: 'Characters/Alice.png' });
    add('bob.txt', { meta: { tags: ['Villain'], notes: 'Rides a Dragon' } });
    add('carol.txt', { meta: { tags: [], count: 12345 } });
    assert.deepEqual(paths({ texts: ['lic'] }), ['Characters/Alice.png']);
    assert.deepEqual(paths({ texts: ['illa'] }), ['documents/bob.txt']);
    assert.deepEqual(paths({ texts: ['a drag'] }), ['documents/bob.txt']);
    assert.deepEqual(paths({ texts: ['characters/alice'] }), ['Characters/Alice.png']);
    assert.deepEqual(paths({ texts: ['12345'] }), [], 'numbers in meta are not searched');
  });

  test('several needles must all match, each anywhere, whatever their lengths', () => {
    add('a.txt', { path: 'bg/castle-night.png', meta: { tags: ['moody'], title: 'Keep' } });
    add('b.txt', { path: 'bg/castle-day.png', meta: { tags: [], title: 'Keep' } });
    add('c.txt', { path: 'bg/forest-night.png', meta: { tags: ['moody'], title: 'Woods' } });
    const found = (texts: string[], more: Partial<SearchQuery> = {}): string[] =>
      paths({ texts, ...more }).sort();
    assert.deepEqual(found(['castle', 'night']), ['bg/castle-night.png']);
    assert.deepEqual(found(['night', 'castle']), ['bg/castle-night.png'], 'in any order');
    assert.deepEqual(found(['moody', 'keep']), ['bg/castle-night.png'], 'across fields');
    assert.deepEqual(found(['castle', 'woods']), []);
    // 3+ characters (trigram phrase), 2 (trigram pairs) and 1 (row test) in one query.
    assert.deepEqual(found(['night', 'fo', 'w']), ['bg/forest-night.png']);
    assert.deepEqual(found(['ni', 'y']), ['bg/castle-night.png', 'bg/forest-night.png']);
    assert.equal(store.scansRows({ projectId: 'default', limit: 1, texts: ['night', 'w'] }), true);
    assert.equal(store.search({ projectId: 'default', limit: 1, texts: ['ni', 'moody'] }).total, 2);
    // With a tag, sorted by path, a page at a time.
    assert.deepEqual(found(['night'], { tags: ['moody'], sort: 'path', order: 'asc' }), [
      'bg/castle-night.png',
      'bg/forest-night.png',
    ]);
    assert.deepEqual(paths({ texts: ['night', 'g'], sort: 'path', order: 'desc', limit: 1, offset: 1 }), [
      'bg/castle-night.png',
    ]);
  });

  test('text matches the uid', () => {
    const rec = add('by-uid.txt');
    add('noise.txt');
    assert.deepEqual(paths({ texts: [rec.uid.slice(3, 11)] }), ['documents/by-uid.txt']);
  });

  test('short needles (1-2 characters) use a plain substring match', () => {
    add('qz.txt', { path: 'misc/xqzy.txt' });
    add('other.txt', { path: 'misc/other.txt' });
    assert.deepEqual(paths({ texts: ['qz'] }), ['misc/xqzy.txt']);
    assert.deepEqual(paths({ texts: ['y'] }), ['misc/xqzy.txt']);
    assert.equal(search({ texts: ['zz'] }).total, 0);
  });

  test('2-character needles go through the trigram index and find every place they occur', () => {
    const texts = {
      start: 'qzebra',
      end: 'zebraqz',
      quote: 'say "hi',
      cjk: '夜の森',
      emoji: 'loop 🎵a',
      other: 'nothing here',
    };
    for (const [name, title] of Object.entries(texts)) add(`${name}.txt`, { meta: { tags: [], title } });
    const titled = (text: string): string[] =>
      search({ texts: [text] })
        .records.map((r) => r.meta.title as string)
        .sort();
    assert.equal(store.scansRows({ projectId: 'default', limit: 1, texts: ['qz'] }), false);
    assert.deepEqual(titled('qz'), ['qzebra', 'zebraqz'], 'at the start and at the end of a field');
    assert.deepEqual(titled('"h'), ['say "hi']);
    assert.deepEqual(titled('の森'), ['夜の森']);
    assert.deepEqual(titled('🎵a'), ['loop 🎵a'], 'characters outside the BMP count as one');
    assert.deepEqual(titled('ǫz'), [], 'a character no text holds');
    // A character first seen in a later write, one written by another connection, and an edit.
    add('late.txt', { meta: { tags: [], title: 'ǫzone' } });
    const other = new SqliteStore(dbPath);
    try {
      other.insert(asset('omega.txt', { meta: { tags: [], title: 'Ωmega' } }));
    } finally {
      other.close();
    }
    assert.deepEqual(titled('ǫz'), ['ǫzone']);
    assert.deepEqual(titled('ωm'), ['Ωmega'], 'the stored text is lowercase');
    assert.equal(search({ texts: ['ωm'] }).total, 1);
  });

  test('a NUL in a needle or in a text (which FTS5 queries cannot hold) still searches exactly', () => {
    add('plain.txt', { meta: { tags: [], title: 'qz plain' } });
    assert.equal(store.scansRows({ projectId: 'default', limit: 1, texts: ['qz'] }), false);
    for (const text of ['\0q', 'q\0z', 'qz\0'])
      assert.equal(search({ texts: [text] }).total, 0, JSON.stringify(text));
    add('nul.txt', { meta: { tags: [], title: 'x\0qz' } });
    // Once a text holds one, 2-character needles test rows: the trigram "\0qz" cannot be asked for.
    assert.equal(store.scansRows({ projectId: 'default', limit: 1, texts: ['qz'] }), true);
    assert.deepEqual(paths({ texts: ['qz'] }).sort(), ['documents/nul.txt', 'documents/plain.txt']);
    assert.deepEqual(paths({ texts: ['\0q'] }), ['documents/nul.txt']);
    assert.deepEqual(paths({ texts: ['x\0qz'] }), ['documents/nul.txt']);
    assert.deepEqual(paths({ texts: ['""'] }), []);
  });

  test('the upgrade notes the characters of the rows already there', () => {
    // A database at schema 6 whose only text ends in "ʬqz": only the trigram "ʬqz" holds "qz".
    const legacyPath = path.join(ws.dir, 'legacy.sqlite');
    const legacy = new Database(legacyPath);
    migrate(legacy, 6);
    legacy
      .prepare(
        `INSERT INTO assets (project_id, uid, type, path, hash, bytes, meta, created_at, updated_at, tags_norm,
           search_text) VALUES ('default', 'u1', 'documents', 'a.txt', ?, 0, '{}', '', '', '[]', ?)`,
      )
      .run(sha('legacy'), 'u1\na.txt\nʬqz');
    legacy.exec(`INSERT INTO assets_fts (rowid, search_text) SELECT rowid, search_text FROM assets;
      DELETE FROM fts_pending;`);
    legacy.close();
    const upgraded = new SqliteStore(legacyPath);
    try {
      const query = { projectId: 'default', limit: 10, texts: ['qz'] };
      assert.equal(upgraded.scansRows(query), false);
      assert.deepEqual(
        upgraded.search(query).records.map((r) => r.uid),
        ['u1'],
      );
    } finally {
      upgraded.close();
    }
  });

  test('the upgrade folds the texts and keys of rows stored before Unicode normalisation', () => {
    // A database at schema 8 holding what the code of then stored for a name and a tag a Mac
    // wrote decomposed (NFD): lowercase only.
    const nfd = (text: string): string => text.normalize('NFD');
    const legacyPath = path.join(ws.dir, 'legacy-nfd.sqlite');
    const legacy = new Database(legacyPath);
    migrate(legacy, 8);
    const stale = nfd('u1\nパン屋/パン.png\nＢＧＭ\ncafé');
    legacy
      .prepare(
        `INSERT INTO assets (project_id, uid, type, path, hash, bytes, meta, created_at, updated_at, tags_norm,
           license_norm, search_text) VALUES ('default', 'u1', 'images', ?, ?, 0, ?, '', '', ?, ?, ?)`,
      )
      .run(
        nfd('パン屋/パン.png'),
        sha('legacy-nfd'),
        JSON.stringify({ title: 'ＢＧＭ', tags: [nfd('Café')], license: nfd('Licencé') }),
        JSON.stringify([nfd('café')]),
        nfd('licencé'),
        stale,
      );
    legacy.exec(`INSERT INTO assets_fts (rowid, search_text) SELECT rowid, search_text FROM assets;
      DELETE FROM fts_pending;`);
    legacy.close();
    const upgraded = new SqliteStore(legacyPath);
    try {
      const uids = (query: Omit<SearchQuery, 'projectId' | 'limit'>): string[] =>
        upgraded.search({ projectId: 'default', limit: 10, ...query }).records.map((r) => r.uid);
      for (const text of ['パ', 'パン', 'パン屋/パ', 'bgm', 'bg'])
        assert.deepEqual(uids({ texts: [text] }), ['u1'], text);
      assert.deepEqual(uids({ texts: [nfd('パン')] }), [], 'needles come folded too, from the registry');
      assert.deepEqual(uids({ tags: ['café'] }), ['u1']);
      assert.deepEqual(uids({ license: 'licencé' }), ['u1']);
      const facets = upgraded.facets('default', 10);
      assert.deepEqual(
        facets.tags.map((t) => t.value),
        ['café'],
      );
      assert.equal(
        upgraded.getByUid('default', 'u1')?.path,
        nfd('パン屋/パン.png'),
        "the path is the file's",
      );
    } finally {
      upgraded.close();
    }
  });

  test('the upgrade gives rows stored before it their picture size and sound length, for sorting and bounds', () => {
    // A database at schema 9: previews made (a picture, a sound), one edited by hand into values
    // that are not sizes, one not made yet, and a row whose metadata is not JSON at all.
    const legacyPath = path.join(ws.dir, 'legacy-media.sqlite');
    const legacy = new Database(legacyPath);
    migrate(legacy, 9);
    const rows: Array<[string, string]> = [
      ['wide', JSON.stringify({ preview: { kind: 'thumbnail', width: 1920, height: 1080 } })],
      ['sound', JSON.stringify({ preview: { kind: 'waveform', duration: 2.5, channels: 1 } })],
      ['edited', JSON.stringify({ preview: { width: '640', height: 2.5, duration: -1 } })],
      ['huge', JSON.stringify({ preview: { width: 1e12, height: 360.4 } })],
      ['pending', JSON.stringify({ preview: { kind: 'thumbnail', status: 'queued' } })],
      ['broken', '{not json'],
    ];
    const insert = legacy.prepare(
      `INSERT INTO assets (project_id, uid, type, path, hash, bytes, meta, created_at, updated_at)
       VALUES ('default', ?, 'images', ?, ?, 0, ?, '', '')`,
    );
    for (const [uid, meta] of rows) insert.run(uid, `${uid}.png`, sha(uid), meta);
    legacy.close();
    const upgraded = new SqliteStore(legacyPath);
    try {
      const stored = upgraded.db
        .prepare('SELECT uid, width, height, duration FROM assets ORDER BY rowid')
        .all() as Array<{ uid: string; width: number; height: number; duration: number }>;
      assert.deepEqual(stored, [
        { uid: 'wide', width: 1920, height: 1080, duration: 0 },
        { uid: 'sound', width: 0, height: 0, duration: 2.5 },
        { uid: 'edited', width: 0, height: 3, duration: 0 },
        { uid: 'huge', width: 0, height: 360, duration: 0 },
        { uid: 'pending', width: 0, height: 0, duration: 0 },
        { uid: 'broken', width: 0, height: 0, duration: 0 },
      ]);
      // The same rules as a write of today (what the store derives from the metadata).
      for (const row of stored.slice(0, 5)) {
        const record = upgraded.getByUid('default', row.uid);
        assert.ok(record);
        assert.deepEqual(mediaFacts(record.meta), {
          width: row.width,
          height: row.height,
          duration: row.duration,
        });
      }
      const uids = (query: Omit<SearchQuery, 'projectId' | 'limit'>): string[] =>
        upgraded.search({ projectId: 'default', limit: 10, ...query }).records.map((r) => r.uid);
      assert.deepEqual(uids({ bounds: { min_width: 1000 } }), ['wide']);
      assert.deepEqual(uids({ bounds: { max_height: 400 } }), ['huge', 'edited']);
      assert.deepEqual(uids({ sort: 'duration', order: 'desc', bounds: { min_duration: 0.1 } }), ['sound']);
    } finally {
      upgraded.close();
    }
  });

  test('a character noted by a write that was rolled back is noted again by the next write', () => {
    // A search inside a caller's transaction brings the trigram index up, noting "ʘ"; then the
    // caller rolls back.
    assert.throws(() =>
      store.db.transaction(() => {
        store.insert(asset('gone.txt', { meta: { tags: [], title: 'ʘ' } }));
        assert.equal(search({ texts: ['ʘ'] }).total, 1);
        assert.equal(search({ texts: ['ʘ\n'] }).total, 0);
        assert.equal(search({ texts: ['tx'] }).total, 1);
        throw new Error('rolled back');
      })(),
    );
    // "qz" ends the text: only the trigram "ʘqz" holds it.
    add('kept.txt', { meta: { tags: [], title: 'ʘqz' } });
    assert.deepEqual(paths({ texts: ['qz'] }), ['documents/kept.txt']);
  });

  test('2-character needles test rows when the texts hold too many different characters', () => {
    // 2,001 different characters: 4,002 trigrams would be too long a query.
    const many = Array.from({ length: MAX_PAIR_CHARS + 1 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join(
      '',
    );
    add('many.txt', { meta: { tags: [], title: many } });
    add('pair.txt', { meta: { tags: [], title: 'qz' } });
    const query = { projectId: 'default', limit: 10, texts: ['qz'] };
    assert.equal(store.scansRows(query), true);
    assert.deepEqual(paths({ texts: ['qz'] }), ['documents/pair.txt']);
    assert.deepEqual(paths({ texts: ['一丁'] }), ['documents/many.txt']);
  });

  test('a needle cannot match across two fields', () => {
    add('ab', { path: 'x/ab', meta: { tags: ['cd'] } });
    assert.deepEqual(paths({ texts: ['x/ab'] }), ['x/ab']);
    assert.deepEqual(paths({ texts: ['bcd'] }), []);
    assert.deepEqual(paths({ texts: ['bc'] }), []);
  });

  test('quotes and FTS syntax in the needle are matched literally', () => {
    add('q.txt', { meta: { tags: [], title: 'say "hi" OR NOT' } });
    assert.deepEqual(paths({ texts: ['"hi"'] }), ['documents/q.txt']);
    assert.deepEqual(paths({ texts: ['or not'] }), ['documents/q.txt']);
    assert.deepEqual(paths({ texts: ['hi* and'] }), []);
  });

  test('tags: every requested tag must be present, case-insensitively', () => {
    const keys = (tags: string[]) => ({ meta: { tags } });
    add('both.txt', keys(['Hero', 'Alice']));
    add('hero-only.txt', keys(['hero']));
    add('none.txt', keys([]));
    assert.deepEqual(paths({ tags: ['hero', 'alice'] }), ['documents/both.txt']);
    assert.deepEqual(paths({ tags: ['hero'], sort: 'path', order: 'asc' }), [
      'documents/both.txt',
      'documents/hero-only.txt',
    ]);
    assert.deepEqual(paths({ tags: ['her'] }), [], 'tags match whole, not as substrings');
  });

  test('licence: exact match on the lowercased licence', () => {
    add('a.txt', { meta: { tags: [], license: 'CC-BY-4.0' } });
    add('b.txt', { meta: { tags: [], license: 'CC-BY-4.0-ext' } });
    add('c.txt', { meta: { tags: [] } });
    assert.deepEqual(paths({ license: 'cc-by-4.0' }), ['documents/a.txt']);
    assert.deepEqual(paths({ license: 'cc-by' }), []);
  });

  test('hash: exact full hash', () => {
    const rec = add('h.txt');
    add('other.txt');
    assert.deepEqual(paths({ hash: rec.hash }), ['documents/h.txt']);
    assert.deepEqual(paths({ hash: rec.hash.slice(0, 16) }), []);
  });

  test('type: exact and case-sensitive', () => {
    add('i.png', { type: 'images' });
    add('d.txt', { type: 'documents' });
    assert.deepEqual(paths({ type: 'images' }), ['documents/i.png']);
    assert.deepEqual(paths({ type: 'Images' }), []);
  });

  test('filters combine with AND and stay within the project', () => {
    add('match.txt', { meta: { tags: ['hero'], license: 'MIT', title: 'sunset' } });
    add('wrong-licence.txt', { meta: { tags: ['hero'], license: 'GPL', title: 'sunset' } });
    add('wrong-text.txt', { meta: { tags: ['hero'], license: 'MIT', title: 'dawn' } });
    add('other-project.txt', {
      projectId: 'other',
      meta: { tags: ['hero'], license: 'MIT', title: 'sunset' },
    });
    assert.deepEqual(paths({ tags: ['hero'], license: 'mit', texts: ['sunset'] }), ['documents/match.txt']);
  });
});

describe('search sort and paging', () => {
  beforeEach(() => {
    add('b.txt', { type: 'images', bytes: 30 });
    add('a.txt', { type: 'documents', bytes: 10 });
    add('c.txt', { type: 'images', bytes: 20 });
  });

  test('default order is newest first (created desc)', () => {
    assert.deepEqual(paths(), ['documents/c.txt', 'documents/a.txt', 'documents/b.txt']);
    assert.deepEqual(paths({ sort: 'created', order: 'asc' }), [
      'documents/b.txt',
      'documents/a.txt',
      'documents/c.txt',
    ]);
  });

  test('by path asc/desc', () => {
    assert.deepEqual(paths({ sort: 'path', order: 'asc' }), [
      'documents/a.txt',
      'documents/b.txt',
      'documents/c.txt',
    ]);
    assert.deepEqual(paths({ sort: 'path', order: 'desc' }), [
      'documents/c.txt',
      'documents/b.txt',
      'documents/a.txt',
    ]);
  });

  test('by bytes asc/desc', () => {
    assert.deepEqual(paths({ sort: 'bytes', order: 'asc' }), [
      'documents/a.txt',
      'documents/c.txt',
      'documents/b.txt',
    ]);
    assert.deepEqual(paths({ sort: 'bytes', order: 'desc' }), [
      'documents/b.txt',
      'documents/c.txt',
      'documents/a.txt',
    ]);
  });

  test('by type, ties broken by creation in the same direction', () => {
    assert.deepEqual(paths({ sort: 'type', order: 'asc' }), [
      'documents/a.txt',
      'documents/b.txt',
      'documents/c.txt',
    ]);
    assert.deepEqual(paths({ sort: 'type', order: 'desc' }), [
      'documents/c.txt',
      'documents/b.txt',
      'documents/a.txt',
    ]);
  });

  test('limit and offset page through the results; total counts every match', () => {
    const page1 = search({ sort: 'path', order: 'asc', limit: 2 });
    assert.equal(page1.total, 3);
    assert.deepEqual(
      page1.records.map((r) => r.path),
      ['documents/a.txt', 'documents/b.txt'],
    );
    const page2 = search({ sort: 'path', order: 'asc', limit: 2, offset: 2 });
    assert.equal(page2.total, 3);
    assert.deepEqual(
      page2.records.map((r) => r.path),
      ['documents/c.txt'],
    );
    const past = search({ limit: 2, offset: 10 });
    assert.equal(past.total, 3);
    assert.deepEqual(past.records, []);
  });

  test('limit 0 returns no rows but the full total', () => {
    const out = search({ limit: 0 });
    assert.deepEqual(out.records, []);
    assert.equal(out.total, 3);
  });

  test('total reflects filters, not the limit', () => {
    assert.equal(search({ type: 'images', limit: 1 }).total, 2);
    assert.equal(search({ type: 'images', limit: 1 }).records.length, 1);
  });
});

describe('update keeps the indexes in sync', () => {
  test('after an update the old text no longer matches and the new text does', () => {
    const rec = add('doc.txt', { meta: { tags: [], title: 'Sunrise over hills' } });
    store.update({ ...rec, meta: { tags: [], title: 'Midnight city' }, updatedAt: '2024-02-02 00:00:00' });
    assert.deepEqual(paths({ texts: ['sunrise'] }), []);
    assert.deepEqual(paths({ texts: ['su'] }), []);
    assert.deepEqual(paths({ texts: ['midnight'] }), ['documents/doc.txt']);
    assert.deepEqual(paths({ texts: ['ci'] }), ['documents/doc.txt']);
    assert.equal(store.getByUid('default', rec.uid)?.updatedAt, '2024-02-02 00:00:00');
  });

  test('after an update the old tags no longer match and the new ones do', () => {
    const rec = add('t.txt', { meta: { tags: ['Old', 'Kept'] } });
    store.update({ ...rec, meta: { tags: ['kept', 'New'] } });
    assert.deepEqual(paths({ tags: ['old'] }), []);
    assert.deepEqual(paths({ tags: ['new', 'kept'] }), ['documents/t.txt']);
  });

  test('after an update the licence filter follows', () => {
    const rec = add('l.txt', { meta: { tags: [], license: 'MIT' } });
    store.update({ ...rec, meta: { tags: [] } });
    assert.deepEqual(paths({ license: 'mit' }), []);
    store.update({ ...rec, meta: { tags: [], license: 'Apache-2.0' } });
    assert.deepEqual(paths({ license: 'apache-2.0' }), ['documents/l.txt']);
  });

  test('a moved path is searchable at its new place only', () => {
    const rec = add('moved.txt', { path: 'old-folder/moved.txt' });
    store.update({ ...rec, path: 'new-folder/moved.txt' });
    assert.deepEqual(paths({ texts: ['old-folder'] }), []);
    assert.deepEqual(paths({ texts: ['new-folder'] }), ['new-folder/moved.txt']);
    assert.equal(store.getByPath('default', 'old-folder/moved.txt'), undefined);
  });

  test('the stored tag keys match filterKeys of the meta', () => {
    const rec = add('k.txt', { meta: { tags: [' Mixed Case '] } });
    assert.deepEqual(filterKeys(rec.meta).tags, ['mixed case']);
    assert.deepEqual(paths({ tags: ['mixed case'] }), ['documents/k.txt']);
  });
});

describe('the trigram index, written once per transaction', () => {
  /** FTS5's own check that the index holds exactly the rows' texts (throws when it does not). */
  const indexMatchesRows = (): void => {
    store.db.exec(`INSERT INTO assets_fts (assets_fts) VALUES ('integrity-check')`);
    assert.equal(store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM fts_pending').get()?.n, 0);
  };

  test('rows inserted, edited and deleted in one transaction are searchable as they ended', () => {
    const kept = asset('kept.txt', { meta: { tags: [], title: 'first draft' } });
    const gone = asset('gone.txt', { meta: { tags: [], title: 'scratch pad' } });
    store.transaction(() => {
      store.insert(kept);
      store.insert(gone);
      store.update({ ...kept, meta: { tags: [], title: 'final cut' } });
      store.delete('default', gone.uid);
    });
    indexMatchesRows();
    assert.deepEqual(paths({ texts: ['final'] }), ['documents/kept.txt']);
    assert.deepEqual(paths({ texts: ['draft'] }), []);
    assert.deepEqual(paths({ texts: ['scratch'] }), []);
  });

  test('rows already indexed, edited twice and deleted in later transactions', () => {
    const a = add('a.txt', { meta: { tags: [], title: 'alpha one' } });
    const b = add('b.txt', { meta: { tags: [], title: 'beta one' } });
    store.transaction(() => {
      store.update({ ...a, meta: { tags: [], title: 'alpha two' } });
      store.update({ ...a, meta: { tags: [], title: 'alpha three' } });
      store.delete('default', b.uid);
      // The freed row id is taken again by a new row in the same transaction.
      store.insert(asset('c.txt', { meta: { tags: [], title: 'gamma one' } }));
    });
    indexMatchesRows();
    assert.deepEqual(paths({ texts: ['alpha'] }), ['documents/a.txt']);
    assert.deepEqual(paths({ texts: ['three'] }), ['documents/a.txt']);
    assert.deepEqual(paths({ texts: ['two'] }), []);
    assert.deepEqual(paths({ texts: ['one'] }), ['documents/c.txt']);
  });

  test('a savepoint rolled back takes its noted rows with it', () => {
    store.transaction(() => {
      store.insert(asset('stays.txt', { meta: { tags: [], title: 'stays here' } }));
      assert.throws(() =>
        store.transaction(() => {
          store.insert(asset('undone.txt', { meta: { tags: [], title: 'undone here' } }));
          throw new Error('roll back this part');
        }),
      );
    });
    indexMatchesRows();
    assert.deepEqual(paths({ texts: ['here'] }), ['documents/stays.txt']);
  });

  test('a search inside an open transaction finds the rows written before it', () => {
    store.transaction(() => {
      store.insert(asset('early.txt', { meta: { tags: [], title: 'written early' } }));
      assert.deepEqual(paths({ texts: ['early'] }), ['documents/early.txt']);
      store.insert(asset('late.txt', { meta: { tags: [], title: 'written late' } }));
    });
    indexMatchesRows();
    assert.deepEqual(paths({ texts: ['written'] }).sort(), ['documents/early.txt', 'documents/late.txt']);
  });

  test('rows another program wrote through the triggers are indexed before a text search', () => {
    const other = new Database(dbPath);
    try {
      other
        .prepare(
          `INSERT INTO assets (project_id, uid, type, path, hash, bytes, meta, created_at, updated_at,
             search_text) VALUES ('default', 'feedc0de00000000', 'documents', 'documents/x.txt', ?, 1, '{}', '', '',
             'documents/x.txt' || char(10) || 'outside writer')`,
        )
        .run(sha('x'));
    } finally {
      other.close();
    }
    assert.deepEqual(paths({ texts: ['outside'] }), ['documents/x.txt']);
    indexMatchesRows();
  });
});

describe('bulk writes (a rebuild)', () => {
  const interval = (): number => store.db.pragma('wal_autocheckpoint', { simple: true }) as number;

  test('checkpoint the WAL less often while they run, and as before afterwards, even after a failure', async () => {
    const before = interval();
    let during = 0;
    await store.bulkWrites(async () => {
      during = interval();
      store.transaction(() => add('bulk.txt'));
    });
    assert.ok(during > before, `${during} > ${before}`);
    assert.equal(interval(), before);
    await assert.rejects(
      store.bulkWrites(async () => {
        throw new Error('the rebuild failed');
      }),
      /the rebuild failed/,
    );
    assert.equal(interval(), before);
    // What the run wrote was checkpointed into the database file at its end.
    const [result] = store.db.pragma('wal_checkpoint(PASSIVE)') as Array<{
      log: number;
      checkpointed: number;
    }>;
    assert.equal(result?.log, result?.checkpointed);
    assert.deepEqual(paths({ texts: ['bulk'] }), ['documents/bulk.txt']);
  });
});

describe('delete', () => {
  test('removes the row, its search entries and its provenance', () => {
    const rec = add('gone.txt', { meta: { tags: ['ghost'], title: 'phantom' } });
    store.addProvenance('default', {
      asset_uid: rec.uid,
      source: 's',
      workflow_hash: null,
      commit_hash: null,
      inputs: {},
      c2pa_like: {},
      user_id: null,
      created_at: '2024-01-01 00:00:00',
    });
    assert.equal(store.listProvenance('default', rec.uid).length, 1);
    assert.equal(store.delete('default', rec.uid), true);
    assert.equal(store.getByUid('default', rec.uid), undefined);
    assert.deepEqual(paths({ texts: ['phantom'] }), []);
    assert.deepEqual(paths({ tags: ['ghost'] }), []);
    assert.deepEqual(store.listProvenance('default', rec.uid), []);
    assert.equal(search().total, 0);
  });

  test('an unknown uid returns false and removes nothing', () => {
    const rec = add('stay.txt');
    assert.equal(store.delete('default', 'ffffffffffffffff'), false);
    assert.equal(store.delete('other', rec.uid), false);
    assert.ok(store.getByUid('default', rec.uid));
  });

  test('the path can be reused after a delete', () => {
    const rec = add('reuse.txt');
    store.delete('default', rec.uid);
    const again = add('reuse-2', { path: rec.path, meta: { tags: ['second'] } });
    assert.deepEqual(paths({ tags: ['second'] }), [again.path]);
  });
});

describe('preview queue counts', () => {
  /** The counts as a scan of the queue gives them. */
  const scanned = (db: Database.Database): Record<string, number> => {
    const counts: Record<string, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const row of db
      .prepare('SELECT status, count(*) AS n FROM preview_jobs GROUP BY status')
      .all() as Array<{
      status: string;
      n: number;
    }>)
      counts[row.status] = row.n;
    return counts;
  };

  test('the counts per status follow every queueing, claim, outcome, re-queue and removal', () => {
    const rand = seededRandom(17);
    const records = Array.from({ length: 40 }, (_, i) => add(`pic-${i}.png`));
    const owner = `${process.pid}-test`;
    for (let step = 0; step < 600; step++) {
      const record = records[Math.floor(rand() * records.length)] as AssetRecord;
      const roll = rand();
      if (roll < 0.3)
        store.queuePreview('default', record.uid, rand() < 0.2 ? sha(`edit-${step}`) : record.hash);
      else if (roll < 0.5) store.claimPreviews(owner, 1 + Math.floor(rand() * 4));
      else if (roll < 0.85) {
        const running = store.runningPreviews();
        const job = running[Math.floor(rand() * running.length)];
        if (!job) continue;
        if (roll < 0.8) store.finishPreview(job, rand() < 0.7 ? 'done' : 'failed', 'bad bytes');
        else store.requeuePreview(job);
      } else if (roll < 0.9 && store.getByUid('default', record.uid)) store.delete('default', record.uid);
      assert.deepEqual(store.previewCounts(), scanned(store.db), `step ${step}`);
    }
    const counts = store.previewCounts();
    assert.ok(
      counts.done > 0 && counts.failed > 0 && counts.queued + counts.running > 0,
      JSON.stringify(counts),
    );
  });

  test('a registry from before the counts gets them from its queue', () => {
    const legacyPath = path.join(ws.dir, 'legacy-jobs.sqlite');
    const legacy = new Database(legacyPath);
    migrate(legacy, 16);
    const job = legacy.prepare(
      `INSERT INTO preview_jobs (project_id, uid, hash, status, updated_at) VALUES ('default', ?, 'h', ?, '')`,
    );
    ['done', 'done', 'done', 'failed', 'queued'].forEach((status, i) => job.run(`u${i}`, status));
    legacy.close();
    const upgraded = new SqliteStore(legacyPath);
    try {
      assert.deepEqual(upgraded.previewCounts(), { queued: 1, running: 0, done: 3, failed: 1 });
    } finally {
      upgraded.close();
    }
  });

  test('the upgrade makes again the previews of what may be animations, for their played preview', () => {
    // A registry at schema 17: previews made of a GIF (by a version that counted no frames), a
    // WebP and an Aseprite sprite counted animated, a still WebP, a PNG, a GIF whose preview
    // failed, and a row whose metadata is not JSON.
    const legacyPath = path.join(ws.dir, 'legacy-animations.sqlite');
    const legacy = new Database(legacyPath);
    migrate(legacy, 17);
    const rows: Array<[string, string, string]> = [
      ['spin', 'fx/Spin.GIF', 'done'],
      ['loop', 'fx/loop.webp', 'done'],
      ['walk', 'sprites/walk.aseprite', 'done'],
      ['photo', 'photos/photo.webp', 'done'],
      ['logo', 'ui/logo.png', 'done'],
      ['cut', 'fx/cut.gif', 'failed'],
      ['broken', 'fx/broken.webp', 'done'],
    ];
    const meta: Record<string, string> = {
      loop: JSON.stringify({ preview: { width: 64, height: 64, frames: 12 } }),
      walk: JSON.stringify({ preview: { width: 16, height: 16, frames: 4 } }),
      photo: JSON.stringify({ preview: { width: 1600, height: 900 } }),
      broken: '{not json',
    };
    const asset = legacy.prepare(
      `INSERT INTO assets (project_id, uid, type, path, hash, bytes, meta, created_at, updated_at)
       VALUES ('default', ?, 'images', ?, ?, 0, ?, '', '')`,
    );
    const job = legacy.prepare(
      `INSERT INTO preview_jobs (project_id, uid, hash, status, updated_at) VALUES ('default', ?, ?, ?, '')`,
    );
    for (const [uid, file, status] of rows) {
      asset.run(uid, file, sha(uid), meta[uid] ?? '{}');
      job.run(uid, sha(uid), status);
    }
    legacy.close();
    const upgraded = new SqliteStore(legacyPath);
    try {
      assert.deepEqual(
        rows.map(([uid]) => [uid, upgraded.previewJob('default', uid)?.status]),
        [
          ['spin', 'queued'],
          ['loop', 'queued'],
          ['walk', 'queued'],
          ['photo', 'done'],
          ['logo', 'done'],
          ['cut', 'failed'],
          ['broken', 'done'],
        ],
      );
      assert.deepEqual(upgraded.previewCounts(), { queued: 3, running: 0, done: 3, failed: 1 });
    } finally {
      upgraded.close();
    }
  });

  test('the upgrade queues the previews of the 3D models registered before models had any', () => {
    const legacyPath = path.join(ws.dir, 'legacy-models.sqlite');
    const legacy = new Database(legacyPath);
    migrate(legacy, 18);
    const asset = legacy.prepare(
      `INSERT INTO assets (project_id, uid, type, path, hash, bytes, meta, created_at, updated_at)
       VALUES (?, ?, 'models', ?, ?, 0, '{}', '', '')`,
    );
    const files: Array<[string, string, string]> = [
      ['default', 'crate', 'props/Crate.GLB'],
      ['default', 'ship', 'ships/ship.gltf'],
      ['dlc', 'hero', 'chars/hero.fbx'],
      ['default', 'rock', 'props/rock.obj'],
      ['default', 'notes', 'props/notes.txt'],
      ['default', 'logo', 'ui/logo.png'],
    ];
    for (const [project, uid, file] of files) asset.run(project, uid, file, sha(uid));
    // The picture's preview was made already.
    legacy
      .prepare(
        `INSERT INTO preview_jobs (project_id, uid, hash, status, updated_at) VALUES ('default', 'logo', ?, 'done', '')`,
      )
      .run(sha('logo'));
    legacy.close();
    const upgraded = new SqliteStore(legacyPath);
    try {
      assert.deepEqual(
        files.map(([project, uid]) => [uid, upgraded.previewJob(project, uid)?.status]),
        [
          ['crate', 'queued'],
          ['ship', 'queued'],
          ['hero', 'queued'],
          ['rock', 'queued'],
          ['notes', undefined],
          ['logo', 'done'],
        ],
      );
      assert.deepEqual(upgraded.previewCounts(), { queued: 4, running: 0, done: 1, failed: 0 });
    } finally {
      upgraded.close();
    }
  });
});

describe('provenance', () => {
  test('records are listed newest first with their JSON fields', () => {
    const rec = add('p.txt');
    const base = {
      asset_uid: rec.uid,
      workflow_hash: 'w',
      commit_hash: 'c',
      c2pa_like: { claim: 'x' },
      user_id: 'u',
      created_at: '2024-01-01 00:00:00',
    };
    const first = store.addProvenance('default', { ...base, source: 'first', inputs: { seed: 1 } });
    const second = store.addProvenance('default', { ...base, source: 'second', inputs: { seed: 2 } });
    assert.ok(second.id > first.id);
    const list = store.listProvenance('default', rec.uid);
    assert.deepEqual(
      list.map((p) => p.source),
      ['second', 'first'],
    );
    assert.deepEqual(list[0], second);
    assert.deepEqual(list[1]?.inputs, { seed: 1 });
    assert.deepEqual(store.listProvenance('other', rec.uid), []);
  });
});

describe('event log', () => {
  const envelope = (uid: string): HookEnvelope => ({
    event: 'asset_meta_updated',
    ts: 1700000000.5,
    project_id: 'default',
    data: { uid, type: 't', meta: { tags: [] }, path: 'p', sidecar: 'p.asset.json' },
  });

  test('append returns increasing sequence numbers; eventsAfter returns later events in order', () => {
    const seqs = ['a', 'b', 'c', 'd'].map((uid) => store.appendEvent(envelope(uid), 'proc-1'));
    assert.deepEqual(
      seqs,
      [...seqs].sort((x, y) => x - y),
    );
    assert.equal(new Set(seqs).size, 4);
    const after = store.eventsAfter(seqs[1] as number);
    assert.deepEqual(
      after.map((e) => (JSON.parse(e.data) as { uid: string }).uid),
      ['c', 'd'],
    );
    assert.equal(after[0]?.event, 'asset_meta_updated');
    assert.equal(after[0]?.origin, 'proc-1');
    assert.equal(after[0]?.project_id, 'default');
    assert.equal(after[0]?.ts, 1700000000.5);
    assert.deepEqual(
      store.eventsAfter(0, 2).map((e) => e.seq),
      seqs.slice(0, 2),
    );
    assert.deepEqual(store.eventsAfter(seqs[3] as number), []);
  });

  test('lastEvents returns the newest n, oldest first; maxEventSeq is the last seq', () => {
    assert.equal(store.maxEventSeq(), 0);
    const seqs = ['a', 'b', 'c'].map((uid) => store.appendEvent(envelope(uid), 'x'));
    assert.deepEqual(
      store.lastEvents(2).map((e) => e.seq),
      seqs.slice(1),
    );
    assert.deepEqual(
      store.lastEvents(10).map((e) => e.seq),
      seqs,
    );
    assert.equal(store.maxEventSeq(), seqs[2]);
  });

  test('events persist for another connection to the same file (another process)', () => {
    const seq = store.appendEvent(envelope('shared'), 'writer');
    const reader = new SqliteStore(dbPath);
    try {
      const events = reader.eventsAfter(seq - 1);
      assert.equal(events.length, 1);
      assert.equal((JSON.parse(events[0]?.data ?? '{}') as { uid: string }).uid, 'shared');
    } finally {
      reader.close();
    }
  });
});

describe('folder counts', () => {
  test('each folder with what is below it, not a folder whose name only starts the same; up to the cap', () => {
    for (const rel of ['bg/a.png', 'bg/b.png', 'bg/night/c.png', 'bg-old/d.png', 'bgm/e.ogg', 'top.txt'])
      add(rel, { path: rel });
    assert.deepEqual(
      Object.fromEntries(store.folderCounts('default', ['bg', 'bg-old', 'bgm', 'bg/night', 'none'], 10)),
      { bg: 3, 'bg-old': 1, bgm: 1, 'bg/night': 1, none: 0 },
    );
    assert.equal(store.folderCounts('default', ['bg'], 2).get('bg'), 3, 'past the cap: cap + 1');
    assert.equal(store.folderCounts('default', ['bg'], 3).get('bg'), 3, 'exactly the cap');
    assert.equal(store.folderCounts('default', ['bg'], 1).get('bg'), 2, 'read no further than cap + 1');
  });
});

describe('fingerprints in memory', () => {
  const fingerprint = (n: number): string => n.toString(16).padStart(16, '0');

  test('kept across writes that leave every fingerprint as it was; read again when one changes', () => {
    const a = add('a.png');
    const b = add('b.png');
    store.setPictureFacts('default', a.uid, a.hash, { dhash: fingerprint(1), colors: null });
    store.setPictureFacts('default', b.uid, b.hash, { dhash: fingerprint(3), colors: null });
    const first = store.pictureIndex('default');
    assert.deepEqual(first.lookalikes().length, 2, 'two bits apart');

    // Tags, another file, a move: the same fingerprints, the same index (not read again).
    store.updateMeta({ ...a, meta: { tags: ['edited'] } });
    add('notes.txt');
    store.update({ ...b, path: 'moved/b.png' });
    assert.equal(store.pictureIndex('default'), first);

    // A fingerprint set, cleared by new content, or gone with its row: read again, and right.
    const c = add('c.png');
    store.setPictureFacts('default', c.uid, c.hash, { dhash: fingerprint(0xffff), colors: null });
    const third = store.pictureIndex('default');
    assert.notEqual(third, first);
    assert.equal(third.near(fingerprint(0xffff), 0).length, 1);
    store.update({ ...c, hash: sha('new bytes') });
    assert.equal(store.pictureIndex('default').near(fingerprint(0xffff), 0).length, 0, 'new content');
    store.delete('default', b.uid);
    assert.deepEqual(store.pictureIndex('default').lookalikes(), [], 'b is gone');
    // Another project's fingerprints do not move this one's.
    const mine = store.pictureIndex('default');
    const theirs = add('x.png', { projectId: 'other' });
    store.setPictureFacts('other', theirs.uid, theirs.hash, { dhash: fingerprint(7), colors: null });
    assert.equal(store.pictureIndex('default'), mine);
  });

  test('a fingerprint written in a transaction that rolls back is not kept', () => {
    const a = add('a.png');
    store.setPictureFacts('default', a.uid, a.hash, { dhash: fingerprint(9), colors: null });
    assert.throws(() =>
      store.transaction(() => {
        store.setPictureFacts('default', a.uid, a.hash, { dhash: fingerprint(0xabcdef), colors: null });
        assert.equal(store.pictureIndex('default').near(fingerprint(0xabcdef), 0).length, 1);
        throw new Error('rolled back');
      }),
    );
    const after = store.pictureIndex('default');
    assert.equal(after.near(fingerprint(0xabcdef), 0).length, 0);
    assert.equal(after.near(fingerprint(9), 0).length, 1);
  });
});

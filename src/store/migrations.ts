/**
 * Schema migrations, applied in order from an empty file; `PRAGMA user_version` records how far
 * a database has come. Derived search structures (tag index, trigram index) are maintained by
 * triggers from columns the registry computes, in the same transaction as the row (the trigram
 * index through a list of noted rows that the store hands to it before each commit).
 * A migration is SQL, or a function for what SQL cannot do quickly.
 */
import type Database from 'better-sqlite3';
import { filterKeys, searchText } from '../domain/asset.js';
import { storedObject } from '../domain/json.js';
import { sameTextKey, searchKey } from '../domain/text-keys.js';
import { noteSearchChars } from './search-chars.js';

interface StoredKeys {
  rowid: number;
  search_text: string;
  tags_norm: string;
  license_norm: string | null;
}

/** Whether a row's stored search text and filter keys are already in the folded forms. */
const folded = (row: StoredKeys): boolean =>
  row.search_text === searchKey(row.search_text) &&
  row.tags_norm === sameTextKey(row.tags_norm) &&
  (row.license_norm ?? '') === sameTextKey(row.license_norm ?? '');

export type Migration = string | ((db: Database.Database) => void);

export const MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE assets (
    rowid          INTEGER PRIMARY KEY,
    project_id     TEXT    NOT NULL,
    uid            TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    path           TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    bytes          INTEGER NOT NULL,
    meta           TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    path_thumb     TEXT,
    tags_norm      TEXT    NOT NULL DEFAULT '[]',
    license_norm   TEXT,
    search_text    TEXT    NOT NULL DEFAULT '',
    file_mtime_ms  REAL,
    UNIQUE (project_id, uid),
    UNIQUE (project_id, path)
  );
  CREATE INDEX assets_hash    ON assets (project_id, hash);
  CREATE INDEX assets_type    ON assets (project_id, type, rowid);
  CREATE INDEX assets_license ON assets (project_id, license_norm, rowid);
  CREATE INDEX assets_bytes   ON assets (project_id, bytes, rowid);
  CREATE INDEX assets_path_any ON assets (path);

  CREATE TABLE asset_tags (
    tag         TEXT    NOT NULL,
    asset_rowid INTEGER NOT NULL REFERENCES assets (rowid) ON DELETE CASCADE,
    PRIMARY KEY (tag, asset_rowid)
  ) WITHOUT ROWID;
  CREATE INDEX asset_tags_by_asset ON asset_tags (asset_rowid);

  CREATE VIRTUAL TABLE assets_fts USING fts5 (
    search_text, content = 'assets', content_rowid = 'rowid', tokenize = 'trigram'
  );

  CREATE TRIGGER assets_after_insert AFTER INSERT ON assets BEGIN
    INSERT INTO assets_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
    INSERT OR IGNORE INTO asset_tags (tag, asset_rowid) SELECT value, new.rowid FROM json_each(new.tags_norm);
  END;
  CREATE TRIGGER assets_after_delete AFTER DELETE ON assets BEGIN
    INSERT INTO assets_fts (assets_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
  END;
  CREATE TRIGGER assets_after_update_text AFTER UPDATE OF search_text ON assets BEGIN
    INSERT INTO assets_fts (assets_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO assets_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
  END;
  CREATE TRIGGER assets_after_update_tags AFTER UPDATE OF tags_norm ON assets BEGIN
    DELETE FROM asset_tags WHERE asset_rowid = new.rowid;
    INSERT OR IGNORE INTO asset_tags (tag, asset_rowid) SELECT value, new.rowid FROM json_each(new.tags_norm);
  END;

  CREATE TABLE provenance (
    id            INTEGER PRIMARY KEY,
    project_id    TEXT NOT NULL,
    asset_uid     TEXT NOT NULL,
    source        TEXT NOT NULL,
    workflow_hash TEXT,
    commit_hash   TEXT,
    inputs_json   TEXT NOT NULL DEFAULT '{}',
    c2pa_like     TEXT NOT NULL DEFAULT '{}',
    user_id       TEXT,
    created_at    TEXT NOT NULL
  );
  CREATE INDEX provenance_by_asset ON provenance (project_id, asset_uid, id);

  CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    ts         REAL    NOT NULL,
    event      TEXT    NOT NULL,
    project_id TEXT    NOT NULL,
    origin     TEXT    NOT NULL,
    data       TEXT    NOT NULL
  );
  `,
  `
  CREATE TABLE preview_jobs (
    project_id TEXT    NOT NULL,
    uid        TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    error      TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    owner      TEXT,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (project_id, uid)
  );
  CREATE INDEX preview_jobs_by_status ON preview_jobs (status, updated_at);
  `,
  `
  ALTER TABLE assets ADD COLUMN sidecar_mtime_ms REAL;
  `,
  // The file's inode and device beside its size and mtime: a file replaced by another with the
  // same size and mtime is re-read, and a rename is found by inode without reading the file.
  // Rows from before stay NULL until the next rebuild records them.
  `
  ALTER TABLE assets ADD COLUMN file_ino INTEGER;
  ALTER TABLE assets ADD COLUMN file_dev INTEGER;
  CREATE INDEX assets_file_ino ON assets (project_id, file_ino);
  `,
  // Exact counts kept by triggers, so a search's \`total\` and the facets need no scan: rows per
  // project (dim '' : the project total), per type, per licence and per tag. Updates touch the
  // counts only when a counted column changes. Rows may fall to n = 0; readers skip those.
  // Two narrow indexes for paging: (project_id) ends in the row id, so "newest first" at any
  // offset walks ~15-byte entries instead of ~1 KB rows; (project_id, type, path) serves a type
  // filter sorted by path without reading and sorting every row of the type.
  `
  CREATE TABLE asset_counts (
    project_id TEXT    NOT NULL,
    dim        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (project_id, dim, value)
  ) WITHOUT ROWID;
  INSERT INTO asset_counts SELECT project_id, '', '', count(*) FROM assets GROUP BY project_id;
  INSERT INTO asset_counts SELECT project_id, 'type', type, count(*) FROM assets GROUP BY project_id, type;
  INSERT INTO asset_counts SELECT project_id, 'license', license_norm, count(*) FROM assets
    WHERE license_norm IS NOT NULL GROUP BY project_id, license_norm;
  INSERT INTO asset_counts SELECT a.project_id, 'tag', t.tag, count(*) FROM asset_tags t
    JOIN assets a ON a.rowid = t.asset_rowid GROUP BY a.project_id, t.tag;

  CREATE TRIGGER asset_counts_insert AFTER INSERT ON assets BEGIN
    INSERT INTO asset_counts VALUES (new.project_id, '', '', 1), (new.project_id, 'type', new.type, 1)
      ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO asset_counts SELECT new.project_id, 'license', new.license_norm, 1
      WHERE new.license_norm IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO asset_counts SELECT DISTINCT new.project_id, 'tag', value, 1 FROM json_each(new.tags_norm)
      WHERE true ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER asset_counts_delete AFTER DELETE ON assets BEGIN
    UPDATE asset_counts SET n = n - 1 WHERE project_id = old.project_id AND dim = '' AND value = '';
    UPDATE asset_counts SET n = n - 1 WHERE project_id = old.project_id AND dim = 'type' AND value = old.type;
    UPDATE asset_counts SET n = n - 1
      WHERE project_id = old.project_id AND dim = 'license' AND value = old.license_norm;
    UPDATE asset_counts SET n = n - 1 WHERE project_id = old.project_id AND dim = 'tag'
      AND value IN (SELECT value FROM json_each(old.tags_norm));
  END;
  CREATE TRIGGER asset_counts_update_columns AFTER UPDATE OF project_id, type, license_norm ON assets
  WHEN old.project_id IS NOT new.project_id OR old.type IS NOT new.type OR old.license_norm IS NOT new.license_norm
  BEGIN
    UPDATE asset_counts SET n = n - 1 WHERE project_id = old.project_id AND dim = '' AND value = '';
    UPDATE asset_counts SET n = n - 1 WHERE project_id = old.project_id AND dim = 'type' AND value = old.type;
    UPDATE asset_counts SET n = n - 1
      WHERE project_id = old.project_id AND dim = 'license' AND value = old.license_norm;
    INSERT INTO asset_counts VALUES (new.project_id, '', '', 1), (new.project_id, 'type', new.type, 1)
      ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO asset_counts SELECT new.project_id, 'license', new.license_norm, 1
      WHERE new.license_norm IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER asset_counts_update_tags AFTER UPDATE OF project_id, tags_norm ON assets
  WHEN old.project_id IS NOT new.project_id OR old.tags_norm IS NOT new.tags_norm
  BEGIN
    UPDATE asset_counts SET n = n - 1 WHERE project_id = old.project_id AND dim = 'tag'
      AND value IN (SELECT value FROM json_each(old.tags_norm));
    INSERT INTO asset_counts SELECT DISTINCT new.project_id, 'tag', value, 1 FROM json_each(new.tags_norm)
      WHERE true ON CONFLICT DO UPDATE SET n = n + 1;
  END;

  CREATE INDEX assets_project ON assets (project_id);
  CREATE INDEX assets_type_path ON assets (project_id, type, path);
  `,
  // The trigram index is written once per transaction instead of row by row. FTS5 writes its
  // pending entries out as a new segment at every statement savepoint, so each row's trigger made
  // a one-row segment (and merges): ~40 us of a new asset's ~120. The triggers now note the row
  // (and the text the index holds for it, to delete); the store's transactions hand the noted
  // rows to the index in two statements before they commit (`flushSearchIndex`).
  `
  CREATE TABLE fts_pending (
    id       INTEGER PRIMARY KEY, -- the asset's rowid
    old_text TEXT                 -- the text the index holds for it; NULL: none yet
  );
  DROP TRIGGER assets_after_insert;
  CREATE TRIGGER assets_after_insert AFTER INSERT ON assets BEGIN
    INSERT INTO fts_pending (id, old_text) VALUES (new.rowid, NULL) ON CONFLICT DO NOTHING;
    INSERT OR IGNORE INTO asset_tags (tag, asset_rowid) SELECT value, new.rowid FROM json_each(new.tags_norm);
  END;
  DROP TRIGGER assets_after_delete;
  CREATE TRIGGER assets_after_delete AFTER DELETE ON assets BEGIN
    INSERT INTO fts_pending (id, old_text) VALUES (old.rowid, old.search_text) ON CONFLICT DO NOTHING;
  END;
  DROP TRIGGER assets_after_update_text;
  CREATE TRIGGER assets_after_update_text AFTER UPDATE OF search_text ON assets BEGIN
    INSERT INTO fts_pending (id, old_text) VALUES (old.rowid, old.search_text) ON CONFLICT DO NOTHING;
  END;
  `,
  // Every character any search text holds, for needles of 2 characters (see search-chars.ts).
  // Splitting every text into characters is a loop in JavaScript (~5 s at 1,000,000 assets,
  // once), not a recursive query. From here on the store's flush adds new characters.
  (db) => {
    db.exec('CREATE TABLE search_chars (ch TEXT PRIMARY KEY) WITHOUT ROWID');
    const texts = db.prepare<[], string>('SELECT search_text FROM assets').pluck();
    noteSearchChars(db, texts.iterate(), new Set());
  },
  // A row changed whose sidecar write has not been seen landing. An API edit keeps the recorded
  // sidecar mtime while its write is under way (a sidecar on disk at that mtime is then not a
  // hand edit), so a crash before the write landed left a sidecar the rebuild took as current;
  // this flag has the rebuild write it again from the row.
  `ALTER TABLE assets ADD COLUMN sidecar_due INTEGER NOT NULL DEFAULT 0`,
  // Search texts and filter keys Unicode-normalised as well as lowercase (domain/text-keys.ts).
  // Only rows not already in that form are read whole and rewritten: none, for plain ASCII. The
  // triggers note the new texts for the trigram index and re-file the tags.
  (db) => {
    const page = db.prepare<[number], StoredKeys>(
      'SELECT rowid, search_text, tags_norm, license_norm FROM assets WHERE rowid > ? ORDER BY rowid LIMIT 5000',
    );
    const whole = db.prepare<[number], { uid: string; path: string; meta: string }>(
      'SELECT uid, path, meta FROM assets WHERE rowid = ?',
    );
    const update = db.prepare<[string, string, string | null, number]>(
      'UPDATE assets SET search_text = ?, tags_norm = ?, license_norm = ? WHERE rowid = ?',
    );
    for (let rows = page.all(0); rows.length; rows = page.all(rows[rows.length - 1]?.rowid ?? 0)) {
      for (const row of rows) {
        const stored = folded(row) ? undefined : whole.get(row.rowid);
        if (!stored) continue;
        const meta = storedObject(stored.meta);
        const keys = filterKeys(meta);
        update.run(
          searchText(stored.uid, stored.path, meta),
          JSON.stringify(keys.tags),
          keys.license,
          row.rowid,
        );
      }
    }
  },
  // A picture's width and height and a sound's length (seconds) as columns, for sorting and for
  // bounds (`min_width`, `max_duration`): 0 for none. Kept from the metadata's preview facts by
  // the store's writes (`mediaFacts`); here filled once from the rows' stored preview, with the
  // same rules (a positive number up to 1e9, pixels rounded); only rows with a number there are
  // rewritten (~13 s for 1,000,000 that all have one, once). Indexed like bytes, for sorting.
  `
  ALTER TABLE assets ADD COLUMN width    INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE assets ADD COLUMN height   INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE assets ADD COLUMN duration REAL    NOT NULL DEFAULT 0;
  UPDATE assets SET
    width = CASE WHEN json_type(meta, '$.preview.width') IN ('integer', 'real')
                  AND json_extract(meta, '$.preview.width') > 0 AND json_extract(meta, '$.preview.width') <= 1e9
             THEN CAST(round(json_extract(meta, '$.preview.width')) AS INTEGER) ELSE 0 END,
    height = CASE WHEN json_type(meta, '$.preview.height') IN ('integer', 'real')
                   AND json_extract(meta, '$.preview.height') > 0 AND json_extract(meta, '$.preview.height') <= 1e9
             THEN CAST(round(json_extract(meta, '$.preview.height')) AS INTEGER) ELSE 0 END,
    duration = CASE WHEN json_type(meta, '$.preview.duration') IN ('integer', 'real')
                     AND json_extract(meta, '$.preview.duration') > 0 AND json_extract(meta, '$.preview.duration') <= 1e9
             THEN json_extract(meta, '$.preview.duration') ELSE 0 END
  WHERE json_valid(meta) AND json_type(meta, '$.preview') = 'object'
    AND (json_type(meta, '$.preview.width') IN ('integer', 'real')
      OR json_type(meta, '$.preview.height') IN ('integer', 'real')
      OR json_type(meta, '$.preview.duration') IN ('integer', 'real'));
  CREATE INDEX assets_width    ON assets (project_id, width, rowid);
  CREATE INDEX assets_duration ON assets (project_id, duration, rowid);
  `,
  // A picture's fingerprint (previews/picture-hash.ts), for finding near-duplicates; NULL until
  // its preview makes one ('' when an older preview's thumbnail could not give one). Not metadata (not in the sidecar): derived from the file like its
  // thumbnails. The second index lists the pictures still to fingerprint (those previewed before
  // fingerprints existed: every picture of an older registry, emptied from their thumbnails by
  // the preview queue), so finding them costs nothing once done.
  `
  ALTER TABLE assets ADD COLUMN dhash TEXT;
  CREATE INDEX assets_dhash ON assets (project_id, dhash) WHERE dhash IS NOT NULL;
  CREATE INDEX assets_unfingerprinted ON assets (project_id, uid) WHERE width > 0 AND dhash IS NULL;
  `,
  // The change log (store/change-log.ts): each edit through the registry and, per asset, what it
  // changed before and after (`subject`: the metadata keys, or the file's path for a move), so
  // that it can be undone. `undone_by` is the undo that took it back (an undo is a change too:
  // undoing it redoes).
  `
  CREATE TABLE changes (
    id         INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT 'metadata',
    summary    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    assets     INTEGER NOT NULL DEFAULT 0,
    undo_of    INTEGER,
    undone_by  INTEGER
  );
  CREATE INDEX changes_project ON changes (project_id, id);
  CREATE TABLE change_items (
    change_id INTEGER NOT NULL,
    uid       TEXT NOT NULL,
    before    TEXT NOT NULL,
    after     TEXT NOT NULL,
    PRIMARY KEY (change_id, uid)
  ) WITHOUT ROWID;
  CREATE INDEX change_items_uid ON change_items (uid, change_id);
  `,
  // A counter per project that moves whenever a fingerprint does (set, cleared, its row gone or
  // moved to another project): the fingerprints read into memory for similar pictures stay
  // valid across every other write (tags, licences, moves, other files), instead of being read
  // again (~100 ms at 400,000 pictures) after each.
  `
  CREATE TABLE picture_epochs (project_id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TRIGGER assets_dhash_updated AFTER UPDATE OF dhash, project_id ON assets
    WHEN old.dhash IS NOT new.dhash OR (old.dhash IS NOT NULL AND old.project_id != new.project_id)
  BEGIN
    INSERT INTO picture_epochs (project_id, n) VALUES (old.project_id, 1)
      ON CONFLICT (project_id) DO UPDATE SET n = n + 1;
    INSERT INTO picture_epochs (project_id, n) SELECT new.project_id, 1 WHERE new.project_id != old.project_id
      ON CONFLICT (project_id) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER assets_dhash_deleted AFTER DELETE ON assets WHEN old.dhash IS NOT NULL
  BEGIN
    INSERT INTO picture_epochs (project_id, n) VALUES (old.project_id, 1)
      ON CONFLICT (project_id) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER assets_dhash_inserted AFTER INSERT ON assets WHEN new.dhash IS NOT NULL
  BEGIN
    INSERT INTO picture_epochs (project_id, n) VALUES (new.project_id, 1)
      ON CONFLICT (project_id) DO UPDATE SET n = n + 1;
  END;
  `,
  // A picture's colours (previews/picture-colors.ts), found with its fingerprint and, like it,
  // derived from the file, not metadata (not in the sidecar: a new version of the product must not
  // rewrite every sidecar of a studio that keeps them under version control). \`colors\`: a bit per
  // colour covering enough of it (domain/facets.ts), bit 12 for transparent parts; NULL until
  // found, -1 when there are none to find (a font, a video without a poster, an unreadable
  // thumbnail). \`palette\`: the colours as JSON. Pictures previewed before are given theirs from
  // their thumbnails by the preview queue, with the fingerprints: the index of those still to do
  // now lists both.
  `
  ALTER TABLE assets ADD COLUMN colors INTEGER;
  ALTER TABLE assets ADD COLUMN palette TEXT;
  DROP INDEX assets_unfingerprinted;
  CREATE INDEX assets_unfingerprinted ON assets (project_id, uid)
    WHERE width > 0 AND (dhash IS NULL OR colors IS NULL);
  `,
  // The colours as a table the search seeks in, as it does the tags: a row per bit set in a
  // picture's mask (a colour, or 12 for transparent parts), kept by triggers. A bit test on the
  // column read every row of the order's index (at 100,000 assets a rare colour's first page
  // took ~80 ms, against 5-30 ms for the other filters).
  `
  CREATE TABLE color_bits (bit INTEGER PRIMARY KEY);
  INSERT INTO color_bits (bit) VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12);
  CREATE TABLE asset_colors (
    color       INTEGER NOT NULL,
    asset_rowid INTEGER NOT NULL,
    PRIMARY KEY (color, asset_rowid)
  ) WITHOUT ROWID;
  INSERT INTO asset_colors (color, asset_rowid)
    SELECT b.bit, a.rowid FROM assets a, color_bits b WHERE a.colors > 0 AND a.colors & (1 << b.bit);
  CREATE TRIGGER assets_colors_updated AFTER UPDATE OF colors ON assets WHEN old.colors IS NOT new.colors
  BEGIN
    DELETE FROM asset_colors WHERE asset_rowid = old.rowid
      AND color IN (SELECT bit FROM color_bits WHERE old.colors > 0 AND old.colors & (1 << bit));
    INSERT INTO asset_colors (color, asset_rowid)
      SELECT bit, new.rowid FROM color_bits WHERE new.colors > 0 AND new.colors & (1 << bit);
  END;
  CREATE TRIGGER assets_colors_deleted AFTER DELETE ON assets WHEN old.colors > 0
  BEGIN
    DELETE FROM asset_colors WHERE asset_rowid = old.rowid
      AND color IN (SELECT bit FROM color_bits WHERE old.colors & (1 << bit));
  END;
  `,
  // Pictures per colour in the counter table (dim 'color', the colour's name; 'transparent' for
  // bit 12), kept by the colour triggers: the Color list's counts and a colour's total are a row
  // each, as a tag's are.
  `
  ALTER TABLE color_bits ADD COLUMN name TEXT;
  UPDATE color_bits SET name = CASE bit
    WHEN 0 THEN 'red' WHEN 1 THEN 'orange' WHEN 2 THEN 'yellow' WHEN 3 THEN 'green' WHEN 4 THEN 'cyan'
    WHEN 5 THEN 'blue' WHEN 6 THEN 'purple' WHEN 7 THEN 'pink' WHEN 8 THEN 'brown' WHEN 9 THEN 'black'
    WHEN 10 THEN 'gray' WHEN 11 THEN 'white' ELSE 'transparent' END;
  INSERT INTO asset_counts (project_id, dim, value, n)
    SELECT a.project_id, 'color', b.name, count(*) FROM asset_colors c
    JOIN assets a ON a.rowid = c.asset_rowid JOIN color_bits b ON b.bit = c.color
    GROUP BY a.project_id, b.name;
  DROP TRIGGER assets_colors_updated;
  CREATE TRIGGER assets_colors_updated AFTER UPDATE OF colors, project_id ON assets
    WHEN old.colors IS NOT new.colors OR old.project_id IS NOT new.project_id
  BEGIN
    DELETE FROM asset_colors WHERE asset_rowid = old.rowid
      AND color IN (SELECT bit FROM color_bits WHERE old.colors > 0 AND old.colors & (1 << bit));
    UPDATE asset_counts SET n = n - 1 WHERE project_id = old.project_id AND dim = 'color'
      AND value IN (SELECT name FROM color_bits WHERE old.colors > 0 AND old.colors & (1 << bit));
    INSERT INTO asset_colors (color, asset_rowid)
      SELECT bit, new.rowid FROM color_bits WHERE new.colors > 0 AND new.colors & (1 << bit);
    INSERT INTO asset_counts (project_id, dim, value, n)
      SELECT new.project_id, 'color', name, 1 FROM color_bits WHERE new.colors > 0 AND new.colors & (1 << bit)
      ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  DROP TRIGGER assets_colors_deleted;
  CREATE TRIGGER assets_colors_deleted AFTER DELETE ON assets WHEN old.colors > 0
  BEGIN
    DELETE FROM asset_colors WHERE asset_rowid = old.rowid
      AND color IN (SELECT bit FROM color_bits WHERE old.colors & (1 << bit));
    UPDATE asset_counts SET n = n - 1 WHERE project_id = old.project_id AND dim = 'color'
      AND value IN (SELECT name FROM color_bits WHERE old.colors & (1 << bit));
  END;
  `,
  // The preview queue's counts per status, kept by triggers: GET /api/previews (read by the studio
  // every 2 s while previews are made) and a waiting rebuild's checks counted every job through the
  // status index, 53 ms at 1,000,000 jobs on the thread that answers requests; a row each now.
  `
  CREATE TABLE preview_job_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO preview_job_counts (status, n) SELECT status, count(*) FROM preview_jobs GROUP BY status;
  CREATE TRIGGER preview_jobs_counted_insert AFTER INSERT ON preview_jobs BEGIN
    INSERT INTO preview_job_counts (status, n) VALUES (new.status, 1) ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER preview_jobs_counted_delete AFTER DELETE ON preview_jobs BEGIN
    UPDATE preview_job_counts SET n = n - 1 WHERE status = old.status;
  END;
  CREATE TRIGGER preview_jobs_counted_update AFTER UPDATE OF status ON preview_jobs
    WHEN old.status IS NOT new.status
  BEGIN
    UPDATE preview_job_counts SET n = n - 1 WHERE status = old.status;
    INSERT INTO preview_job_counts (status, n) VALUES (new.status, 1) ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  `,
  // Animations got a played preview (previews/animation.ts): the previews made before it are made
  // again for what may be an animation: every GIF, and what an earlier version counted frames in
  // (a WebP, an Aseprite sprite). A still WebP is left alone.
  `
  UPDATE preview_jobs SET status = 'queued', error = NULL, attempts = 0, owner = NULL
  WHERE status = 'done' AND EXISTS (
    SELECT 1 FROM assets a WHERE a.project_id = preview_jobs.project_id AND a.uid = preview_jobs.uid
      AND (lower(a.path) LIKE '%.gif'
        OR CASE WHEN json_valid(a.meta) THEN json_extract(a.meta, '$.preview.frames') END > 1));
  `,
  // 3D models got previews (their facts; the studio draws their picture): the models registered
  // before have their preview queued, as a rebuild would queue it.
  `
  INSERT INTO preview_jobs (project_id, uid, hash, status, updated_at)
    SELECT project_id, uid, hash, 'queued', datetime('now') FROM assets
    WHERE (lower(path) LIKE '%.glb' OR lower(path) LIKE '%.gltf' OR lower(path) LIKE '%.fbx'
        OR lower(path) LIKE '%.obj')
  ON CONFLICT (project_id, uid) DO NOTHING;
  `,
  // USD models too (.usd, .usda, .usdc, .usdz), likewise.
  `
  INSERT INTO preview_jobs (project_id, uid, hash, status, updated_at)
    SELECT project_id, uid, hash, 'queued', datetime('now') FROM assets
    WHERE (lower(path) LIKE '%.usd' OR lower(path) LIKE '%.usda' OR lower(path) LIKE '%.usdc'
        OR lower(path) LIKE '%.usdz')
  ON CONFLICT (project_id, uid) DO NOTHING;
  `,
];

/**
 * Brings `db` from the schema it is at up to `upTo` (all by default), each migration in a
 * transaction of its own with the version it reaches. (Tests stop short, to open an older
 * registry with the current code.)
 */
export function migrate(db: Database.Database, upTo = MIGRATIONS.length): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let i = version; i < upTo; i++) {
    db.transaction(() => {
      const migration = MIGRATIONS[i] as Migration;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.pragma(`user_version = ${i + 1}`);
    }).immediate();
  }
}

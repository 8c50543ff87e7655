/**
 * Schema migrations, applied in order from an empty file; `PRAGMA user_version` records how far
 * a database has come. Derived search structures (tag index, trigram index) are maintained by
 * triggers from columns the registry computes, in the same transaction as the row.
 */
export const MIGRATIONS: readonly string[] = [
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
];

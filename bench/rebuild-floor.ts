/**
 * The floor under the cold-rebuild target: the least a registry can do for each file of a tree
 * (hash it on two threads, write a JSON sidecar atomically, insert a row), timed against
 * `openssl dgst -sha256` over the same files. Not the product: a measurement of what the target
 * leaves room for (bench/RESULTS.md, "The floor").
 *
 *   npx tsx bench/rebuild-floor.ts <root> [hash|sidecars|rows|mirror] [read size in KiB: 256, as ours]
 *
 * `hash`: hashing alone; `sidecars`: and a sidecar per file (temp file, rename, one `sync -f` at
 * the end); `rows`: and a row per file in SQLite (WAL, 512 a transaction) with a path index, a
 * hash index and a trigram full-text index of the path; `mirror`: and the mirror of each sidecar
 * the product document asks for (`_meta/...`, here `<root>/.floor-<time>/...`), a hard link as
 * the product's. Sidecars are written as `<file>.floor-<time>.json` so that no run deletes
 * another's (ext4 without a journal makes creating inodes slower for minutes after deletions);
 * remove them with `find <root> -name '*.floor-*.json' -delete` (and the `.floor-*` folders).
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const MODES = ['hash', 'sidecars', 'rows', 'mirror'];
// Plain JavaScript, so the threads start without a TypeScript loader.
const HASH_THREAD = `
const fs = require('node:fs');
const crypto = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const buffer = Buffer.allocUnsafe(workerData.chunk);
const out = [];
for (const file of workerData.files) {
  const fd = fs.openSync(file, 'r');
  const hash = crypto.createHash('sha256');
  for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
  fs.closeSync(fd);
  out.push([file, hash.digest('hex')]);
  if (out.length >= 256) parentPort.postMessage(out.splice(0));
}
parentPort.postMessage(out.splice(0));
parentPort.postMessage(null);
`;

function listFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === '_meta') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !entry.name.endsWith('.json')) files.push(full);
    }
  };
  walk(root);
  return files;
}

const [root, mode = 'rows', chunkKiB = '256'] = process.argv.slice(2);
if (!root || !MODES.includes(mode)) {
  process.stderr.write(`usage: tsx bench/rebuild-floor.ts <root> [${MODES.join('|')}] [read KiB]\n`);
  process.exit(2);
}
let started = performance.now();
const files = listFiles(root);
const walkSeconds = (performance.now() - started) / 1000;
const list = path.join(os.tmpdir(), `floor-list-${process.pid}`);
fs.writeFileSync(list, files.join('\0'));
const timed = (command: string): number => {
  const t = performance.now();
  execFileSync('sh', ['-c', command]);
  return (performance.now() - t) / 1000;
};
const openssl = Math.min(...[0, 1].map(() => timed(`xargs -0 openssl dgst -sha256 < '${list}' > /dev/null`)));
fs.rmSync(list);

// The walk counts (the rebuild's figure includes its scan); openssl is given the list.
started = performance.now() - walkSeconds * 1000;
const dbFile = path.join(os.tmpdir(), `floor-${process.pid}.sqlite`);
const db = mode === 'rows' || mode === 'mirror' ? new Database(dbFile) : undefined;
const insertBatch = db
  ? (() => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(`CREATE TABLE asset (uid TEXT PRIMARY KEY, path TEXT UNIQUE, hash TEXT, meta TEXT);
        CREATE INDEX asset_hash ON asset(hash);
        CREATE VIRTUAL TABLE asset_text USING fts5(t, tokenize='trigram', detail='none');`);
      const row = db.prepare('INSERT INTO asset VALUES (?, ?, ?, ?)');
      const text = db.prepare('INSERT INTO asset_text(rowid, t) VALUES (last_insert_rowid(), ?)');
      let uid = 0;
      return db.transaction((rows: Array<[string, string, string]>) => {
        for (const [file, hash, meta] of rows) {
          row.run(String(++uid), file, hash, meta);
          text.run(file);
        }
      });
    })()
  : undefined;
const suffix = `.floor-${Date.now()}.json`;
const mirrorRoot = path.join(root, `.floor-${Date.now()}`);
const mirrorDirs = new Set<string>();
// As the product's: a hard link to the sidecar (one system call, no second copy of the bytes).
const linkMirror = (file: string): void => {
  const mirror = path.join(mirrorRoot, path.relative(root, file)) + '.json';
  const dir = path.dirname(mirror);
  if (!mirrorDirs.has(dir)) fs.mkdirSync(dir, { recursive: true });
  mirrorDirs.add(dir);
  fs.linkSync(file + suffix, mirror);
};
const pending: Array<[string, string, string]> = [];
const halves = [0, 1].map((k) => files.filter((_, i) => i % 2 === k));
await new Promise<void>((resolve, reject) => {
  let open = halves.length;
  for (const half of halves) {
    const worker = new Worker(HASH_THREAD, {
      eval: true,
      workerData: { files: half, chunk: Number(chunkKiB) * 1024 },
    });
    worker.on('error', reject);
    worker.on('message', (batch: Array<[string, string]> | null) => {
      if (batch === null) {
        if (--open === 0) resolve();
        return;
      }
      if (mode === 'hash') return;
      for (const [file, hash] of batch) {
        const meta = JSON.stringify(
          { path: file, hash, tags: [], license: 'unknown', meta: { title: path.basename(file) } },
          null,
          2,
        );
        const sidecar = file + suffix;
        fs.writeFileSync(`${sidecar}.tmp`, meta);
        fs.renameSync(`${sidecar}.tmp`, sidecar);
        if (mode === 'mirror') linkMirror(file);
        pending.push([file, hash, meta]);
        if (pending.length >= 512) insertBatch?.(pending.splice(0));
      }
    });
  }
});
insertBatch?.(pending.splice(0));
if (mode !== 'hash') execFileSync('sync', ['-f', root]);
const seconds = (performance.now() - started) / 1000;
db?.close();
for (const end of ['', '-wal', '-shm']) fs.rmSync(dbFile + end, { force: true });
process.stdout.write(
  `${mode}: ${files.length} files in ${seconds.toFixed(2)} s; openssl ${openssl.toFixed(2)} s: ${(seconds / openssl).toFixed(2)}×\n`,
);

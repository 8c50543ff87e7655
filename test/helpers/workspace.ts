/** A fresh temporary workspace per test: nothing depends on the developer's machine state. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Workspace {
  dir: string;
  assets: string;
  /** Writes a file relative to the workspace and returns its absolute path. */
  file(rel: string, content: string | Uint8Array): string;
  read(rel: string): string;
  exists(rel: string): boolean;
  json(rel: string): Record<string, unknown>;
  cleanup(): void;
}

export function makeWorkspace(prefix = 'areg-'): Workspace {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  const assets = path.join(dir, 'data', 'assets');
  fs.mkdirSync(assets, { recursive: true });
  return {
    dir,
    assets,
    file(rel, content) {
      const abs = path.join(dir, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
      return abs;
    },
    read: (rel) => fs.readFileSync(path.join(dir, rel), 'utf8'),
    exists: (rel) => fs.existsSync(path.join(dir, rel)),
    json: (rel) => JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')) as Record<string, unknown>,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * What is in the assets root's staging folder besides the file lease (`files.lock`, kept a moment
 * after use, see src/files/file-lease.ts): uploads and copies left behind.
 */
export function stagedLeftovers(assets: string): string[] {
  const staging = path.join(assets, '.staging');
  return fs.existsSync(staging)
    ? fs.readdirSync(staging).filter((name) => !name.startsWith('files.lock'))
    : [];
}

/** Every file under a folder, relative, sorted (to prove that nothing else was written). */
export function listFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      // (A folder the server removes as it is listed: the file lease's lock and its holder's note.)
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const entry of entries) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else out.push(path.relative(root, abs).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

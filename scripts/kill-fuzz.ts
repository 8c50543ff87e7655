/**
 * Kills a process that is changing the registry at a random moment, again and again, and checks
 * after each kill that a rebuild leaves nothing lost or inconsistent. Run by hand (minutes of
 * kills: not part of the tests, which keep each case it found, see docs/ARCHITECTURE.md):
 *
 *   npm run build && npx tsx scripts/kill-fuzz.ts <script|server|watch> [kills] [workspace]
 *
 * - `script`: a script on the registry (the sources) doing random moves, renames, removals (to
 *   the trash or not), undos, bulk edits, tag renames, registrations and zip imports;
 * - `server`: the built server under API traffic (moves, removals, undos, bulk edits, uploads,
 *   imports, edits, renames), three clients at once;
 * - `watch`: the same with `--watch`, while files are moved (with their sidecars), copied and
 *   folders renamed by hand, and sidecars edited by hand.
 *
 * After each kill (its file lease left, for the next process to take over as it would after a
 * crash): a rebuild exits 0; every file's bytes from the start are still somewhere (the trash included);
 * every file has one row and every row its file, with its hash; every sidecar and mirror names
 * its row; no hidden temp file or staged upload is left; a second rebuild has nothing to do; and
 * enforce finds no sidecar missing, unreadable or disagreeing. Exits 1 if any kill broke one.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

const REPO = path.resolve(import.meta.dirname, '..');
const CLI = path.join(REPO, 'dist', 'cli', 'main.js');
const TSX = path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const FOLDERS = ['art', 'art/chars', 'audio', 'docs', 'misc/deep/er'];

const [mode = 'script', killsArg = '50', workspaceArg] = process.argv.slice(2);
if (!['script', 'server', 'watch'].includes(mode)) {
  process.stderr.write('usage: npx tsx scripts/kill-fuzz.ts <script|server|watch> [kills] [workspace]\n');
  process.exit(2);
}
if (!fs.existsSync(CLI)) {
  process.stderr.write('Build first: npm run build\n');
  process.exit(2);
}
const kills = Number(killsArg);
const ws = workspaceArg ?? fs.mkdtempSync(path.join(os.tmpdir(), `areg-kill-${mode}-`));
const root = path.join(ws, 'data', 'assets');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const walk = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
const cli = (args: string[]): { status: number | null; stdout: string } =>
  spawnSync(process.execPath, [CLI, ...args], {
    cwd: ws,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
const isUserFile = (rel: string): boolean =>
  !rel.startsWith('_meta/') && !rel.startsWith('.') && !rel.endsWith('.asset.json') && !rel.includes('/.');

// A script on the registry: random operations until it is killed.
const SCRIPT = `
import fs from 'node:fs';
import path from 'node:path';
import { RegistryService } from ${JSON.stringify(path.join(REPO, 'src', 'registry', 'service.ts'))};
import { importZip } from ${JSON.stringify(path.join(REPO, 'src', 'registry', 'import.ts'))};
const registry = RegistryService.open({}).project();
const folders = ${JSON.stringify([...FOLDERS, 'new'])};
const some = (items, share) => items.filter(() => Math.random() < share);
process.stdout.write('ready\\n');
for (let i = 0; ; i++) {
  const { records } = await registry.search({ limit: 1000 });
  const one = records[Math.floor(Math.random() * records.length)];
  const op = Math.floor(Math.random() * 10);
  try {
    if (op === 0) await registry.moveMany(some(records, 0.3).map((r) => r.uid), registry.folderDestination(folders[i % folders.length]), 'Move');
    else if (op === 1 && one) await registry.move(one.uid, path.posix.dirname(one.path) + '/r' + i + '-' + path.posix.basename(one.path));
    else if (op === 2 && one) await registry.remove(one.uid, { deleteFile: Math.random() < 0.7 });
    else if (op === 3) await registry.undo(registry.changeToUndo().id);
    else if (op === 4) await registry.bulkEdit(some(records, 0.5).map((r) => r.uid), { addTags: ['t' + (i % 5)], license: Math.random() < 0.5 ? 'CC0' : null });
    else if (op === 5) {
      const source = path.join(process.cwd(), 'sources', process.pid + '-' + i + '.txt');
      fs.mkdirSync(path.dirname(source), { recursive: true });
      fs.writeFileSync(source, 'new ' + process.pid + ' ' + i);
      await registry.register({ path: source, assetType: 'docs' });
    } else if (op === 6 && one) await registry.updateMetadata(one.uid, { title: 'title ' + i });
    else if (op === 7) await registry.tagRename('t' + (i % 5), 't' + ((i + 1) % 5));
    else if (op >= 8) await importZip(registry, 'pack.zip', 'imported/' + process.pid + '-' + i);
  } catch {
    // (refusals: a name taken, nothing to undo…)
  }
}
`;

async function killScript(): Promise<void> {
  const child = spawn(process.execPath, ['--import', TSX, 'fuzz.mts'], {
    cwd: ws,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  await sleep(Math.random() * 600);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** One client of the server: random API calls until `running()` is false. */
async function apiClient(base: string, running: () => boolean, pack: Buffer): Promise<void> {
  const call = async (method: string, route: string, body?: unknown): Promise<Record<string, unknown>> => {
    const form = body instanceof FormData;
    const res = await fetch(base + route, {
      method,
      headers: body && !form ? { 'content-type': 'application/json' } : {},
      body: form ? body : body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json().catch(() => ({}))) as Record<string, unknown>;
  };
  /** A multipart body: one field and the file. */
  const upload = (field: string, value: string, file: Buffer, name: string): FormData => {
    const form = new FormData();
    form.append(field, value);
    form.append('file', new Blob([new Uint8Array(file)]), name);
    return form;
  };
  for (let n = 0; running(); n++) {
    try {
      const listed = await call('GET', '/api/assets/search?limit=500&fields=uid,path');
      const items = (listed.items ?? []) as Array<{ uid: string; path: string }>;
      const ids = items.filter(() => Math.random() < 0.2).map((a) => a.uid);
      const one = pick(items);
      const op = Math.floor(Math.random() * 8);
      const tag = `${process.pid}-${Date.now()}-${n}`;
      if (op === 0 && ids.length) await call('POST', '/api/assets/move', { ids, folder: pick(FOLDERS) });
      else if (op === 1 && ids.length)
        await call('POST', '/api/assets/remove', { ids: ids.slice(0, 3), delete_files: Math.random() < 0.7 });
      else if (op === 2) await call('POST', '/api/changes/undo', {});
      else if (op === 3 && ids.length)
        await call('POST', '/api/assets/bulk', {
          ids,
          add_tags: [`t${n % 4}`],
          license: n % 2 ? 'CC0' : null,
        });
      else if (op === 4) {
        const bytes = crypto.randomBytes(200_000 + Math.floor(Math.random() * 2_000_000));
        await call('POST', '/api/assets/upload', upload('dest_path', `up/${tag}.bin`, bytes, 'u.bin'));
      } else if (op === 5)
        await call('POST', '/api/assets/import', upload('dest', `imp/${tag}`, pack, 'pack.zip'));
      else if (op === 6 && one) await call('PATCH', `/api/assets/${one.uid}`, { metadata: { title: tag } });
      else if (op === 7 && one)
        await call('POST', `/api/assets/${one.uid}/move`, {
          path: `${path.posix.dirname(one.path)}/m${n}-${path.posix.basename(one.path)}`,
        });
    } catch {
      // (the server is being killed)
    }
  }
}

/** What someone does in a file manager meanwhile: moves (sidecar along), copies, folder renames, sidecar edits. */
async function handEdits(running: () => boolean): Promise<void> {
  for (let n = 0; running(); n++) {
    await sleep(20 + Math.random() * 80);
    const abs = (rel: string): string => path.join(root, rel);
    try {
      const file = pick(walk(root).filter(isUserFile));
      if (!file) continue;
      const op = Math.floor(Math.random() * 4);
      if (op === 0) {
        const to = `${pick(FOLDERS) ?? 'hand'}/h${n}-${path.posix.basename(file)}`;
        fs.mkdirSync(path.dirname(abs(to)), { recursive: true });
        if (fs.existsSync(abs(to))) continue;
        fs.renameSync(abs(file), abs(to));
        if (fs.existsSync(abs(`${file}.asset.json`)))
          fs.renameSync(abs(`${file}.asset.json`), abs(`${to}.asset.json`));
      } else if (op === 1) {
        fs.mkdirSync(abs('hand'), { recursive: true });
        fs.copyFileSync(
          abs(file),
          abs(`hand/c${n}-${path.posix.basename(file)}`),
          fs.constants.COPYFILE_EXCL,
        );
      } else if (op === 2) {
        const sidecar = abs(`${file}.asset.json`);
        const doc = JSON.parse(fs.readFileSync(sidecar, 'utf8')) as { tags?: string[] };
        doc.tags = [...(doc.tags ?? []), `hand${n % 3}`];
        const temp = path.join(path.dirname(sidecar), `.${path.basename(sidecar)}.edit`);
        fs.writeFileSync(temp, JSON.stringify(doc, null, 2));
        fs.renameSync(temp, sidecar);
      } else {
        const dir = path.posix.dirname(file);
        if (dir.split('/').length < 2 || fs.existsSync(abs(`${dir}-r${n}`))) continue;
        fs.renameSync(abs(dir), abs(`${dir}-r${n}`));
      }
    } catch {
      // (raced with the server: the file moved or went)
    }
  }
}

async function killServer(watch: boolean, pack: Buffer): Promise<void> {
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...(watch ? ['--watch'] : [])], {
    cwd: ws,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info' },
  });
  let stderr = '';
  const base = await new Promise<string>((resolve) =>
    server.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /listening on (http:\/\/\S+) /.exec(stderr)?.[1];
      if (url) resolve(url);
    }),
  );
  let alive = true;
  const running = (): boolean => alive;
  const clients = [apiClient(base, running, pack), apiClient(base, running, pack)];
  clients.push(watch ? handEdits(running) : apiClient(base, running, pack));
  await sleep(200 + Math.random() * 1500);
  server.kill('SIGKILL');
  alive = false;
  await new Promise((resolve) => server.once('exit', resolve));
  await Promise.allSettled(clients);
}

/** What is wrong after a kill, as found by a rebuild and a look at every file and row. */
function problemsAfterKill(original: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const rebuilt = cli(['rebuild', '--no-wait-for-thumbs', '--json']);
  if (rebuilt.status !== 0)
    problems.push(`rebuild exited ${rebuilt.status}: ${rebuilt.stdout.slice(0, 1000)}`);
  const files = walk(root);
  const user = files.filter(isUserFile);
  const kept = [...user, ...files.filter((f) => f.startsWith('.trash/') && !f.endsWith('.asset.json'))];
  const left = files.filter(
    (f) =>
      !f.startsWith('.trash/') &&
      !f.startsWith('.staging/files.lock') &&
      (f.startsWith('.') || f.includes('/.')),
  );
  if (left.length) problems.push(`left behind: ${left.join(', ')}`);
  const present = new Set(kept.map((f) => sha(path.join(root, f))));
  for (const hash of original) if (!present.has(hash)) problems.push(`bytes lost: ${hash}`);
  const db = new Database(path.join(ws, 'config', 'comfyvn.sqlite'), { readonly: true });
  const rows = db.prepare("SELECT uid, path, hash FROM assets WHERE project_id = 'default'").all() as Array<{
    uid: string;
    path: string;
    hash: string;
  }>;
  db.close();
  const rowPaths = new Set(rows.map((r) => r.path));
  for (const file of user) if (!rowPaths.has(file)) problems.push(`file without a row: ${file}`);
  for (const row of rows) {
    const abs = path.join(root, row.path);
    if (!fs.existsSync(abs)) {
      problems.push(`row without its file: ${row.path}`);
      continue;
    }
    if (sha(abs) !== row.hash) problems.push(`hash differs: ${row.path}`);
    for (const sidecar of [`${abs}.asset.json`, path.join(root, '_meta', `${row.path}.json`)]) {
      try {
        const doc = JSON.parse(fs.readFileSync(sidecar, 'utf8')) as { id?: string; hash?: string };
        if (doc.id !== row.uid || doc.hash !== row.hash) problems.push(`disagrees with its row: ${sidecar}`);
      } catch (err) {
        problems.push(`${sidecar}: ${(err as Error).message}`);
      }
    }
  }
  for (const file of files.filter((f) => f.startsWith('_meta/') || f.endsWith('.asset.json'))) {
    const asset = file.startsWith('_meta/')
      ? file.slice('_meta/'.length, -'.json'.length)
      : file.slice(0, -'.asset.json'.length);
    if (!rowPaths.has(asset) && !file.startsWith('.trash/')) problems.push(`sidecar of no asset: ${file}`);
  }
  const again = JSON.parse(cli(['rebuild', '--no-wait-for-thumbs', '--json']).stdout) as {
    summary: Record<string, number>;
  };
  for (const key of ['created', 'updated', 'moved', 'removed', 'sidecar_updates', 'skipped'])
    if (again.summary[key]) problems.push(`the second rebuild had ${key} = ${again.summary[key]}`);
  const audit = JSON.parse(cli(['enforce', '--json']).stdout) as Record<string, unknown>;
  for (const key of ['missing_sidecars', 'invalid_sidecars', 'mismatched_sidecars'])
    if (Array.isArray(audit[key]) && audit[key].length)
      problems.push(`enforce: ${key} ${JSON.stringify(audit[key])}`);
  return problems;
}

// A tree, registered; its bytes are what no kill may lose.
for (const folder of FOLDERS)
  for (let k = 0; k < 8; k++) {
    fs.mkdirSync(path.join(root, folder), { recursive: true });
    fs.writeFileSync(path.join(root, folder, `f${k}.txt`), `${folder} ${k} ${'x'.repeat(k * 100)}`);
  }
// 3D models with the files they name (a move takes those along, a second step a kill may cut).
for (const [m, folder] of ['art', 'misc/deep/er'].entries())
  for (let k = 0; k < 2; k++) {
    const name = `model${m}${k}`;
    const gltf = {
      asset: { version: '2.0' },
      buffers: [{ uri: `${name}.bin`, byteLength: 8 }],
      images: [{ uri: `maps/${name}.png` }],
    };
    fs.mkdirSync(path.join(root, folder, 'maps'), { recursive: true });
    fs.writeFileSync(path.join(root, folder, `${name}.gltf`), JSON.stringify(gltf));
    fs.writeFileSync(path.join(root, folder, `${name}.bin`), `${name} buffer`);
    fs.writeFileSync(path.join(root, folder, 'maps', `${name}.png`), `${name} texture`);
  }
if (cli(['rebuild', '--no-wait-for-thumbs']).status !== 0) throw new Error('the first rebuild failed');
cli(['export', '--folder', 'docs', '--out', path.join(ws, 'pack.zip')]);
const pack = fs.readFileSync(path.join(ws, 'pack.zip'));
fs.writeFileSync(path.join(ws, 'fuzz.mts'), SCRIPT);
const original = new Set(
  walk(root)
    .filter(isUserFile)
    .map((f) => sha(path.join(root, f))),
);

let broken = 0;
for (let kill = 1; kill <= kills; kill++) {
  if (mode === 'script') await killScript();
  else await killServer(mode === 'watch', pack);
  const problems = problemsAfterKill(original);
  process.stdout.write(`kill ${kill}/${kills}: ${problems.length ? `${problems.length} problems` : 'ok'}\n`);
  if (!problems.length) continue;
  broken++;
  process.stdout.write(`${problems.slice(0, 20).join('\n')}\n`);
  // So that the next kill's problems are its own: sidecars rewritten, those of no asset put aside.
  cli(['enforce', '--fix-missing', '--overwrite']);
  for (const problem of problems) {
    const stray = /^sidecar of no asset: (.*)$/s.exec(problem)?.[1];
    if (stray) fs.renameSync(path.join(root, stray), path.join(ws, `stray-${kill}-${path.basename(stray)}`));
  }
}
process.stdout.write(`${broken} of ${kills} kills left problems (workspace: ${ws})\n`);
process.exit(broken ? 1 : 0);

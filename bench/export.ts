/**
 * Export: a generated tree (the rebuild bench's generator: mixed sizes, nested folders),
 * registered, then downloaded whole as one zip through the API (`POST /api/assets/export`, then
 * its link fetched by curl into a file, as a browser would), timed against `zip -0 -r` storing
 * the same files and sidecars into a file in the same run. Both write to the same disk; the
 * files are in the page cache for both (read once by the rebuild just before).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliRebuild, generateTree } from './rebuild.js';
import { ensureTool, startBenchServer, timeShell, type Timed } from './tools.js';

export interface ExportBenchResult {
  files: number;
  bytes: number;
  zipBytes: number;
  prepareMs: number;
  download: Timed;
  zip: Timed;
}

export async function exportBench(count: number, totalBytes: number): Promise<ExportBenchResult> {
  ensureTool('zip', 'zip');
  ensureTool('curl', 'curl');
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'areg-export-bench-'));
  const root = path.join(ws, 'data', 'assets');
  fs.mkdirSync(root, { recursive: true });
  const bytes = generateTree(root, count, totalBytes, 20261127);
  cliRebuild(ws);
  // The registry the CLI rebuild wrote.
  const server = await startBenchServer(ws, {
    ASSET_REGISTRY_DB_PATH: path.join(ws, 'config', 'registry.sqlite'),
  });
  try {
    const json = async (route: string, body?: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(server.url + route, {
        method: body ? 'POST' : 'GET',
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : null,
      });
      if (!res.ok) throw new Error(`${route}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const { ids } = (await json('/api/assets/ids')) as { ids: string[] };
    const t = performance.now();
    const prepared = (await json('/api/assets/export', { ids })) as { url: string; files: number };
    const prepareMs = performance.now() - t;
    const out = path.join(ws, 'export.zip');
    const download = timeShell('curl -sf -o "$1" "$2"', { args: [out, server.url + prepared.url] });
    const zipBytes = fs.statSync(out).size;
    fs.rmSync(out);
    // The same files and sidecars (not the `_meta` mirrors), stored.
    const zip = timeShell('zip -0 -q -r "$1" . -x "_meta/*"', {
      args: [path.join(ws, 'ref.zip')],
      cwd: root,
    });
    return { files: prepared.files, bytes, zipBytes, prepareMs, download, zip };
  } finally {
    server.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

/**
 * `asset-registry check --profile p5_assets_gallery --base URL [--deep]`: the reference's smoke
 * profile (§9) adapted to this product — flag, routes (with the OPTIONS probes), files — plus,
 * with --deep, a real round trip: upload a picture, find it, fetch its thumbnail, delete it.
 * Prints JSON; exits 0 when every required check passes, 2 otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { parseJsonText } from '../domain/json.js';
import { isLoopbackHost } from '../server/security.js';

interface CheckOptions {
  profile: string;
  base?: string;
  flagsFile: string;
  deep?: boolean;
  timeout: string;
}

interface Step {
  step: string;
  ok: boolean;
  status?: number;
  detail?: string;
}

const PROFILES = ['p5_assets_gallery'];

async function request(
  url: string,
  init: RequestInit = {},
  timeoutMs = 5000,
): Promise<{ status: number; headers: Headers; body: unknown } | undefined> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const type = res.headers.get('content-type') ?? '';
    const body: unknown = type.includes('json') ? await res.json() : await res.arrayBuffer();
    return { status: res.status, headers: res.headers, body };
  } catch {
    return undefined;
  }
}

async function discoverBase(given: string | undefined, tried: string[]): Promise<string | undefined> {
  const candidates = given
    ? [given]
    : process.env.ASSET_REGISTRY_BASE
      ? [process.env.ASSET_REGISTRY_BASE]
      : ['http://127.0.0.1:8001', 'http://127.0.0.1:8000'];
  for (const candidate of candidates) {
    const base = candidate.replace(/\/+$/, '');
    tried.push(base);
    const res = await request(`${base}/health`);
    if (res && res.status < 500) return base;
  }
  return undefined;
}

function readFlag(file: string, key: string): boolean {
  try {
    const doc = parseJsonText(fs.readFileSync(file, 'utf8')) as { features?: Record<string, unknown> };
    return doc.features?.[key] === true;
  } catch {
    return false;
  }
}

async function deepRoundTrip(base: string, timeoutMs: number): Promise<Step[]> {
  const steps: Step[] = [];
  const name = `smoke-${Date.now()}.png`;
  // Loaded here, not at start: every command (the server too) would otherwise carry libvips.
  const { default: sharp } = await import('sharp');
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('asset_type', 'smoke');
  form.append('metadata', JSON.stringify({ tags: ['smoke-check'] }));
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), name);
  const up = await request(`${base}/api/assets/upload`, { method: 'POST', body: form }, timeoutMs);
  const id = (up?.body as { asset_id?: string } | undefined)?.asset_id;
  steps.push({ step: 'register (upload)', ok: up?.status === 200 && Boolean(id), status: up?.status ?? 0 });
  if (!id) return steps;

  const deadline = Date.now() + timeoutMs;
  let previewStatus = 'queued';
  while (Date.now() < deadline && (previewStatus === 'queued' || previewStatus === 'running')) {
    const got = await request(`${base}/api/assets/${id}`);
    previewStatus =
      (got?.body as { asset?: { preview_status?: string } } | undefined)?.asset?.preview_status ?? 'none';
    if (previewStatus === 'queued' || previewStatus === 'running')
      await new Promise((r) => setTimeout(r, 200));
  }
  const found = await request(`${base}/api/assets/search?q=${encodeURIComponent(name)}`);
  const total = (found?.body as { total?: number } | undefined)?.total ?? 0;
  steps.push({
    step: 'search',
    ok: found?.status === 200 && total === 1,
    status: found?.status ?? 0,
    detail: `total ${total}`,
  });
  const thumb = await request(`${base}/api/assets/${id}/thumbnail?size=256`);
  steps.push({
    step: 'thumbnail',
    ok: thumb?.status === 200 && (thumb.headers.get('content-type') ?? '').startsWith('image/'),
    status: thumb?.status ?? 0,
    detail: `preview ${previewStatus}`,
  });
  // (For good: a smoke test's file has no place in the user's trash.)
  const del = await request(`${base}/api/assets/${id}?delete_file=true&trash=false`, { method: 'DELETE' });
  const gone = await request(`${base}/api/assets/${id}`);
  steps.push({ step: 'remove', ok: del?.status === 200 && gone?.status === 404, status: del?.status ?? 0 });
  return steps;
}

export function checkCommand(): Command {
  return new Command('check')
    .description('smoke-test a running server (the p5_assets_gallery profile); --deep adds a real round trip')
    .addOption(new Option('--profile <name>', 'check profile').choices(PROFILES).default('p5_assets_gallery'))
    .option('--base <url>', 'server base URL (default: $ASSET_REGISTRY_BASE, then 127.0.0.1:8001 and :8000)')
    .option('--flags-file <file>', 'settings file with the feature flags', 'config/comfyvn.json')
    .option('--deep', 'also register, search, preview and remove a real file')
    .option('--timeout <seconds>', 'how long the deep round trip may take', '30')
    .action(async (options: CheckOptions) => {
      const tried: string[] = [];
      const warnings: string[] = [];
      const notes: string[] = [];
      const base = await discoverBase(options.base, tried);
      const out: Record<string, unknown> = {
        ts: new Date().toISOString(),
        profile: options.profile,
        base: base ?? null,
        tried,
      };
      if (!base) {
        Object.assign(out, { warnings, pass: false, notes: ['No reachable server base discovered.'] });
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        process.exitCode = 2;
        return;
      }
      const got = readFlag(options.flagsFile, 'enable_asset_gallery');
      const flags = [{ key: 'enable_asset_gallery', expect: false, got, ok: got === false, required: true }];

      const routes: Array<{
        path: string;
        method: string;
        status: number | null;
        allow: string | null;
        ok: boolean;
        required: boolean;
      }> = [];
      const search = await request(`${base}/api/assets/search`);
      routes.push({
        path: '/api/assets/search',
        method: 'GET',
        status: search?.status ?? null,
        allow: null,
        ok: Boolean(search && search.status >= 200 && search.status < 500),
        required: true,
      });
      for (const [route, required] of [
        ['/api/assets/enforce', true],
        ['/api/assets/rebuild', false],
      ] as const) {
        const res = await request(base + route, { method: 'OPTIONS' });
        routes.push({
          path: route,
          method: 'OPTIONS',
          status: res?.status ?? null,
          allow: res?.headers.get('allow') ?? null,
          ok: Boolean(res && res.status < 400 && (res.headers.get('allow') ?? '').includes('POST')),
          required,
        });
      }

      // The server's own folders, checkable when it runs on this machine.
      const local = isLoopbackHost(new URL(base).hostname);
      const debug = (await request(`${base}/api/assets/search?limit=1&include_debug=true`))?.body as
        { debug?: { assets_root?: string; thumb_root?: string } } | undefined;
      const files = [debug?.debug?.assets_root, debug?.debug?.thumb_root]
        .filter((p): p is string => typeof p === 'string')
        .map((p) => {
          const exists = fs.existsSync(p);
          return { path: path.normalize(p), exists, required: local, ok: exists || !local };
        });
      if (!local) notes.push('The server is remote: its folders were not checked.');

      const deep = options.deep ? await deepRoundTrip(base, Number(options.timeout) * 1000) : undefined;
      const pass =
        flags.every((f) => f.ok || !f.required) &&
        routes.every((r) => r.ok || !r.required) &&
        files.every((f) => f.ok) &&
        (deep ?? []).every((s) => s.ok);
      for (const r of routes)
        if (!r.ok && !r.required) warnings.push(`${r.method} ${r.path} answered ${r.status}`);
      Object.assign(out, { warnings, pass, flags, routes, files, ...(deep ? { deep } : {}), notes });
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      process.exitCode = pass ? 0 : 2;
    });
}

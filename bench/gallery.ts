// The page callbacks below run in the browser.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The gallery at 100,000 assets, in Debian's Chromium (Playwright, never a downloaded browser)
 * against the built server: time from navigation start to the first screen of tiles (cold
 * browser cache and warm), the size of the grid's DOM (virtualisation), jumps deep into the
 * grid (10 %, 50 %, 90 %, end) until the tiles there are loaded, and frame times during a
 * continuous scroll at reading and flinging speed.
 *
 * The registry is the seeded corpus of the search bench (`buildSearchRegistry`: rows written
 * through the store, images and audio with planned, "done" previews whose files do not exist),
 * so image tiles ask the thumbnail route, get 404 and show their type icon, and audio tiles ask
 * for a waveform and get 404: the grid pays the requests of a real gallery without any pixels.
 * Reference in the same run: one search page fetched by Node over loopback (the floor for the
 * first page: the browser needs at least the page, the bundle and that request).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.js';
import { buildSearchRegistry } from './search-scale.js';
import { latencySummary, percentile, REPO, startBenchServer } from './tools.js';

const VIEWPORT = { width: 1920, height: 1080 };
/** The gallery's first request (default query: newest first; PAGE_SIZE of usePagedAssets). */
const FIRST_PAGE_QUERY = 'sort=created&order=desc&offset=0&limit=150';

export interface FirstPageRun {
  /** performance.now() in the page (origin = navigation start) when the first screen was painted. */
  readyMs: number;
  /** Wall clock from `page.goto` to the same moment, seen from the bench. */
  wallMs: number;
  /** Resource timing of what the first screen waits for (ms since navigation start). */
  htmlEndMs: number;
  scriptEndMs: number;
  settingsEndMs: number;
  searchStartMs: number;
  /** When the request left the browser's queue. */
  searchSentMs: number;
  searchEndMs: number;
  tilesInView: number;
  /** Bytes on the wire (transferSize) of the first search page and of the scripts loaded by then. */
  searchBytes: number;
  scriptBytes: number;
}

export interface JumpRun {
  fraction: number;
  ms: number;
  firstIndex: number;
  searchRequests: number;
  /** Of the last search request it waited for: queued in the browser, request to response end. */
  queuedMs: number;
  serverMs: number;
  /** From that response to the painted frame. */
  renderMs: number;
  previewsAhead: number;
}

export interface ScrollRun {
  pxPerSecond: number;
  seconds: number;
  frames: number;
  p50: number;
  p95: number;
  max: number;
  over50: number;
  /** Of those, in the first 0.5 s: the screen at the scroll's start (a jump from the top) landing. */
  over50Landing: number;
  longTasks: number;
  longTaskMs: number;
  /** Frames painted with placeholders (data not yet loaded) in view. */
  placeholderFrames: number;
  rowsTravelled: number;
  searchRequests: number;
}

export interface GalleryResult {
  assets: number;
  insertSeconds: number;
  viewport: string;
  columns: number;
  cold: FirstPageRun[];
  warm: FirstPageRun[];
  dom: { tiles: number; rows: number; nodes: number; scrollHeight: number; atMiddle: number };
  jumps: JumpRun[];
  scrolls: ScrollRun[];
  floorMs: ReturnType<typeof latencySummary>;
  heapMb: number;
  failedRequests: number;
  chromium: string;
  /** 1-minute load average of the machine at the start and end (other work skews browser timings). */
  load: [number, number];
}

// ---------------------------------------------------------------- in the page

/** Installed before the studio's scripts: helpers the bench calls through `page.evaluate`. */
export function installProbes(): void {
  interface ViewState {
    loaded: number;
    placeholders: number;
    firstIndex: number;
  }
  const grid = (): HTMLElement | null => document.querySelector('[data-testid=asset-grid]');
  /** Tiles that intersect the scroller's viewport: loaded ones and placeholders. */
  const view = (el: HTMLElement): ViewState => {
    const r = el.getBoundingClientRect();
    const state = { loaded: 0, placeholders: 0, firstIndex: -1 };
    for (const t of el.querySelectorAll<HTMLElement>('.tile')) {
      const b = t.getBoundingClientRect();
      if (b.bottom <= r.top || b.top >= r.bottom) continue;
      if (t.classList.contains('placeholder')) state.placeholders++;
      else state.loaded++;
      const index = Number(t.id.replace('tile-', ''));
      if (state.firstIndex < 0 || index < state.firstIndex) state.firstIndex = index;
    }
    return state;
  };
  /** Resolves after the paint of the first frame whose view is fully loaded. */
  const whenLoaded = (): Promise<ViewState & { at: number }> =>
    new Promise((resolve) => {
      const tick = (): void => {
        const el = grid();
        const state = el ? view(el) : undefined;
        if (state && state.loaded > 0 && state.placeholders === 0) {
          // The frame is painted right after this callback; the task after it follows the paint.
          setTimeout(() => resolve({ ...state, at: performance.now() }), 0);
        } else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
  const searches = (): number =>
    performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/assets/search')).length;
  const firstPage = whenLoaded();

  Object.assign(window, {
    __bench: {
      firstPage: () => firstPage,
      searches,
      dom: () => {
        const el = grid();
        return {
          tiles: el?.querySelectorAll('.tile').length ?? 0,
          rows: el?.querySelectorAll('.grid-row').length ?? 0,
          nodes: document.getElementsByTagName('*').length,
          scrollHeight: el?.scrollHeight ?? 0,
          columns: el
            ? Math.max(
                ...[...el.querySelectorAll('.grid-row')].map((r) => r.querySelectorAll('.tile').length),
              )
            : 0,
        };
      },
      timing: () => {
        const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        const find = (part: string): PerformanceResourceTiming | undefined =>
          entries.find((e) => e.name.includes(part));
        const search = find('/api/assets/search');
        return {
          htmlEndMs: nav?.responseEnd ?? NaN,
          scriptEndMs: entries.find((e) => e.initiatorType === 'script')?.responseEnd ?? NaN,
          settingsEndMs: find('/api/settings')?.responseEnd ?? NaN,
          searchStartMs: search?.startTime ?? NaN,
          searchSentMs: search?.requestStart ?? NaN,
          searchEndMs: search?.responseEnd ?? NaN,
          searchBytes: search?.transferSize ?? NaN,
          scriptBytes: entries
            .filter((e) => e.name.endsWith('.js'))
            .reduce((sum, e) => sum + e.transferSize, 0),
        };
      },
      jump: async (fraction: number) => {
        const el = grid();
        if (!el) throw new Error('no grid');
        const before = searches();
        const t0 = performance.now();
        el.scrollTop = Math.round(fraction * (el.scrollHeight - el.clientHeight));
        // Let the old rows leave the view before asking whether the new ones are loaded.
        await new Promise((r) => requestAnimationFrame(r));
        const state = await whenLoaded();
        // The last page request it waited for: queued in the browser (6 connections a host),
        // then the server's answer, then React until the painted frame.
        const entries = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(
          (e) => e.name.includes('/api/assets/search') && e.startTime >= t0,
        );
        const last = entries.reduce<PerformanceResourceTiming | undefined>(
          (a, e) => (!a || e.responseEnd > a.responseEnd ? e : a),
          undefined,
        );
        return {
          ms: state.at - t0,
          firstIndex: state.firstIndex,
          searchRequests: searches() - before,
          queuedMs: last ? last.requestStart - last.startTime : NaN,
          serverMs: last ? last.responseEnd - last.requestStart : NaN,
          renderMs: last ? state.at - last.responseEnd : NaN,
          // Preview requests (thumbnails, waveforms) that finished while the page request queued.
          previewsAhead: last
            ? performance
                .getEntriesByType('resource')
                .filter(
                  (e) =>
                    /\/(thumbnail|waveform)\b/.test(e.name) &&
                    (e as PerformanceResourceTiming).responseEnd > t0 &&
                    (e as PerformanceResourceTiming).responseEnd <= last.requestStart,
                ).length
            : NaN,
        };
      },
      scroll: (pxPerSecond: number, seconds: number, from: number) =>
        new Promise((resolve) => {
          const el = grid();
          if (!el) throw new Error('no grid');
          el.scrollTop = from;
          const before = searches();
          const deltas: number[] = [];
          let placeholderFrames = 0;
          let longTasks = 0;
          let longTaskMs = 0;
          const observer = new PerformanceObserver((list) => {
            for (const e of list.getEntries()) {
              longTasks++;
              longTaskMs += e.duration;
            }
          });
          observer.observe({ type: 'longtask' });
          let start = -1;
          let last = -1;
          const startTop = from;
          const frame = (now: number): void => {
            if (start < 0) start = now;
            else deltas.push(now - last);
            last = now;
            // What the last frame painted (React renders the rows after the scroll event).
            if (view(el).placeholders > 0) placeholderFrames++;
            if (now - start >= seconds * 1000) {
              observer.disconnect();
              resolve({
                deltas,
                placeholderFrames,
                longTasks,
                longTaskMs,
                travelled: el.scrollTop - startTop,
                searchRequests: searches() - before,
              });
              return;
            }
            el.scrollTop = startTop + ((now - start) / 1000) * pxPerSecond;
            requestAnimationFrame(frame);
          };
          requestAnimationFrame(frame);
        }),
    },
  });
}

interface BenchWindow {
  __bench: {
    firstPage: () => Promise<{ loaded: number; at: number }>;
    searches: () => number;
    dom: () => { tiles: number; rows: number; nodes: number; scrollHeight: number; columns: number };
    timing: () => Omit<FirstPageRun, 'readyMs' | 'wallMs' | 'tilesInView'>;
    jump: (fraction: number) => Promise<Omit<JumpRun, 'fraction'>>;
    scroll: (
      pxPerSecond: number,
      seconds: number,
      from: number,
    ) => Promise<{
      deltas: number[];
      placeholderFrames: number;
      longTasks: number;
      longTaskMs: number;
      travelled: number;
      searchRequests: number;
    }>;
  };
}
declare global {
  interface Window {
    __bench: BenchWindow['__bench'];
  }
}

// ---------------------------------------------------------------- the bench

async function firstPage(page: Page, url: string): Promise<FirstPageRun> {
  const t0 = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  const ready = await page.evaluate(() => window.__bench.firstPage());
  const wallMs = performance.now() - t0;
  const timing = await page.evaluate(() => window.__bench.timing());
  return { readyMs: ready.at, wallMs, tilesInView: ready.loaded, ...timing };
}

async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  // tsx (esbuild, keepNames) wraps named functions in `__name(...)`, which the page lacks.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await context.addInitScript(installProbes);
  return context;
}

export async function galleryBench(
  count: number,
  options: {
    runs?: number;
    log?: (line: string) => void;
    /** An existing workspace with a registry of `count` assets (kept); else one is made and removed. */
    workspace?: string;
  } = {},
): Promise<GalleryResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runs = options.runs ?? 5;
  execFileSync('bash', [path.join(REPO, 'scripts', 'ensure-chromium.sh')], { stdio: 'inherit' });
  const ws = options.workspace ?? fs.mkdtempSync(path.join(os.tmpdir(), 'areg-gallery-'));
  try {
    const { insertSeconds } = options.workspace
      ? { insertSeconds: NaN }
      : await buildSearchRegistry(ws, count, log);
    fs.mkdirSync(path.join(ws, 'config'), { recursive: true });
    fs.writeFileSync(
      path.join(ws, 'config', 'comfyvn.json'),
      `${JSON.stringify({ features: { enable_asset_gallery: true } })}\n`,
    );
    log(`  gallery: ${count} assets loaded in ${insertSeconds.toFixed(1)} s; serving...`);
    const loadBefore = os.loadavg()[0] ?? NaN;
    const server = await startBenchServer(ws);
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    let failedRequests = 0;
    const countFailures = (context: BrowserContext): void => {
      context.on('requestfailed', () => failedRequests++);
    };
    try {
      // The floor: the first page's request alone, from Node (warm, like the server after run 1).
      const floor: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/api/assets/search?${FIRST_PAGE_QUERY}`);
        await res.arrayBuffer();
        if (i >= 5) floor.push(performance.now() - t0);
      }

      // Cold: a new browser context each time (empty HTTP cache, no service state).
      const cold: FirstPageRun[] = [];
      for (let i = 0; i < runs; i++) {
        const context = await newContext(browser);
        countFailures(context);
        const page = await context.newPage();
        cold.push(await firstPage(page, server.url));
        await context.close();
        log(
          `  gallery: cold first page ${cold[i]?.readyMs.toFixed(0)} ms (wall ${cold[i]?.wallMs.toFixed(0)} ms; settings back ${cold[i]?.settingsEndMs.toFixed(0)}, search asked ${cold[i]?.searchStartMs.toFixed(0)}, sent ${cold[i]?.searchSentMs.toFixed(0)}, back ${cold[i]?.searchEndMs.toFixed(0)})`,
        );
      }

      // Warm: the same context navigating again (bundle from the HTTP cache).
      const context = await newContext(browser);
      countFailures(context);
      const page = await context.newPage();
      await firstPage(page, server.url);
      const warm: FirstPageRun[] = [];
      for (let i = 0; i < runs; i++) {
        warm.push(await firstPage(page, server.url));
        log(
          `  gallery: warm first page ${warm[i]?.readyMs.toFixed(0)} ms (wall ${warm[i]?.wallMs.toFixed(0)} ms; settings back ${warm[i]?.settingsEndMs.toFixed(0)}, search asked ${warm[i]?.searchStartMs.toFixed(0)}, sent ${warm[i]?.searchSentMs.toFixed(0)}, back ${warm[i]?.searchEndMs.toFixed(0)})`,
        );
      }
      const top = await page.evaluate(() => window.__bench.dom());
      const rowHeight = top.scrollHeight / Math.ceil(count / Math.max(1, top.columns));

      // Jumps deep into the grid, each run on a fresh load (no pages cached in the grid).
      const jumps: JumpRun[] = [];
      let atMiddle = 0;
      for (let i = 0; i < runs; i++) {
        await firstPage(page, server.url);
        for (const fraction of [0.1, 0.5, 0.9, 1]) {
          const j = await page.evaluate((f) => window.__bench.jump(f), fraction);
          jumps.push({ fraction, ...j });
          if (fraction === 0.5) atMiddle = (await page.evaluate(() => window.__bench.dom())).tiles;
        }
      }
      for (const fraction of [0.1, 0.5, 0.9, 1]) {
        const ms = jumps.filter((j) => j.fraction === fraction).map((j) => j.ms);
        log(`  gallery: jump to ${fraction * 100}%: median ${median(ms).toFixed(0)} ms`);
      }

      // Continuous scrolling from a fresh load: reading speed, then a fling.
      const scrolls: ScrollRun[] = [];
      for (const [pxPerSecond, seconds] of [
        [2_000, 5],
        [20_000, 5],
        [100_000, 3],
      ] as const) {
        await firstPage(page, server.url);
        const from = Math.round(top.scrollHeight * 0.3);
        const s = await page.evaluate((a) => window.__bench.scroll(a.v, a.t, a.f), {
          v: pxPerSecond,
          t: seconds,
          f: from,
        });
        const sorted = [...s.deltas].sort((a, b) => a - b);
        scrolls.push({
          pxPerSecond,
          seconds,
          frames: s.deltas.length,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          max: sorted[sorted.length - 1] ?? NaN,
          over50: s.deltas.filter((d) => d > 50).length,
          over50Landing: s.deltas.filter((d, i) => d > 50 && sum(s.deltas.slice(0, i)) < 500).length,
          longTasks: s.longTasks,
          longTaskMs: s.longTaskMs,
          placeholderFrames: s.placeholderFrames,
          rowsTravelled: Math.round(s.travelled / rowHeight),
          searchRequests: s.searchRequests,
        });
        const last = scrolls[scrolls.length - 1] as ScrollRun;
        log(
          `  gallery: scroll ${pxPerSecond} px/s: ${last.frames} frames, p50 ${last.p50.toFixed(1)} p95 ${last.p95.toFixed(1)} max ${last.max.toFixed(0)} ms, >50 ms: ${last.over50} (${last.over50Landing} in the first 0.5 s), long tasks ${last.longTasks} (${last.longTaskMs.toFixed(0)} ms), placeholder frames ${last.placeholderFrames}`,
        );
      }
      const heapMb = await page.evaluate(
        () =>
          ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ??
            NaN) /
          1024 /
          1024,
      );
      await context.close();
      return {
        assets: count,
        insertSeconds,
        viewport: `${VIEWPORT.width}×${VIEWPORT.height}`,
        columns: top.columns,
        cold,
        warm,
        dom: { tiles: top.tiles, rows: top.rows, nodes: top.nodes, scrollHeight: top.scrollHeight, atMiddle },
        jumps,
        scrolls,
        floorMs: latencySummary(floor),
        heapMb,
        failedRequests,
        chromium: browser.version(),
        load: [loadBefore, os.loadavg()[0] ?? NaN],
      };
    } finally {
      await browser.close();
      server.stop();
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    if (!options.workspace) fs.rmSync(ws, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- table rows

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const kb = (bytes: number | undefined): string =>
  bytes === undefined || !Number.isFinite(bytes) ? '?' : `${(bytes / 1024).toFixed(0)} KB`;
const range = (values: number[]): string =>
  `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;

/** Rows for the bench table: | benchmark | ours | reference (same run) | ratio / target |. */
export function galleryRows(r: GalleryResult): string[][] {
  const n = r.assets.toLocaleString('en-US');
  const rows: string[][] = [];
  for (const [label, list] of [
    ['cold browser cache', r.cold],
    ['warm (bundle cached)', r.warm],
  ] as const) {
    const ready = median(list.map((x) => x.readyMs));
    rows.push([
      `gallery ${n}: first screen of tiles, ${label} (${list.length} runs, ${r.viewport})`,
      `median ${ready.toFixed(0)} ms after navigation start (${range(list.map((x) => x.readyMs))}); wall from goto ${median(list.map((x) => x.wallMs)).toFixed(0)} ms; first search page asked at ${median(list.map((x) => x.searchStartMs)).toFixed(0)}, sent at ${median(list.map((x) => x.searchSentMs)).toFixed(0)}, back at ${median(list.map((x) => x.searchEndMs)).toFixed(0)} ms; on the wire: first page ${kb(list[0]?.searchBytes)}, scripts ${kb(list[0]?.scriptBytes)}`,
      `the same search page from Node: p50 ${r.floorMs.p50.toFixed(0)} ms, p95 ${r.floorMs.p95.toFixed(0)} ms`,
      `${(ready / r.floorMs.p50).toFixed(1)}× the request; target < 1000 ms: ${ready < 1000 ? 'met' : 'NOT met'}`,
    ]);
  }
  rows.push([
    `gallery ${n}: DOM of the grid`,
    `${r.dom.tiles} tiles in ${r.dom.rows} rows at the top, ${r.dom.atMiddle} at 50 %; ${r.dom.nodes} elements in the page; ${r.columns} columns; JS heap ${r.heapMb.toFixed(0)} MB after scrolling`,
    `${n} assets, grid ${(r.dom.scrollHeight / 1e6).toFixed(2)} M px tall`,
    `virtualised: ${r.dom.tiles < 1000 ? 'yes' : 'NO'} (Chromium ${r.chromium}; load average ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)} on ${os.cpus().length} cores)`,
  ]);
  for (const fraction of [0.1, 0.5, 0.9, 1]) {
    const js = r.jumps.filter((j) => j.fraction === fraction);
    if (!js.length) continue;
    rows.push([
      `  jump to ${fraction === 1 ? 'the end' : `${fraction * 100} %`} (index ~${median(js.map((j) => j.firstIndex))}) until its tiles are loaded`,
      `median ${median(js.map((j) => j.ms)).toFixed(0)} ms (${range(js.map((j) => j.ms))}), ${median(js.map((j) => j.searchRequests))} search request(s); of its page request: queued ${median(js.map((j) => j.queuedMs)).toFixed(0)} ms, sent → answered ${median(js.map((j) => j.serverMs)).toFixed(0)} ms, answer → painted ${median(js.map((j) => j.renderMs)).toFixed(0)} ms; ${median(js.map((j) => j.previewsAhead))} preview requests of the old view finished ahead of it`,
      '—',
      '—',
    ]);
  }
  for (const s of r.scrolls) {
    const smooth = s.p95 <= 50 && s.over50 <= Math.max(1, s.frames * 0.02);
    rows.push([
      `  continuous scroll ${s.pxPerSecond.toLocaleString('en-US')} px/s for ${s.seconds} s (${s.rowsTravelled} rows)`,
      `${s.frames} frames: p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(0)} ms, ${s.over50} > 50 ms (${s.over50Landing} in the first 0.5 s, the jump's screen landing); long tasks ${s.longTasks} (${s.longTaskMs.toFixed(0)} ms); ${s.placeholderFrames} frames with placeholders in view; ${s.searchRequests} search requests`,
      '60 Hz display: 16.7 ms a frame',
      `responsive (p95 ≤ 50 ms, ≤ 2 % of frames > 50 ms): ${smooth ? 'yes' : 'NO'}`,
    ]);
  }
  return rows;
}

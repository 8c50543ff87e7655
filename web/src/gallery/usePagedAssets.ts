/**
 * Server-side paging for the virtual grid: pages of assets are fetched when their rows come into
 * view and cached per query. While scrolling, the pages the view is heading for are asked for
 * ahead (as many as the speed needs to be ready on arrival, at most MAX_LEAD_PAGES), and requests
 * for pages the view has left are cancelled, so a fling does not leave a queue of requests that
 * the page in view must wait behind. A page the view will have passed before it can be answered
 * is not asked for (in a fling, none is) until the view slows down or stops. A page arriving off
 * screen is stored without a re-render.
 * A registry change refreshes the pages in view (keeping the old ones on screen until the new ones
 * arrive, so nothing flickers or jumps) and forgets the rest.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, queryString, type AssetQuery, type AssetSummary } from '../api';
import { PAGE_SIZE } from '../first-load';

/** Fetch what the view will reach within this time at its current speed (~ a deep page's answer). */
const LEAD_MS = 400;
const MAX_LEAD_PAGES = 2;
/**
 * Calls to show() further apart than this start a new scroll (the speed is measured afresh),
 * unless the view was not seen stopping meanwhile (see `settling`).
 */
const SCROLL_GAP_MS = 300;
/**
 * A step that took longer than this (a few frames) came from a busy machine, not a slowing view:
 * it may raise the speed, not lower it. A view that slows down does it in frames of ~16 ms.
 */
const LONG_STEP_MS = 50;
/**
 * A page is worth asking for if the view will still show it once it is answered: a deep page
 * takes ~150 ms at 100k assets (100-200 ms, bench/RESULTS.md). At 20,000 px/s that skips only
 * pages about to leave (and usually loaded ahead); at 100,000 px/s all of them.
 */
const WORTH_MS = 150;
/** After a call to show() that skipped pages in view, they are asked for if none follows in this time. */
const SETTLE_MS = 150;

interface PageState {
  generation: number;
  pages: Map<number, AssetSummary[]>;
  inFlight: Map<number, AbortController>;
  stale: Set<number>;
  visible: [number, number];
  /** The last show(): when, its first index, and the speed in indexes per ms (+ is downwards). */
  motion: { at: number; first: number; speed: number };
  /** Asks for the pages in view once a fling has stopped: a timer, then the frame after it. */
  settle: number;
  settleFrame: number;
  /** Whether that is pending: the view has not been seen stopping since it skipped pages. */
  settling: boolean;
  /** Where the view is scrolled to now, and where it was at the last show() (see `show`). */
  position: (() => number) | undefined;
  shownAt: number;
}

export interface PagedAssets {
  total: number | undefined;
  error: string | undefined;
  /** The asset at an index of the current result, when its page is loaded. */
  at: (index: number) => AssetSummary | undefined;
  /**
   * Tell which indexes are on screen; missing or stale pages among them are fetched. `position`
   * reads the view's scroll offset now: a fling is not taken to have stopped while it changes.
   */
  show: (first: number, last: number, position?: () => number) => void;
}

const pageOf = (index: number): number => Math.floor(Math.max(0, index) / PAGE_SIZE);

function cancelSettle(s: PageState): void {
  s.settling = false;
  window.clearTimeout(s.settle);
  cancelAnimationFrame(s.settleFrame);
}

function abortAll(s: PageState): void {
  for (const controller of s.inFlight.values()) controller.abort();
  s.inFlight = new Map();
}

export function usePagedAssets(query: AssetQuery, changeTick: number): PagedAssets {
  const key = queryString(query);
  // The first page, when main.tsx's prefetch of it is in: the first render draws its tiles.
  const [prefetched] = useState(() => api.gridPageNow(query, 0, PAGE_SIZE));
  const state = useRef<PageState>({
    generation: 0,
    pages: new Map(prefetched ? [[0, prefetched.items]] : []),
    inFlight: new Map(),
    stale: new Set(),
    visible: [0, PAGE_SIZE - 1],
    motion: { at: 0, first: 0, speed: 0 },
    settle: 0,
    settleFrame: 0,
    settling: false,
    position: undefined,
    shownAt: 0,
  });
  const [total, setTotal] = useState<number | undefined>(prefetched?.total);
  const [error, setError] = useState<string>();
  const [, setVersion] = useState(0);
  const queryRef = useRef(query);
  queryRef.current = query;
  const totalRef = useRef(total);
  const firstKey = useRef<string | undefined>(prefetched ? key : undefined);
  const errorRef = useRef(error);

  /** Fetches a page; one past the known end only when `anyway` (the registry changed: it may exist now). */
  const fetchPage = useCallback((page: number, anyway = false) => {
    const s = state.current;
    const known = totalRef.current;
    if (s.inFlight.has(page) || (!anyway && known !== undefined && page * PAGE_SIZE >= known)) return;
    const controller = new AbortController();
    s.inFlight.set(page, controller);
    const generation = s.generation;
    api.gridPage(queryRef.current, page * PAGE_SIZE, PAGE_SIZE, controller.signal).then(
      (res) => {
        if (generation !== s.generation || controller.signal.aborted) return;
        if (s.inFlight.get(page) === controller) s.inFlight.delete(page);
        s.stale.delete(page);
        s.pages.set(page, res.items);
        // Only real changes are set: a page landing off screen must not render the gallery.
        if (res.total !== totalRef.current) {
          totalRef.current = res.total;
          setTotal(res.total);
        }
        if (errorRef.current !== undefined) setError((errorRef.current = undefined));
        // A page fetched ahead is drawn by the rows that come to it; no render for it now.
        if (page >= pageOf(s.visible[0]) && page <= pageOf(s.visible[1])) setVersion((v) => v + 1);
      },
      (err: Error) => {
        if (generation !== s.generation || controller.signal.aborted) return;
        if (s.inFlight.get(page) === controller) s.inFlight.delete(page);
        setError((errorRef.current = err.message));
      },
    );
  }, []);

  /**
   * Fetches the pages from `first` to `last` and (if `ahead`) the ones the view heads for at
   * `speed`; drops the rest.
   * A page the view will have passed (nearly) before its answer can come is not asked for: in a
   * fling, none is. Returns whether pages were skipped.
   */
  const request = useCallback(
    (first: number, last: number, speed: number, ahead: boolean): boolean => {
      const s = state.current;
      const from = pageOf(first);
      const to = pageOf(last);
      const lead = ahead ? Math.min(MAX_LEAD_PAGES * PAGE_SIZE, Math.abs(speed) * LEAD_MS) : 0;
      const aheadFrom = speed < 0 ? pageOf(first - lead) : from;
      const aheadTo = speed > 0 ? pageOf(last + lead) : to;
      // How far the view moves while a page is answered.
      const reach = Math.abs(speed) * WORTH_MS;
      const useful = (page: number): boolean =>
        speed > 0
          ? (page + 1) * PAGE_SIZE > first + reach
          : speed < 0
            ? page * PAGE_SIZE < last - reach
            : true;
      // Requests for pages the view has left (one page of slack either side) are dropped.
      for (const [page, controller] of s.inFlight) {
        if (page < aheadFrom - 1 || page > aheadTo + 1) {
          controller.abort();
          s.inFlight.delete(page);
        }
      }
      // The pages in view first, then the ones ahead, nearest first.
      const wanted = [];
      for (let page = from; page <= to; page++) wanted.push(page);
      for (let page = to + 1; page <= aheadTo; page++) wanted.push(page);
      for (let page = from - 1; page >= aheadFrom; page--) wanted.push(page);
      let skipped = false;
      for (const page of wanted) {
        if (s.pages.has(page) && !s.stale.has(page)) continue;
        if (useful(page)) fetchPage(page);
        else skipped = true;
      }
      return skipped;
    },
    [fetchPage],
  );

  const show = useCallback(
    (first: number, last: number, position?: () => number) => {
      const s = state.current;
      const now = performance.now();
      const dt = now - s.motion.at;
      // A jump (the scrollbar dragged, End, a search) is no motion to extrapolate: more than two
      // screens at once means the view is not heading anywhere, so nothing is fetched ahead. But
      // it counts towards the speed: jumps in quick succession (a fling in slow frames, a drag)
      // pass pages faster than they are answered, like any fling.
      const step = first - s.motion.first;
      const jumped = Math.abs(step) > 2 * (last - first + 1);
      // The same first row again (a render for a page landing, the last row changing) is no
      // step: the speed stays as measured. Otherwise smoothed over steps, the first step of a
      // scroll counting in full; a long step (a busy machine's) only ever raises it.
      if (step !== 0 || dt >= SCROLL_GAP_MS) {
        const rate = dt > 0 ? step / dt : 0;
        const before = s.motion.speed;
        const continuing = dt < SCROLL_GAP_MS || s.settling;
        const speed = !continuing
          ? 0
          : before === 0 || before * rate < 0
            ? rate
            : dt > LONG_STEP_MS
              ? Math.abs(rate) > Math.abs(before)
                ? rate
                : before
              : 0.5 * before + 0.5 * rate;
        s.motion = { at: now, first, speed };
      }
      s.visible = [first, last];
      s.position = position;
      s.shownAt = position?.() ?? 0;
      cancelSettle(s);
      // Pages skipped as passing too fast are asked for once the view stops: no call for a while,
      // and in the frame after it the view still where that call saw it. On a busy machine a
      // frame can take longer than the wait: the scroll it held back is set by then (a fling's
      // step, before this frame's callback) but reported only in a later frame.
      const settleLater = (): void => {
        s.settling = true;
        s.settle = window.setTimeout(() => {
          s.settleFrame = requestAnimationFrame(() => {
            if (s.position && s.position() !== s.shownAt) return settleLater();
            s.settling = false;
            s.motion.speed = 0;
            request(s.visible[0], s.visible[1], 0, false);
          });
        }, SETTLE_MS);
      };
      if (request(first, last, s.motion.speed, !jumped)) settleLater();
    },
    [request],
  );

  useEffect(() => () => cancelSettle(state.current), []);

  // A new query starts from scratch, at the top.
  useEffect(() => {
    if (key === firstKey.current) return;
    firstKey.current = undefined;
    const s = state.current;
    s.generation++;
    abortAll(s);
    cancelSettle(s);
    s.pages = new Map();
    s.stale = new Set();
    s.visible = [0, PAGE_SIZE - 1];
    setTotal(undefined);
    totalRef.current = undefined;
    fetchPage(0);
  }, [key, fetchPage]);

  // A registry change: refresh what is on screen, forget the rest.
  const firstTick = useRef(changeTick);
  useEffect(() => {
    if (changeTick === firstTick.current) return;
    const s = state.current;
    s.generation++;
    abortAll(s);
    const from = pageOf(s.visible[0]);
    const to = pageOf(s.visible[1]);
    for (const page of [...s.pages.keys()]) {
      if (page < from || page > to) s.pages.delete(page);
      else s.stale.add(page);
    }
    // (Anyway: the pages in view may have been past the end, as every page of an empty gallery is.)
    // In a fling they would be answered after the view has passed them: the pages in view when it
    // stops are asked for then (see `show`).
    if (!s.settling) for (let page = from; page <= to; page++) fetchPage(page, true);
  }, [changeTick, fetchPage]);

  const at = useCallback(
    (index: number) => state.current.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    [],
  );
  // One object while the total and error stay: the gallery's callbacks (and so the memoised
  // tiles) do not change each time a page lands.
  return useMemo(() => ({ total, error, at, show }), [total, error, at, show]);
}

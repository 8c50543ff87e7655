/**
 * Server-side paging for the virtual grid: pages of assets are fetched when their rows come into
 * view and cached per query. A registry change refreshes the pages in view (keeping the old ones
 * on screen until the new ones arrive, so nothing flickers or jumps) and forgets the rest.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, queryString, type AssetQuery, type AssetSummary } from '../api';
import { PAGE_SIZE } from '../first-load';

interface PageState {
  generation: number;
  pages: Map<number, AssetSummary[]>;
  inFlight: Set<number>;
  stale: Set<number>;
  visible: [number, number];
}

export interface PagedAssets {
  total: number | undefined;
  error: string | undefined;
  /** The asset at an index of the current result, when its page is loaded. */
  at: (index: number) => AssetSummary | undefined;
  /** Tell which indexes are on screen; missing or stale pages among them are fetched. */
  show: (first: number, last: number) => void;
}

export function usePagedAssets(query: AssetQuery, changeTick: number): PagedAssets {
  const key = queryString(query);
  const state = useRef<PageState>({
    generation: 0,
    pages: new Map(),
    inFlight: new Set(),
    stale: new Set(),
    visible: [0, PAGE_SIZE - 1],
  });
  const [total, setTotal] = useState<number>();
  const [error, setError] = useState<string>();
  const [, setVersion] = useState(0);
  const queryRef = useRef(query);
  queryRef.current = query;

  const fetchPage = useCallback((page: number) => {
    const s = state.current;
    if (s.inFlight.has(page)) return;
    s.inFlight.add(page);
    const generation = s.generation;
    api.gridPage(queryRef.current, page * PAGE_SIZE, PAGE_SIZE).then(
      (res) => {
        if (generation !== state.current.generation) return;
        s.inFlight.delete(page);
        s.stale.delete(page);
        s.pages.set(page, res.items);
        setTotal(res.total);
        setError(undefined);
        setVersion((v) => v + 1);
      },
      (err: Error) => {
        if (generation !== state.current.generation) return;
        s.inFlight.delete(page);
        setError(err.message);
      },
    );
  }, []);

  const show = useCallback(
    (first: number, last: number) => {
      const s = state.current;
      s.visible = [first, last];
      const from = Math.floor(Math.max(0, first) / PAGE_SIZE);
      const to = Math.floor(Math.max(0, last) / PAGE_SIZE);
      for (let page = from; page <= to; page++) {
        if (!s.pages.has(page) || s.stale.has(page)) fetchPage(page);
      }
    },
    [fetchPage],
  );

  // A new query starts from scratch.
  useEffect(() => {
    const s = state.current;
    s.generation++;
    s.pages = new Map();
    s.inFlight = new Set();
    s.stale = new Set();
    setTotal(undefined);
    fetchPage(0);
  }, [key, fetchPage]);

  // A registry change: refresh what is on screen, forget the rest.
  const firstTick = useRef(changeTick);
  useEffect(() => {
    if (changeTick === firstTick.current) return;
    const s = state.current;
    s.generation++;
    s.inFlight = new Set();
    const from = Math.floor(s.visible[0] / PAGE_SIZE);
    const to = Math.floor(s.visible[1] / PAGE_SIZE);
    for (const page of [...s.pages.keys()]) {
      if (page < from || page > to) s.pages.delete(page);
      else s.stale.add(page);
    }
    for (let page = from; page <= to; page++) fetchPage(page);
  }, [changeTick, fetchPage]);

  const at = useCallback(
    (index: number) => state.current.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    [],
  );
  return { total, error, at, show };
}

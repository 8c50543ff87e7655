/**
 * Flipping through assets in the detail view: the ones before and after this one in the gallery's
 * order, under the filters it showed last (or all assets, for a detail view opened from a link).
 */
import { useMemo } from 'react';
import { useAnswer } from '../use-answer';
import { api } from '../api';
import { queryFromHref } from '../gallery/query-url.js';
import { rememberedGalleryHref } from '../route';

export interface Neighbours {
  /** 0-based position, and how many the gallery shows. */
  at: number;
  total: number;
  previous: string | undefined;
  next: string | undefined;
}

export function useNeighbours(id: string): Neighbours | undefined {
  // Once per opening: the order is the gallery's as it was left.
  const ids = useAnswer(() => api.ids(queryFromHref(rememberedGalleryHref())).then((r) => r.ids), []);
  return useMemo(() => {
    const at = ids?.indexOf(id) ?? -1;
    if (!ids || at < 0) return undefined;
    return { at, total: ids.length, previous: ids[at - 1], next: ids[at + 1] };
  }, [ids, id]);
}

/**
 * The gallery's queries and the requests the studio makes before anything renders, in one place:
 * main.tsx prefetches FIRST_REQUESTS and the Vite build writes the same URLs into index.html as
 * preloads (web/vite.config.ts), so the two cannot drift apart. A preload whose URL differs by a
 * byte is fetched for nothing and the page waits for a second request. Only Node-free imports: the Vite
 * config loads this file in Node.
 */

import type {
  ColorName,
  DuplicateFilter,
  MediaBounds,
  Orientation,
  SortField,
  SortOrder,
} from '../../src/domain/facets.js';
import { searchTerms } from '../../src/domain/lists.js';
import { setColorParams } from './gallery/color-filter.js';
import { setSizeParams } from './gallery/size-filter.js';

export type { SortField, SortOrder } from '../../src/domain/facets.js';

export interface AssetQuery {
  q: string;
  type: string;
  /** Every one must be on an asset. */
  tags: string[];
  license: string;
  /** Only assets without a licence (then `license` is ''). */
  unlicensed: boolean;
  /** '' for every asset. */
  duplicates: DuplicateFilter | '';
  /** A picture's size and a sound's length (the Size list); {} for any. */
  bounds: MediaBounds;
  /** Pictures of this shape (the Size list too); '' for any. */
  orientation: Orientation | '';
  /** Pictures with each of these colours (the Colour list); [] for any. */
  colors: ColorName[];
  /** Pictures with transparent parts ('true') or without ('false'); '' for either. */
  transparent: '' | 'true' | 'false';
  /** Only assets in this folder or below it ('' for any). */
  folder: string;
  /** Only pictures that look like this asset (its id), itself included ('' for any). */
  similarTo: string;
  sort: SortField;
  order: SortOrder;
}

export const DEFAULT_QUERY: AssetQuery = {
  q: '',
  type: '',
  tags: [],
  license: '',
  unlicensed: false,
  duplicates: '',
  bounds: {},
  orientation: '',
  colors: [],
  transparent: '',
  folder: '',
  similarTo: '',
  sort: 'created',
  order: 'desc',
};

/** Assets a grid page holds (one search request). */
export const PAGE_SIZE = 150;

/**
 * What a grid tile shows (name, type, size, licence, copies, tooltip, preview): the search route's `fields=`
 * listing shape, about a seventh of a full record. The detail view and Copy Debug JSON fetch full
 * records by id.
 */
export const GRID_FIELDS = [
  'uid',
  'type',
  'path',
  'tags',
  'license',
  'metadata.title',
  // Every thumbnail size: the tile's 256 px one, and the 512 for large tiles and sharp screens
  // (srcset). `urls.thumbnail` is the 256 again, so it is not asked for.
  'urls.thumbnails',
  // What the tile's play button plays.
  'urls.file',
  'urls.waveform',
  // An animation plays while the pointer is over its tile.
  'urls.animation',
  'preview_status',
  // The "×3" badge, and the size or length under the name.
  'copies',
  'preview.width',
  'preview.height',
  'preview.frames',
  'preview.duration',
  'preview.family',
  'preview.triangles',
  'preview.blender_version',
  // A cut-out is shown over a checkerboard.
  'colors.transparent',
].join(',');

/** Query-string for a search: empty filters are left out. */
export function queryString(query: AssetQuery, extra: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  // Words each match on their own, in any order ("castle night"); a "quoted phrase" as typed.
  for (const term of searchTerms(query.q)) params.append('q', term);
  if (query.type) params.set('type', query.type);
  for (const tag of query.tags) params.append('tag', tag);
  if (query.license) params.set('license', query.license);
  else if (query.unlicensed) params.set('unlicensed', 'true');
  if (query.duplicates) params.set('duplicates', query.duplicates);
  setSizeParams(params, query);
  setColorParams(params, query);
  if (query.folder) params.set('folder', query.folder);
  if (query.similarTo) params.set('similar_to', query.similarTo);
  params.set('sort', query.sort);
  params.set('order', query.order);
  for (const [k, v] of Object.entries(extra)) params.set(k, String(v));
  return params.toString();
}

/** One page of the grid: the tile fields only. */
export const gridPageUrl = (query: AssetQuery, offset: number, limit: number): string =>
  `/api/assets/search?${queryString(query, { offset, limit, fields: GRID_FIELDS })}`;

/** Fetched at start, before the settings decide whether the gallery shows (see main.tsx). */
export const FIRST_REQUESTS: readonly string[] = [
  '/api/settings',
  gridPageUrl(DEFAULT_QUERY, 0, PAGE_SIZE),
  '/api/assets/facets',
];

/**
 * The gallery's filters in its URL (`#/?tag=hero&type=images&sort=path&order=asc`): a reload, the
 * browser's Back, or a link sent to someone shows the same assets. Defaults are left out; a value
 * the studio does not offer falls back to the default. `q` is the search box as typed (the words
 * are split when searching).
 */
import { DUPLICATE_FILTERS, SORT_FIELDS, SORT_ORDERS } from '../../../src/domain/facets.js';
import { sameTextKey } from '../../../src/domain/text-keys.js';
import { DEFAULT_QUERY, type AssetQuery } from '../first-load.js';
import { colorFilterFromParams, setColorParams } from './color-filter.js';
import { boundsFromParams, orientationFromParams, setSizeParams } from './size-filter.js';

export function galleryHref(query: AssetQuery): string {
  const params = new URLSearchParams();
  if (query.q.trim()) params.set('q', query.q);
  if (query.type) params.set('type', query.type);
  for (const tag of query.tags) params.append('tag', tag);
  if (query.license) params.set('license', query.license);
  else if (query.unlicensed) params.set('unlicensed', 'true');
  if (query.duplicates) params.set('duplicates', query.duplicates);
  setSizeParams(params, query);
  setColorParams(params, query);
  if (query.folder) params.set('folder', query.folder);
  if (query.similarTo) params.set('similar_to', query.similarTo);
  if (query.sort !== DEFAULT_QUERY.sort || query.order !== DEFAULT_QUERY.order) {
    params.set('sort', query.sort);
    params.set('order', query.order);
  }
  const text = params.toString();
  return text ? `#/?${text}` : '#/';
}

/** The filters a gallery URL's hash holds (none: the defaults). */
export function queryFromHref(hash: string): AssetQuery {
  const at = hash.indexOf('?');
  const params = new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
  const oneOf = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T =>
    allowed.find((a) => a === value) ?? fallback;
  return {
    q: params.get('q') ?? '',
    type: params.get('type') ?? '',
    // As the Tag list names them (its keys), so `tag=Hero` is the listed "hero", once.
    tags: [
      ...new Set(
        params
          .getAll('tag')
          .map((tag) => sameTextKey(tag.trim()))
          .filter(Boolean),
      ),
    ],
    license: params.get('license') ?? '',
    // A licence named too wins (the API refuses both).
    unlicensed: !params.get('license') && params.get('unlicensed') === 'true',
    duplicates: oneOf(params.get('duplicates'), DUPLICATE_FILTERS, ''),
    bounds: boundsFromParams(params),
    orientation: orientationFromParams(params),
    ...colorFilterFromParams(params),
    folder: (params.get('folder') ?? '').trim().replace(/^\/+|\/+$/g, ''),
    similarTo: (params.get('similar_to') ?? '').trim(),
    sort: oneOf(params.get('sort'), SORT_FIELDS, DEFAULT_QUERY.sort),
    order: oneOf(params.get('order'), SORT_ORDERS, DEFAULT_QUERY.order),
  };
}

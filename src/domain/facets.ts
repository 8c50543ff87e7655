/**
 * The filter options of a project with their counts (`GET /api/assets/facets`), the duplicates
 * filter's values and the search's sort keys. No Node imports: the studio imports them too
 * (`web/src/api.ts`), so server and browser read one definition.
 */
export interface FacetCount {
  value: string;
  count: number;
  /** How the value is spelled for display, when it differs from the matching key. */
  label?: string;
}

export interface Facets {
  total: number;
  types: FacetCount[];
  tags: FacetCount[];
  licenses: FacetCount[];
  /** Assets without a licence (the `unlicensed` filter). */
  unlicensed: number;
}

/**
 * Assets whose bytes another asset of the project has too: `all` of them, or the `extra` copies
 * (every one but the first registered of each set: what to remove to keep one of each).
 */
export type DuplicateFilter = 'all' | 'extra';
export const DUPLICATE_FILTERS: readonly DuplicateFilter[] = ['all', 'extra'];

/** What a search sorts by (`created`: registration order) and which way. */
export const SORT_FIELDS = ['created', 'type', 'path', 'bytes'] as const;
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type SortOrder = (typeof SORT_ORDERS)[number];

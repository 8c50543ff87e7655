/**
 * The filter options of a project with their counts (`GET /api/assets/facets`), and the
 * duplicates filter's values. No Node imports: the studio imports them too (`web/src/api.ts`), so
 * server and browser read one definition.
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
}

/**
 * Assets whose bytes another asset of the project has too: `all` of them, or the `extra` copies
 * (every one but the first registered of each set: what to remove to keep one of each).
 */
export type DuplicateFilter = 'all' | 'extra';
export const DUPLICATE_FILTERS: readonly DuplicateFilter[] = ['all', 'extra'];

/**
 * The filter options of a project with their counts (`GET /api/assets/facets`). Types only: the
 * studio imports them too (`web/src/api.ts`), so server and browser read one definition.
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

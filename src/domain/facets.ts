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
  /** Pictures with a lot of each colour (`color`), in `COLOR_NAMES` order, and with transparent parts (`transparent`). */
  colors: FacetCount[];
  transparent: number;
}

/**
 * Assets whose bytes another asset of the project has too: `all` of them, or the `extra` copies
 * (every one but the first registered of each set: what to remove to keep one of each); or
 * `similar`: pictures that look nearly the same as another (resized, re-encoded copies), by
 * their fingerprints (store/picture-index.ts).
 */
export type DuplicateFilter = 'all' | 'extra' | 'similar';
/** How close (fingerprint bits) a picture must be to another to count as its look-alike. */
export const LOOKALIKE_DISTANCE = 4;
export const DUPLICATE_FILTERS: readonly DuplicateFilter[] = ['all', 'extra', 'similar'];

/**
 * What a search sorts by (`created`: registration order) and which way. `width` and `duration`
 * are a picture's width in pixels and a sound's length in seconds, from its preview; an asset
 * without one (a text, or a preview not made yet) counts as 0 there.
 */
export const SORT_FIELDS = ['created', 'type', 'path', 'bytes', 'width', 'duration'] as const;
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type SortOrder = (typeof SORT_ORDERS)[number];

/**
 * The media facts a search can bound (`min_width=1920`, `max_duration=2`): a picture's size in
 * pixels and a sound's length in seconds, from its preview. Any bound leaves out the assets that
 * have no such fact.
 */
export const MEDIA_FACTS = ['width', 'height', 'duration'] as const;
export type MediaFact = (typeof MEDIA_FACTS)[number];

/** A picture's shape: wider than high, higher than wide, or as wide as high. */
export const ORIENTATIONS = ['landscape', 'portrait', 'square'] as const;
export type Orientation = (typeof ORIENTATIONS)[number];

/**
 * The colours a picture is searched by (`color=blue`): eight hues, brown, and black, gray and
 * white. A picture has a colour when at least {@link COLOR_SHARE} of its opaque pixels are of it
 * (previews/picture-colors.ts). The order is the bit order of the stored mask.
 */
export const COLOR_NAMES = [
  'red',
  'orange',
  'yellow',
  'green',
  'cyan',
  'blue',
  'purple',
  'pink',
  'brown',
  'black',
  'gray',
  'white',
] as const;
export type ColorName = (typeof COLOR_NAMES)[number];
export const COLOR_SHARE = 0.15;

/** A picture's main colours (at least 5 % of its opaque pixels each, most first) and whether it has transparent parts. */
export type PictureColors = {
  palette: Array<{ name: ColorName; hex: string; share: number }>;
  transparent: boolean;
};

/** The stored mask's bit for transparent parts, after the colours' bits. */
export const TRANSPARENT_BIT = 1 << COLOR_NAMES.length;

/**
 * The stored mask: a bit per colour (`COLOR_NAMES` order) covering at least `COLOR_SHARE`, and
 * {@link TRANSPARENT_BIT} for transparent parts.
 */
export const colorMask = ({ palette, transparent }: PictureColors): number =>
  palette.reduce(
    (mask, { name, share }) => (share >= COLOR_SHARE ? mask | (1 << COLOR_NAMES.indexOf(name)) : mask),
    transparent ? TRANSPARENT_BIT : 0,
  );

/** Lower (`min`) and upper (`max`) bounds of the media facts, each inclusive. */
export type MediaBounds = Partial<Record<`${'min' | 'max'}_${MediaFact}`, number>>;
export const MEDIA_BOUND_KEYS = MEDIA_FACTS.flatMap((fact) => [`min_${fact}`, `max_${fact}`] as const);

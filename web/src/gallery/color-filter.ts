/**
 * The Colour filter's choices: pictures by a main colour (the search's `color`) or by
 * transparency (`transparent`), and a description of any other combination a link may carry
 * (`color=blue&color=white&transparent=true`).
 */
import { COLOR_NAMES, type ColorName } from '../../../src/domain/facets.js';

/** What the Colour list sets: colours each picture must have, and transparent parts or not ('' for either). */
export interface ColorFilter {
  colors: ColorName[];
  transparent: '' | 'true' | 'false';
}

export interface ColorChoice {
  value: string;
  label: string;
  /** A swatch for the option (CSS colour). */
  swatch?: string;
  filter: ColorFilter;
}

/** How each colour is shown: a typical shade of it. */
export const COLOR_SWATCHES: Record<ColorName, string> = {
  red: '#d62828',
  orange: '#f77f00',
  yellow: '#f4d03f',
  green: '#2a9d4a',
  cyan: '#1ba3b0',
  blue: '#2456c4',
  purple: '#7b3fb5',
  pink: '#f06ba8',
  brown: '#8b5a2b',
  black: '#111111',
  gray: '#8a8a8a',
  white: '#f4f4f4',
};

const title = (name: string): string => name[0]?.toUpperCase() + name.slice(1);

export const COLOR_CHOICES: readonly ColorChoice[] = [
  ...COLOR_NAMES.map((name) => ({
    value: name,
    label: title(name),
    swatch: COLOR_SWATCHES[name],
    filter: { colors: [name], transparent: '' as const },
  })),
  {
    value: 'transparent',
    label: 'Transparent',
    filter: { colors: [], transparent: 'true' },
  },
  { value: 'opaque', label: 'Opaque', filter: { colors: [], transparent: 'false' } },
];

/** The choice a filter is ('' for none, 'custom' for one no choice names). */
export function colorChoiceOf({ colors, transparent }: ColorFilter): string {
  if (!colors.length && !transparent) return '';
  return (
    COLOR_CHOICES.find(
      (c) => c.filter.transparent === transparent && c.filter.colors.join() === colors.join(),
    )?.value ?? 'custom'
  );
}

/** A filter in words, for one no choice names: "blue and white, transparent". */
export function describeColor({ colors, transparent }: ColorFilter): string {
  const parts = colors.length ? [colors.join(' and ')] : [];
  if (transparent) parts.push(transparent === 'true' ? 'transparent' : 'opaque');
  return parts.join(', ');
}

/** Adds the filter to a query string, as the search names it (`color=blue&transparent=true`). */
export function setColorParams(params: URLSearchParams, { colors, transparent }: ColorFilter): void {
  for (const color of colors) params.append('color', color);
  if (transparent) params.set('transparent', transparent);
}

/** The filter a gallery URL holds (colours the search does not know are left out). */
export function colorFilterFromParams(params: URLSearchParams): ColorFilter {
  const named = params
    .getAll('color')
    .flatMap((value) => value.split(','))
    .map((value) => value.trim().toLowerCase());
  const transparent = params.get('transparent');
  return {
    colors: COLOR_NAMES.filter((name) => named.includes(name)),
    transparent: transparent === 'true' || transparent === 'false' ? transparent : '',
  };
}

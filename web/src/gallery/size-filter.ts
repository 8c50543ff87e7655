/**
 * The Size filter's choices: bounds of a picture's size and a sound's length (the search's
 * `min_width`… `max_duration`) and a picture's shape (`orientation`) that designers ask for by
 * name, and a description of any other bounds a link may carry.
 */
import {
  MEDIA_BOUND_KEYS,
  ORIENTATIONS,
  type MediaBounds,
  type Orientation,
} from '../../../src/domain/facets.js';

/** What the Size list sets: bounds and a shape ('' for any). */
export interface SizeFilter {
  bounds: MediaBounds;
  orientation: Orientation | '';
}

export interface SizeChoice {
  value: string;
  label: string;
  group: 'Pictures' | 'Sounds';
  bounds: MediaBounds;
  orientation?: Orientation;
}

const shape = (orientation: Orientation, label: string): SizeChoice => ({
  value: orientation,
  group: 'Pictures',
  label,
  bounds: {},
  orientation,
});

export const SIZE_CHOICES: readonly SizeChoice[] = [
  {
    value: 'hd',
    group: 'Pictures',
    label: '≥ 1280 × 720 (HD)',
    bounds: { min_width: 1280, min_height: 720 },
  },
  {
    value: 'full-hd',
    group: 'Pictures',
    label: '≥ 1920 × 1080 (Full HD)',
    bounds: { min_width: 1920, min_height: 1080 },
  },
  {
    value: '4k',
    group: 'Pictures',
    label: '≥ 3840 × 2160 (4K)',
    bounds: { min_width: 3840, min_height: 2160 },
  },
  {
    value: 'icon',
    group: 'Pictures',
    label: '≤ 256 × 256 (icons)',
    bounds: { max_width: 256, max_height: 256 },
  },
  shape('landscape', 'Landscape (wider than high)'),
  shape('portrait', 'Portrait (higher than wide)'),
  shape('square', 'Square'),
  { value: 'blip', group: 'Sounds', label: '≤ 1 s', bounds: { max_duration: 1 } },
  { value: 'short', group: 'Sounds', label: '1 s to 10 s', bounds: { min_duration: 1, max_duration: 10 } },
  {
    value: 'medium',
    group: 'Sounds',
    label: '10 s to 1 min',
    bounds: { min_duration: 10, max_duration: 60 },
  },
  { value: 'long', group: 'Sounds', label: '≥ 1 min', bounds: { min_duration: 60 } },
];

const sameBounds = (a: MediaBounds, b: MediaBounds): boolean =>
  MEDIA_BOUND_KEYS.every((key) => a[key] === b[key]);

/** The choice a filter is ('' for none, 'custom' for one no choice names). */
export function sizeChoiceOf({ bounds, orientation }: SizeFilter): string {
  if (!orientation && MEDIA_BOUND_KEYS.every((key) => bounds[key] === undefined)) return '';
  return (
    SIZE_CHOICES.find((c) => sameBounds(c.bounds, bounds) && (c.orientation ?? '') === orientation)?.value ??
    'custom'
  );
}

/** A filter in words, for one no choice names: "portrait, width ≥ 800 px, length ≤ 2.5 s". */
export function describeSize({ bounds, orientation }: SizeFilter): string {
  const parts: string[] = orientation ? [orientation] : [];
  for (const key of MEDIA_BOUND_KEYS) {
    const value = bounds[key];
    if (value === undefined) continue;
    const [side, fact] = key.split('_') as ['min' | 'max', 'width' | 'height' | 'duration'];
    const unit = fact === 'duration' ? 's' : 'px';
    parts.push(`${fact === 'duration' ? 'length' : fact} ${side === 'min' ? '≥' : '≤'} ${value} ${unit}`);
  }
  return parts.join(', ');
}

/** Adds the filter to a query string, as the search names it (`min_width=1920&orientation=portrait`). */
export function setSizeParams(params: URLSearchParams, { bounds, orientation }: SizeFilter): void {
  for (const key of MEDIA_BOUND_KEYS) {
    const bound = bounds[key];
    if (bound !== undefined) params.set(key, String(bound));
  }
  if (orientation) params.set('orientation', orientation);
}

/** The shape a gallery URL names ('' for none or one the search does not know). */
export const orientationFromParams = (params: URLSearchParams): Orientation | '' =>
  ORIENTATIONS.find((o) => o === params.get('orientation')) ?? '';

/** The bounds a gallery URL holds: each a number of 0 or more (pixels whole), others left out. */
export function boundsFromParams(params: URLSearchParams): MediaBounds {
  const bounds: MediaBounds = {};
  for (const key of MEDIA_BOUND_KEYS) {
    const text = params.get(key);
    if (text === null || text.trim() === '') continue;
    const value = Number(text);
    const whole = !key.endsWith('duration');
    if (Number.isFinite(value) && value >= 0 && value <= 1e9 && (!whole || Number.isInteger(value)))
      bounds[key] = value;
  }
  // Crossed bounds (a lower above its upper) match nothing: the server refuses them, so they go.
  for (const fact of ['width', 'height', 'duration'] as const) {
    const min = bounds[`min_${fact}`];
    const max = bounds[`max_${fact}`];
    if (min !== undefined && max !== undefined && min > max) {
      delete bounds[`min_${fact}`];
      delete bounds[`max_${fact}`];
    }
  }
  return bounds;
}

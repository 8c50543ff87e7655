/**
 * The filter flags `search` and `export` share, and the search they make: the same names and
 * checks as the search route's parameters.
 */
import { Command, Option } from 'commander';
import { badRequest } from '../domain/errors.js';
import { splitList } from '../domain/lists.js';
import {
  COLOR_NAMES,
  COLOR_SHARE,
  DUPLICATE_FILTERS,
  MEDIA_BOUND_KEYS,
  ORIENTATIONS,
  type ColorName,
  type DuplicateFilter,
  type MediaBounds,
  type Orientation,
} from '../domain/facets.js';
import type { AssetRegistry, SearchInput } from '../registry/registry.js';
import { DEFAULT_MAX_DISTANCE, MAX_DISTANCE } from '../registry/similar.js';
import { assetIdFor } from './asset-ref.js';
import { collect } from './common.js';

export interface FilterOptions {
  type?: string;
  tag?: string[];
  license?: string;
  unlicensed?: boolean;
  q?: string[];
  hash?: string;
  duplicates?: DuplicateFilter;
  folder?: string;
  orientation?: Orientation;
  color?: ColorName[];
  transparent?: boolean;
  minWidth?: string;
  maxWidth?: string;
  minHeight?: string;
  maxHeight?: string;
  minDuration?: string;
  maxDuration?: string;
  similarTo?: string;
  maxDistance?: string;
}

export function wholeNumber(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw badRequest(`--${name} must be a whole number from ${min} to ${max}; got ${value}`);
  }
  return n;
}

/** The media bounds given as flags (`--min-width 1920`), checked as the API checks them. */
function boundsOf(options: FilterOptions): MediaBounds {
  const seconds = (name: string, value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1e9)
      throw badRequest(`--${name} must be a number of seconds (0 or more, e.g. 2.5); got ${value}`);
    return n;
  };
  const given: Record<keyof MediaBounds, string | undefined> = {
    min_width: options.minWidth,
    max_width: options.maxWidth,
    min_height: options.minHeight,
    max_height: options.maxHeight,
    min_duration: options.minDuration,
    max_duration: options.maxDuration,
  };
  const bounds: MediaBounds = {};
  for (const key of MEDIA_BOUND_KEYS) {
    const value = given[key];
    if (value === undefined) continue;
    const flag = key.replace('_', '-');
    bounds[key] = key.endsWith('duration') ? seconds(flag, value) : wholeNumber(flag, value, 0, 1e9);
  }
  return bounds;
}

/** Adds the filter flags to a command. */
export function withFilterOptions(command: Command): Command {
  return command
    .option('--type <type>', 'asset type')
    .option('--tag <tag>', 'tag (repeat, or comma-separate, for several: all must match)', collect)
    .option('--license <license>', 'licence (case-insensitive exact match)')
    .option('--unlicensed', 'only assets without a licence')
    .option(
      '-q, --q <text>',
      'case-insensitive substring of the id, path or textual metadata (Unicode-normalised: composed or ' +
        'decomposed, full- or half-width alike); repeat for several that must all match',
      collect,
    )
    .option('--hash <sha256>', 'full content hash')
    .addOption(
      new Option(
        '--duplicates [which]',
        'only assets whose bytes another asset has too: all of them, or the extra copies (all but the first ' +
          'registered of each set); or similar: pictures that look nearly the same as another',
      )
        .choices(DUPLICATE_FILTERS)
        .preset('all'),
    )
    .option('--folder <folder>', 'only assets in this folder (relative to the assets root) or below it')
    .addOption(
      new Option('--orientation <shape>', 'pictures wider than high, higher than wide, or square').choices(
        ORIENTATIONS,
      ),
    )
    .addOption(
      new Option(
        '--color <color...>',
        `pictures with each of these colours covering at least ${COLOR_SHARE * 100} % of them`,
      ).choices(COLOR_NAMES),
    )
    .option('--transparent', 'pictures with transparent parts (sprites, icons, cut-outs)')
    .option('--no-transparent', 'pictures without transparent parts')
    .option('--min-width <px>', 'pictures at least this many pixels wide')
    .option('--max-width <px>', 'pictures at most this many pixels wide')
    .option('--min-height <px>', 'pictures at least this many pixels high')
    .option('--max-height <px>', 'pictures at most this many pixels high')
    .option('--min-duration <seconds>', 'sounds at least this long')
    .option('--max-duration <seconds>', 'sounds at most this long')
    .option(
      '--similar-to <id-or-path>',
      'only pictures that look like this one (itself included): resized, re-encoded or retouched copies',
    )
    .option(
      '--max-distance <bits>',
      `with --similar-to: how many of the fingerprint's 64 bits may differ (0-${MAX_DISTANCE}, default ${DEFAULT_MAX_DISTANCE})`,
    );
}

/** The search the filter flags describe (no sort or page). */
export function filterInput(options: FilterOptions): SearchInput {
  return {
    type: options.type,
    tags: (options.tag ?? []).flatMap((t) => splitList(t)),
    license: options.license,
    unlicensed: options.unlicensed,
    text: options.q,
    hash: options.hash,
    duplicates: options.duplicates,
    bounds: boundsOf(options),
    folder: options.folder,
    orientation: options.orientation,
    colors: options.color,
    transparent: options.transparent,
    similarTo: options.similarTo,
    maxDistance:
      options.maxDistance === undefined
        ? undefined
        : wholeNumber('max-distance', options.maxDistance, 0, MAX_DISTANCE),
  };
}

/** The filters with the asset they name (`--similar-to`) given by path as well as by id. */
export function resolveAssetRefs(
  input: SearchInput,
  registry: AssetRegistry,
  assetsRoot: string,
): SearchInput {
  const given = input.similarTo;
  return given ? { ...input, similarTo: assetIdFor(registry, assetsRoot, given) ?? given } : input;
}

/** Whether any filter flag was given. */
export function hasFilter(input: SearchInput): boolean {
  const { tags, bounds, ...others } = input;
  return (
    Boolean(tags?.length) ||
    Object.keys(bounds ?? {}).length > 0 ||
    Object.values(others).some((value) => value !== undefined)
  );
}

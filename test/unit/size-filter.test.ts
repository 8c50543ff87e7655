/** The studio's Size list, and the gallery URL's bounds and folder, in and out. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_QUERY, queryString } from '../../web/src/first-load.js';
import { galleryHref, queryFromHref } from '../../web/src/gallery/query-url.js';
import type { MediaBounds, Orientation } from '../../src/domain/facets.js';
import {
  boundsFromParams,
  describeSize,
  SIZE_CHOICES,
  sizeChoiceOf,
} from '../../web/src/gallery/size-filter.js';

const bounds = (query: string) => boundsFromParams(new URLSearchParams(query));

describe('the Size filter', () => {
  test('a named choice is found from its bounds; other bounds are custom; none is any', () => {
    const of = (bounds: MediaBounds, orientation: Orientation | '' = ''): string =>
      sizeChoiceOf({ bounds, orientation });
    assert.equal(of({}), '');
    assert.equal(of({ min_width: 1920, min_height: 1080 }), 'full-hd');
    assert.equal(of({ max_duration: 1 }), 'blip');
    assert.equal(of({}, 'portrait'), 'portrait');
    assert.equal(of({ min_width: 1920 }), 'custom', 'Full HD needs the height too');
    assert.equal(of({ max_duration: 1, min_width: 1 }), 'custom');
    assert.equal(of({ min_width: 1920, min_height: 1080 }, 'portrait'), 'custom', 'a shape and a size');
    assert.equal(new Set(SIZE_CHOICES.map((c) => c.value)).size, SIZE_CHOICES.length, 'values unique');
  });

  test('custom bounds in words', () => {
    assert.equal(describeSize({ bounds: { min_width: 800 }, orientation: '' }), 'width ≥ 800 px');
    assert.equal(
      describeSize({ bounds: { max_duration: 2.5, min_height: 100, max_height: 200 }, orientation: '' }),
      'height ≥ 100 px, height ≤ 200 px, length ≤ 2.5 s',
    );
    assert.equal(
      describeSize({ bounds: { min_width: 800 }, orientation: 'square' }),
      'square, width ≥ 800 px',
    );
  });

  test("a URL's bounds: numbers of 0 or more, whole pixels; crossed or broken ones are dropped", () => {
    assert.deepEqual(bounds('min_width=1920&max_duration=2.5'), { min_width: 1920, max_duration: 2.5 });
    assert.deepEqual(bounds('min_width=0'), { min_width: 0 });
    assert.deepEqual(bounds('min_width=1.5&max_height=-3&min_duration=abc&max_duration='), {});
    assert.deepEqual(bounds('min_width=2000&max_width=100&min_duration=1'), { min_duration: 1 });
  });

  test('bounds round-trip through the gallery URL and go to the search as the API names them', () => {
    const query = { ...DEFAULT_QUERY, type: 'images', bounds: { min_width: 1920, min_height: 1080 } };
    const href = galleryHref(query);
    assert.equal(href, '#/?type=images&min_width=1920&min_height=1080');
    assert.deepEqual(queryFromHref(href), query);
    assert.equal(
      queryString({ ...DEFAULT_QUERY, bounds: { max_duration: 1 } }),
      'max_duration=1&sort=created&order=desc',
    );
    assert.equal(galleryHref(DEFAULT_QUERY), '#/', 'no bounds, nothing in the URL');
    // A shape: known ones only.
    assert.equal(queryFromHref('#/?orientation=portrait').orientation, 'portrait');
    assert.equal(queryFromHref('#/?orientation=tall').orientation, '');
    assert.equal(galleryHref({ ...DEFAULT_QUERY, orientation: 'square' }), '#/?orientation=square');
    // A folder too, its slashes at either end dropped.
    assert.equal(queryFromHref('#/?folder=%2Fprops%2Farchive%2F').folder, 'props/archive');
    assert.equal(galleryHref({ ...DEFAULT_QUERY, folder: 'props/archive' }), '#/?folder=props%2Farchive');
  });
});

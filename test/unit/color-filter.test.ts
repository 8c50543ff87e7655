/** The studio's Color list, and the gallery URL's colours and transparency, in and out. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_QUERY, queryString } from '../../web/src/first-load.js';
import { colorChoiceOf, describeColor } from '../../web/src/gallery/color-filter.js';
import { galleryHref, queryFromHref } from '../../web/src/gallery/query-url.js';

test('a named choice is found from its filter; other combinations are custom, in words', () => {
  assert.equal(colorChoiceOf({ colors: [], transparent: '' }), '');
  assert.equal(colorChoiceOf({ colors: ['blue'], transparent: '' }), 'blue');
  assert.equal(colorChoiceOf({ colors: [], transparent: 'true' }), 'transparent');
  assert.equal(colorChoiceOf({ colors: [], transparent: 'false' }), 'opaque');
  const both = { colors: ['blue' as const, 'white' as const], transparent: 'false' as const };
  assert.equal(colorChoiceOf(both), 'custom');
  assert.equal(describeColor(both), 'blue and white, opaque');
  assert.equal(colorChoiceOf({ colors: ['green'], transparent: 'true' }), 'custom');
});

test('the URL keeps colours and transparency; colours it does not know are left out', () => {
  const query = {
    ...DEFAULT_QUERY,
    colors: ['blue' as const, 'white' as const],
    transparent: 'true' as const,
  };
  const href = galleryHref(query);
  assert.equal(href, '#/?color=blue&color=white&transparent=true');
  assert.deepEqual(queryFromHref(href), query);
  assert.match(queryString(query), /color=blue&color=white&transparent=true/);
  // Comma lists, any case, in the search's order; unknown colours and values dropped.
  const parsed = queryFromHref('#/?color=White,TEAL&color=blue&transparent=maybe');
  assert.deepEqual([parsed.colors, parsed.transparent], [['blue', 'white'], '']);
  assert.equal(galleryHref(DEFAULT_QUERY), '#/');
});

/** Metadata rules: §1.4 normalisation, §1.7 duplicate merge, §1.8 bulk edit, §6 path tags, input checks. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/domain/errors.js';
import type { JsonObject, JsonValue } from '../../src/domain/json.js';
import {
  applyBulkEdit,
  assertValidMetadata,
  mergeMetadata,
  normaliseLicense,
  normaliseMetadata,
  normaliseTags,
  normaliseVersion,
  parseMetadataInput,
  pathDerivedTags,
  replaceMetadata,
  sameJson,
} from '../../src/domain/metadata.js';

/** Asserts `fn` throws a 400 AppError whose message matches `message`. */
function assertBadRequest(fn: () => unknown, message: RegExp | string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'bad_request');
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('normaliseTags (§1.4)', () => {
  test('trims, drops empties, dedupes case-insensitively keeping first spelling and order', () => {
    assert.deepEqual(normaliseTags([' Foo', 'foo', 'BAR', '']), ['Foo', 'BAR']);
  });

  test('null, empty string and empty list give no tags', () => {
    assert.deepEqual(normaliseTags(null), []);
    assert.deepEqual(normaliseTags(''), []);
    assert.deepEqual(normaliseTags([]), []);
    assert.deepEqual(normaliseTags(undefined), []);
  });

  test('a scalar becomes a one-element list, trimmed and never comma-split', () => {
    assert.deepEqual(normaliseTags('solo'), ['solo']);
    assert.deepEqual(normaliseTags('a,b'), ['a,b']);
    assert.deepEqual(normaliseTags('  spaced  '), ['spaced']);
    assert.deepEqual(normaliseTags('   '), []);
  });

  test('numbers and booleans become their text', () => {
    assert.deepEqual(normaliseTags([5, true, 'x']), ['5', 'true', 'x']);
    assert.deepEqual(normaliseTags(7), ['7']);
  });

  test('FIXED §11.13: a null element is dropped, never the string "None"', () => {
    const tags = normaliseTags([null, 'hero', null]);
    assert.deepEqual(tags, ['hero']);
    assert.ok(!tags.includes('None'));
    assert.ok(!tags.includes('null'));
  });

  test('objects and nested lists are not turned into "[object Object]" tags', () => {
    const tags = normaliseTags([{ a: 1 }, ['x'], 'kept']);
    assert.deepEqual(tags, ['kept']);
  });

  test('does not mutate the input list', () => {
    const input: JsonValue[] = [' a ', 'A'];
    normaliseTags(input);
    assert.deepEqual(input, [' a ', 'A']);
  });
});

describe('normaliseLicense (§1.4)', () => {
  test('a string is trimmed; blank becomes null', () => {
    assert.equal(normaliseLicense('  CC-BY-4.0 '), 'CC-BY-4.0');
    assert.equal(normaliseLicense('   '), null);
    assert.equal(normaliseLicense(''), null);
    assert.equal(normaliseLicense(null), null);
  });

  test('FIXED §11.12: a licence object {id} keeps its id, not a repr string', () => {
    assert.equal(normaliseLicense({ id: 'X' }), 'X');
    assert.equal(normaliseLicense({ id: ' MIT ', url: 'https://example.com' }), 'MIT');
  });

  test('non-string scalars become their text', () => {
    assert.equal(normaliseLicense(5), '5');
  });
});

describe('normaliseVersion (§1.4)', () => {
  test('missing or null is 1', () => {
    assert.equal(normaliseVersion(undefined), 1);
    assert.equal(normaliseVersion(null), 1);
  });

  test('integer text is cast, anything uncastable is 1', () => {
    assert.equal(normaliseVersion('3'), 3);
    assert.equal(normaliseVersion(' 4 '), 4);
    assert.equal(normaliseVersion('abc'), 1);
    assert.equal(normaliseVersion('3.5'), 1);
    assert.equal(normaliseVersion({}), 1);
  });

  test('numbers are truncated to integers', () => {
    assert.equal(normaliseVersion(7), 7);
    assert.equal(normaliseVersion(3.9), 3);
    assert.equal(normaliseVersion(Number.NaN), 1);
  });
});

describe('normaliseMetadata (§1.4)', () => {
  test('tags is always present, version defaults to 1', () => {
    assert.deepEqual(normaliseMetadata({}), { tags: [], version: 1 });
  });

  test('an absent licence and origin stay absent', () => {
    const out = normaliseMetadata({ tags: ['a'] });
    assert.ok(!('license' in out));
    assert.ok(!('origin' in out));
  });

  test('a blank licence keeps the key with value null', () => {
    const out = normaliseMetadata({ license: '   ' });
    assert.ok('license' in out);
    assert.equal(out.license, null);
  });

  test('origin becomes text: 5 → "5"', () => {
    assert.equal(normaliseMetadata({ origin: 5 }).origin, '5');
    assert.equal(normaliseMetadata({ origin: 'studio' }).origin, 'studio');
  });

  test('version "3" becomes 3; a failed cast becomes 1', () => {
    assert.equal(normaliseMetadata({ version: '3' }).version, 3);
    assert.equal(normaliseMetadata({ version: 'three' }).version, 1);
  });

  test('every other key passes through untouched', () => {
    const input: JsonObject = {
      tags: [' Foo', 'foo'],
      notes: 'n',
      title: 'T',
      preview: { kind: 'thumbnail', path: 'p' },
      nested: { deep: [1, 2] },
    };
    const out = normaliseMetadata(input);
    assert.deepEqual(out, {
      tags: ['Foo'],
      notes: 'n',
      title: 'T',
      preview: { kind: 'thumbnail', path: 'p' },
      nested: { deep: [1, 2] },
      version: 1,
    });
  });

  test('does not mutate its input', () => {
    const input: JsonObject = { tags: [' a '], license: ' MIT ', version: '2' };
    normaliseMetadata(input);
    assert.deepEqual(input, { tags: [' a '], license: ' MIT ', version: '2' });
  });

  test('normalising twice changes nothing (idempotent, as it runs on every read and write)', () => {
    const once = normaliseMetadata({ tags: [' X', 'x', null], license: ' L ', origin: 3, version: '2' });
    assert.deepEqual(normaliseMetadata(once), once);
  });
});

describe('mergeMetadata (§1.7 duplicate registration)', () => {
  test('tags are unioned: ["One","two"] + ["ONE","three"] → ["One","two","three"]', () => {
    const merged = mergeMetadata({ tags: ['One', 'two'] }, { tags: ['ONE', 'three'] });
    assert.deepEqual(merged.tags, ['One', 'two', 'three']);
  });

  test('a scalar existing tag counts as a one-element list; a scalar update is added', () => {
    assert.deepEqual(mergeMetadata({ tags: 'solo' }, { tags: ['x'] }).tags, ['solo', 'x']);
    assert.deepEqual(mergeMetadata({ tags: ['a'] }, { tags: 'b' }).tags, ['a', 'b']);
  });

  test('an empty or null tag update keeps the existing tags', () => {
    assert.deepEqual(mergeMetadata({ tags: ['a'] }, { tags: null }).tags, ['a']);
    assert.deepEqual(mergeMetadata({ tags: ['a'] }, { tags: '' }).tags, ['a']);
    assert.deepEqual(mergeMetadata({ tags: ['a'] }, { tags: [] }).tags, ['a']);
  });

  test('the licence is replaced by the update: CC0 then Apache → Apache', () => {
    assert.equal(mergeMetadata({ license: 'CC0' }, { license: 'Apache' }).license, 'Apache');
  });

  test('an empty licence update gives null', () => {
    assert.equal(mergeMetadata({ license: 'CC0' }, { license: '' }).license, null);
  });

  test('FIXED §11.12: a licence object in a merge keeps its id instead of becoming null', () => {
    assert.equal(mergeMetadata({ license: 'CC0' }, { license: { id: 'X' } }).license, 'X');
  });

  test('any other key is overwritten, including with null', () => {
    const merged = mergeMetadata(
      { origin: 'o1', version: 1, notes: 'keep me?' },
      { origin: 'o2', version: 7, notes: null },
    );
    assert.equal(merged.origin, 'o2');
    assert.equal(merged.version, 7);
    assert.ok('notes' in merged);
    assert.equal(merged.notes, null);
  });

  test('keys absent from the update are kept', () => {
    const merged = mergeMetadata({ title: 'T', license: 'MIT', tags: ['a'] }, { notes: 'n' });
    assert.deepEqual(merged, { title: 'T', license: 'MIT', tags: ['a'], notes: 'n' });
  });

  test('preview and thumbnails objects are replaced by a shallow copy', () => {
    const preview = { kind: 'thumbnail', path: 'new.png' };
    const merged = mergeMetadata(
      { preview: { kind: 'thumbnail', path: 'old.png', default: 'old.png' } },
      { preview },
    );
    assert.deepEqual(merged.preview, { kind: 'thumbnail', path: 'new.png' });
    assert.notEqual(merged.preview, preview);
  });

  test('does not mutate the existing meta', () => {
    const existing: JsonObject = { tags: ['a'], license: 'CC0' };
    mergeMetadata(existing, { tags: ['b'], license: 'MIT' });
    assert.deepEqual(existing, { tags: ['a'], license: 'CC0' });
  });
});

describe('replaceMetadata (full metadata update)', () => {
  test('replaces user keys but keeps the registry-maintained preview and thumbnails', () => {
    const existing: JsonObject = {
      tags: ['a'],
      license: 'MIT',
      origin: 'o',
      preview: { kind: 'thumbnail', path: 'cache/thumbs/u_256.png' },
      thumbnails: { '256': 'cache/thumbs/u_256.png' },
    };
    const out = replaceMetadata(existing, { tags: ['z'] });
    assert.deepEqual(out, {
      tags: ['z'],
      preview: { kind: 'thumbnail', path: 'cache/thumbs/u_256.png' },
      thumbnails: { '256': 'cache/thumbs/u_256.png' },
    });
  });

  test('a preview given in the replacement wins over the stored one', () => {
    const out = replaceMetadata({ preview: { path: 'old' } }, { preview: { path: 'new' } });
    assert.deepEqual(out.preview, { path: 'new' });
  });

  test('nothing is added when the existing meta has no preview', () => {
    assert.deepEqual(replaceMetadata({ tags: ['a'] }, { notes: 'n' }), { notes: 'n' });
  });
});

describe('applyBulkEdit (§1.8 bulk_update_tags)', () => {
  test('tags ["A","b"], add [" c ","B",""], remove ["a"] → ["b","c"]', () => {
    const out = applyBulkEdit({ tags: ['A', 'b'] }, { addTags: [' c ', 'B', ''], removeTags: ['a'] });
    assert.deepEqual(out.tags, ['b', 'c']);
  });

  test('an added tag is not duplicated in another case', () => {
    assert.deepEqual(applyBulkEdit({ tags: ['b'] }, { addTags: ['B'] }).tags, ['b']);
  });

  test('remove runs after add: a tag both added and removed ends up removed', () => {
    assert.deepEqual(applyBulkEdit({ tags: ['x'] }, { addTags: ['new'], removeTags: ['NEW'] }).tags, ['x']);
  });

  test('removal is case-insensitive and trims', () => {
    assert.deepEqual(applyBulkEdit({ tags: ['Hero', 'Villain'] }, { removeTags: [' HERO '] }).tags, [
      'Villain',
    ]);
  });

  test('licence: undefined leaves it, "" or null deletes the key, a value sets it', () => {
    assert.equal(applyBulkEdit({ license: 'MIT' }, {}).license, 'MIT');
    assert.ok(!('license' in applyBulkEdit({ license: 'MIT' }, { license: '' })));
    assert.ok(!('license' in applyBulkEdit({ license: 'MIT' }, { license: null })));
    assert.equal(applyBulkEdit({ license: 'MIT' }, { license: 'GPL-3.0' }).license, 'GPL-3.0');
  });

  test('other keys are preserved and the input is not mutated', () => {
    const meta: JsonObject = { tags: ['a'], title: 'T', license: 'MIT' };
    const out = applyBulkEdit(meta, { addTags: ['b'], license: '' });
    assert.deepEqual(out, { tags: ['a', 'b'], title: 'T' });
    assert.deepEqual(meta, { tags: ['a'], title: 'T', license: 'MIT' });
  });

  test('existing tags are normalised first (a scalar and duplicates)', () => {
    assert.deepEqual(applyBulkEdit({ tags: ' solo ' }, { addTags: ['x'] }).tags, ['solo', 'x']);
    assert.deepEqual(applyBulkEdit({ tags: ['a', 'A'] }, {}).tags, ['a']);
  });
});

describe('pathDerivedTags (§6)', () => {
  test('Characters/Alice/Hero Pic.txt → ["characters","alice","hero pic"]', () => {
    assert.deepEqual(pathDerivedTags('Characters/Alice/Hero Pic.txt'), ['characters', 'alice', 'hero pic']);
  });

  test('skips _meta folders and removes only the last extension', () => {
    assert.deepEqual(pathDerivedTags('_meta/Docs/My Song.Final.txt'), ['docs', 'my song.final']);
  });

  test('a file with no extension keeps its whole name', () => {
    assert.deepEqual(pathDerivedTags('README'), ['readme']);
  });

  test('duplicates are removed in order', () => {
    assert.deepEqual(pathDerivedTags('Hero/hero.png'), ['hero']);
    assert.deepEqual(pathDerivedTags('a/b/A/c.png'), ['a', 'b', 'c']);
  });
});

describe('parseMetadataInput (§2.1)', () => {
  test('absent, null or blank text is an empty object', () => {
    assert.deepEqual(parseMetadataInput(undefined), {});
    assert.deepEqual(parseMetadataInput(null), {});
    assert.deepEqual(parseMetadataInput('   '), {});
  });

  test('JSON text decoding to an object is accepted', () => {
    assert.deepEqual(parseMetadataInput('{"tags":["a"],"license":"MIT"}'), { tags: ['a'], license: 'MIT' });
  });

  test('an object is accepted as a copy', () => {
    const input = { tags: ['a'] };
    const out = parseMetadataInput(input);
    assert.deepEqual(out, { tags: ['a'] });
    assert.notEqual(out, input);
  });

  test('invalid JSON text is a 400 naming the problem', () => {
    assertBadRequest(() => parseMetadataInput('{not json'), /^metadata must be valid JSON: /);
  });

  test('JSON text that is not an object is a 400', () => {
    assertBadRequest(() => parseMetadataInput('[1,2]'), 'metadata JSON must decode to an object.');
    assertBadRequest(() => parseMetadataInput('"text"'), 'metadata JSON must decode to an object.');
  });

  test('a non-object value is a 400', () => {
    assertBadRequest(() => parseMetadataInput(5), 'metadata must be an object or JSON string.');
    assertBadRequest(() => parseMetadataInput(['a']), 'metadata must be an object or JSON string.');
  });

  test('field types are checked after decoding', () => {
    assertBadRequest(() => parseMetadataInput('{"origin":{"x":1}}'), /metadata\.origin must be a string/);
  });
});

describe('assertValidMetadata', () => {
  test('accepts the documented shapes', () => {
    assert.doesNotThrow(() =>
      assertValidMetadata({ tags: ['a', null, 5], license: 'MIT', origin: 'o', version: 2 }),
    );
    assert.doesNotThrow(() => assertValidMetadata({ tags: 'solo', license: { id: 'X' }, version: '3' }));
    assert.doesNotThrow(() =>
      assertValidMetadata({ tags: null, license: null, origin: null, version: null }),
    );
  });

  test('object tags are a 400 naming the field', () => {
    assertBadRequest(() => assertValidMetadata({ tags: [{ a: 1 }] }), /^metadata\.tags must be a list/);
    assertBadRequest(() => assertValidMetadata({ tags: { a: 1 } }), /^metadata\.tags must be a list/);
  });

  test('a licence that is neither text nor {id} is a 400', () => {
    assertBadRequest(() => assertValidMetadata({ license: { url: 'u' } }), /^metadata\.license must be/);
    assertBadRequest(() => assertValidMetadata({ license: ['MIT'] }), /^metadata\.license must be/);
  });

  test('an object origin is a 400', () => {
    assertBadRequest(() => assertValidMetadata({ origin: ['a'] }), /^metadata\.origin must be a string/);
  });

  test('a negative, fractional or non-numeric version is a 400', () => {
    for (const version of [-1, 1.5, 'abc', true]) {
      assertBadRequest(
        () => assertValidMetadata({ version }),
        /^metadata\.version must be a non-negative whole number/,
      );
    }
  });

  test('the message uses the given location', () => {
    assertBadRequest(() => assertValidMetadata({ origin: {} }, 'body.meta'), /^body\.meta\.origin/);
  });
});

describe('sameJson', () => {
  test('ignores object key order', () => {
    assert.equal(sameJson({ a: 1, b: { c: [1, 2], d: 'x' } }, { b: { d: 'x', c: [1, 2] }, a: 1 }), true);
  });

  test('sees differences in values, array order, null vs missing', () => {
    assert.equal(sameJson({ tags: ['a', 'b'] }, { tags: ['b', 'a'] }), false);
    assert.equal(sameJson({ a: 1 }, { a: '1' }), false);
    assert.equal(sameJson({ a: null }, {}), false);
    assert.equal(sameJson(null, undefined), false);
  });
});

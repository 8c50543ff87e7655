/** The reference's metadata rules (§1.4, §1.7, §1.8, §6) and the fixes to its bugs. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { buildSidecar, searchText, serializeAsset, type AssetRecord } from '../../src/domain/asset.js';
import { pythonJsonDumps } from '../../src/domain/json.js';
import {
  applyBulkEdit,
  mergeMetadata,
  normaliseMetadata,
  normaliseTags,
  parseMetadataInput,
  pathDerivedTags,
  replaceMetadata,
} from '../../src/domain/metadata.js';
import { buildProvenance } from '../../src/domain/provenance.js';
import { MAX_SEARCH_TERMS, searchTerms } from '../../src/domain/lists.js';
import { SIDECAR_KEYS } from '../helpers/contract.js';

describe('normalisation (§1.4)', () => {
  test('tags: trimmed, empties dropped, case-insensitive dedupe keeping the first casing and order', () => {
    assert.deepEqual(normaliseTags([' Foo', 'foo', 'BAR', '']), ['Foo', 'BAR']);
  });

  test('tags: null/""/[] give [], a scalar is one tag and is not comma-split', () => {
    assert.deepEqual(normaliseTags(null), []);
    assert.deepEqual(normaliseTags(''), []);
    assert.deepEqual(normaliseTags([]), []);
    assert.deepEqual(normaliseTags('a,b'), ['a,b']);
    assert.deepEqual(normaliseTags(' solo '), ['solo']);
  });

  test('tags: a null element is dropped, not turned into "None" (§11.13)', () => {
    assert.deepEqual(normaliseTags(['a', null, 'b']), ['a', 'b']);
  });

  test('licence: trimmed; blank becomes null with the key kept; absent stays absent', () => {
    assert.equal(normaliseMetadata({ license: '  MIT ' }).license, 'MIT');
    const blank = normaliseMetadata({ license: '   ' });
    assert.ok('license' in blank);
    assert.equal(blank.license, null);
    assert.ok(!('license' in normaliseMetadata({})));
  });

  test('licence object {id} keeps its id instead of a Python repr (§11.12)', () => {
    assert.equal(normaliseMetadata({ license: { id: 'CC-BY-4.0', url: 'x' } }).license, 'CC-BY-4.0');
  });

  test('origin becomes a string; version defaults to 1 and casts integers', () => {
    assert.equal(normaliseMetadata({ origin: 5 }).origin, '5');
    assert.equal(normaliseMetadata({}).version, 1);
    assert.equal(normaliseMetadata({ version: '3' }).version, 3);
    assert.equal(normaliseMetadata({ version: 'x' }).version, 1);
    assert.equal(normaliseMetadata({ version: null }).version, 1);
  });

  test('other keys pass through untouched, tags always present', () => {
    const meta = normaliseMetadata({ notes: 'n', nested: { a: [1] } });
    assert.deepEqual(meta, { notes: 'n', nested: { a: [1] }, tags: [], version: 1 });
  });
});

describe('duplicate merge (§1.7)', () => {
  test('tags union keeps the existing casing first', () => {
    const merged = mergeMetadata({ tags: ['One', 'two'] }, { tags: ['ONE', 'three'] });
    assert.deepEqual(merged.tags, ['One', 'two', 'three']);
  });

  test('licence is replaced (falsy → null), other keys overwritten even with null', () => {
    const merged = mergeMetadata(
      { license: 'CC0', origin: 'o1', version: 2 },
      { license: 'Apache', origin: 'o2' },
    );
    assert.equal(merged.license, 'Apache');
    assert.equal(merged.origin, 'o2');
    assert.equal(mergeMetadata({ license: 'CC0' }, { license: '' }).license, null);
    assert.equal(mergeMetadata({ origin: 'o1' }, { origin: null }).origin, null);
  });

  test('a replace keeps the registry-maintained preview and thumbnails (§11.9)', () => {
    const existing = {
      tags: ['a'],
      license: 'MIT',
      preview: { kind: 'thumbnail' },
      thumbnails: { '256': 'x' },
    };
    assert.deepEqual(replaceMetadata(existing, { tags: ['z'] }), {
      tags: ['z'],
      preview: { kind: 'thumbnail' },
      thumbnails: { '256': 'x' },
    });
  });
});

describe('bulk edit (§1.8)', () => {
  test('the reference example: add runs before remove, case-insensitive', () => {
    const out = applyBulkEdit({ tags: ['A', 'b'] }, { addTags: [' c ', 'B', ''], removeTags: ['a'] });
    assert.deepEqual(out.tags, ['b', 'c']);
  });

  test('licence: undefined keeps it, "" or null deletes the key, text sets it', () => {
    assert.equal(applyBulkEdit({ license: 'MIT' }, {}).license, 'MIT');
    assert.ok(!('license' in applyBulkEdit({ license: 'MIT' }, { license: '' })));
    assert.ok(!('license' in applyBulkEdit({ license: 'MIT' }, { license: null })));
    assert.equal(applyBulkEdit({}, { license: 'CC0' }).license, 'CC0');
  });
});

describe('path-derived tags (§6)', () => {
  test('folders and stem lowercased, _meta skipped, deduped', () => {
    assert.deepEqual(pathDerivedTags('Characters/Alice/Hero Pic.txt'), ['characters', 'alice', 'hero pic']);
    assert.deepEqual(pathDerivedTags('_meta/a/A.png'), ['a']);
  });
});

describe('metadata input (§2.1 messages)', () => {
  test('object, JSON text and empty text are accepted', () => {
    assert.deepEqual(parseMetadataInput({ tags: ['a'] }), { tags: ['a'] });
    assert.deepEqual(parseMetadataInput('{"license":"MIT"}'), { license: 'MIT' });
    assert.deepEqual(parseMetadataInput('   '), {});
    assert.deepEqual(parseMetadataInput(null), {});
  });

  test('bad shapes give the reference messages', () => {
    assert.throws(() => parseMetadataInput('{bad'), /^AppError: metadata must be valid JSON: /);
    assert.throws(() => parseMetadataInput('[1]'), { message: 'metadata JSON must decode to an object.' });
    assert.throws(() => parseMetadataInput(5), { message: 'metadata must be an object or JSON string.' });
    assert.throws(() => parseMetadataInput([1]), { message: 'metadata must be an object or JSON string.' });
  });

  test('wrong field types name the field', () => {
    assert.throws(() => parseMetadataInput({ tags: [{ a: 1 }] }), /metadata\.tags must be/);
    assert.throws(() => parseMetadataInput({ license: [1] }), /metadata\.license must be/);
    assert.throws(() => parseMetadataInput({ version: 'x' }), /metadata\.version must be/);
  });
});

const record = (over: Partial<AssetRecord> = {}): AssetRecord => ({
  projectId: 'default',
  uid: '2cf24dba5fb0a30e',
  type: 'images',
  path: 'images/hero.png',
  hash: createHash('sha256').update('hello').digest('hex'),
  bytes: 5,
  meta: { tags: ['Hero'], license: 'MIT', version: 1 },
  createdAt: '2026-01-01 00:00:00',
  updatedAt: '2026-01-01 00:00:00',
  thumb: null,
  ...over,
});

describe('payloads (§1.6, §2.9, §3)', () => {
  test('the id of the content "hello" is 2cf24dba5fb0a30e', () => {
    assert.equal(record().hash.slice(0, 16), '2cf24dba5fb0a30e');
  });

  test('sidecar keys in the reference order, provenance last', () => {
    const sidecar = buildSidecar(record(), {
      id: 1,
      asset_uid: '2cf24dba5fb0a30e',
      source: 's',
      workflow_hash: null,
      commit_hash: null,
      inputs: {},
      c2pa_like: {},
      user_id: null,
      created_at: 'now',
    });
    assert.deepEqual(Object.keys(sidecar), [...SIDECAR_KEYS]);
    assert.equal(sidecar.origin, null);
  });

  test('a waveform thumb synthesises preview and links.preview; a thumbnails map adds paths and default', () => {
    const wav = serializeAsset(
      record({ path: 'audio/a.wav', thumb: 'cache/thumbs/x.waveform.json', meta: {} }),
      1,
      'default',
    );
    assert.deepEqual(wav.preview, { kind: 'waveform', path: 'cache/thumbs/x.waveform.json' });
    assert.equal((wav.links as Record<string, unknown>).preview, 'cache/thumbs/x.waveform.json');
    const png = serializeAsset(
      record({ thumb: 'cache/thumbs/x_256.png', meta: { thumbnails: { '512': 'b', '256': 'a' } } }),
      1,
      'default',
    );
    assert.deepEqual(png.preview, {
      kind: 'thumbnail',
      path: 'cache/thumbs/x_256.png',
      paths: { '512': 'b', '256': 'a' },
      default: 'a',
    });
    assert.deepEqual(Object.keys(png.links as object), ['file', 'sidecar', 'thumbnail', 'thumbnails']);
  });

  test('search text covers uid, path and textual metadata only, one field per line', () => {
    const text = searchText('ABC', 'Images/Hero.png', {
      title: 'Big',
      tags: ['Red'],
      n: 5,
      nested: { x: 'no' },
    });
    assert.equal(text, 'abc\nimages/hero.png\nbig\nred');
  });
});

describe('provenance (§1.10)', () => {
  test('workflow hash = sha256(source + python json of inputs with sorted keys)', () => {
    const p = buildProvenance(
      { source: ' tool ', inputs: { b: 1, a: 'é' } },
      {},
      { uid: 'u', hash: 'h' },
      't',
      {},
    );
    assert.deepEqual(p.inputs, { b: 1, a: 'é', asset_uid: 'u', asset_hash: 'h' });
    const expected = createHash('sha256')
      .update('tool{"a": "é", "asset_hash": "h", "asset_uid": "u", "b": 1}')
      .digest('hex');
    assert.equal(p.workflow_hash, expected);
    assert.equal(pythonJsonDumps({ b: [1, { c: null }], a: true }), '{"a": true, "b": [1, {"c": null}]}');
  });

  test('source and user fall back to metadata, then "unspecified" and the environment', () => {
    const p = buildProvenance({}, { source: 'meta-src' }, { uid: 'u', hash: 'h' }, 't', {
      ASSET_REGISTRY_USER: 'ann',
    });
    assert.equal(p.source, 'meta-src');
    assert.equal(p.user_id, 'ann');
    assert.equal(buildProvenance({}, {}, { uid: 'u', hash: 'h' }, 't', {}).source, 'unspecified');
  });
});

describe('search terms typed in the studio', () => {
  test('words split at white space, quoted phrases kept whole, at most 16 kept (the longest)', () => {
    assert.deepEqual(searchTerms('  castle   night '), ['castle', 'night']);
    assert.deepEqual(searchTerms('"castle night" rain'), ['castle night', 'rain']);
    assert.deepEqual(
      searchTerms('rain "castle ni'),
      ['rain', 'castle ni'],
      'an unclosed quote runs to the end',
    );
    assert.deepEqual(searchTerms('"" " " x'), ['x'], 'empty phrases are dropped');
    assert.deepEqual(searchTerms('夜の森\u3000城'), ['夜の森', '城'], 'an ideographic space separates too');
    const many = Array.from({ length: 20 }, (_, i) => 'w'.repeat(1 + (i % 5)) + String(i));
    const kept = searchTerms(many.join(' '));
    assert.equal(kept.length, MAX_SEARCH_TERMS);
    assert.deepEqual(
      kept,
      many.filter((term) => kept.includes(term)),
      'in the order typed',
    );
    assert.ok(
      Math.min(...kept.map((t) => t.length)) >=
        Math.max(...many.filter((t) => !kept.includes(t)).map((t) => t.length)),
    );
  });
});

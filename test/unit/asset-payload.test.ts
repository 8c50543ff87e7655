/** Record shape (§1.6), serialized asset (§2.9), sidecar document (§3) and the search keys. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildLinks,
  buildSidecar,
  derivePreview,
  filterKeys,
  searchText,
  serializeAsset,
  sidecarRelPath,
  type AssetRecord,
  type ProvenanceRecord,
} from '../../src/domain/asset.js';
import type { JsonObject } from '../../src/domain/json.js';
import { SIDECAR_KEYS_NO_PROVENANCE } from '../helpers/contract.js';

const UID = '2cf24dba5fb0a30e';
const HASH = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

function record(over: Partial<AssetRecord> = {}): AssetRecord {
  return {
    projectId: 'default',
    uid: UID,
    type: 'documents',
    path: 'documents/hero.txt',
    hash: HASH,
    bytes: 5,
    meta: { tags: ['a'] },
    createdAt: '2024-01-02 03:04:05',
    updatedAt: '2024-01-02 03:04:05',
    thumb: null,
    ...over,
  };
}

const wavRecord = (): AssetRecord =>
  record({ type: 'audio', path: 'audio/song.wav', thumb: `cache/thumbs/${UID}.waveform.json`, meta: {} });

const pngRecord = (): AssetRecord =>
  record({
    type: 'images',
    path: 'images/hero.png',
    thumb: `cache/thumbs/${UID}_256.png`,
    meta: {
      tags: ['hero'],
      thumbnails: { '512': `cache/thumbs/${UID}_512.png`, '256': `cache/thumbs/${UID}_256.png` },
    },
  });

describe('sidecarRelPath (§3)', () => {
  test('appends .asset.json to the full file name', () => {
    assert.equal(sidecarRelPath('images/hero.png'), 'images/hero.png.asset.json');
    assert.equal(sidecarRelPath('README'), 'README.asset.json');
  });
});

describe('derivePreview (§1.6)', () => {
  test('no preview for an asset with no thumb and no meta.preview', () => {
    assert.equal(derivePreview({ tags: [] }, null), undefined);
  });

  test('a stored meta.preview object is used as is (as a copy)', () => {
    const preview = { kind: 'thumbnail', path: 'x.png', extra: 1 };
    const out = derivePreview({ preview }, 'cache/thumbs/other.json');
    assert.deepEqual(out, preview);
    assert.notEqual(out, preview);
  });

  test('a .json thumb (any case) is a waveform, anything else a thumbnail', () => {
    assert.deepEqual(derivePreview({}, 'cache/thumbs/u.waveform.json'), {
      kind: 'waveform',
      path: 'cache/thumbs/u.waveform.json',
    });
    assert.equal(derivePreview({}, 'cache/thumbs/U.WAVEFORM.JSON')?.kind, 'waveform');
    assert.deepEqual(derivePreview({}, 'cache/thumbs/u_256.png'), {
      kind: 'thumbnail',
      path: 'cache/thumbs/u_256.png',
    });
  });

  test('a thumbnails map adds paths and the default at the smallest key', () => {
    const thumbnails = { '512': 't512.png', '256': 't256.png' };
    const out = derivePreview({ thumbnails }, 't256.png');
    assert.deepEqual(out, {
      kind: 'thumbnail',
      path: 't256.png',
      paths: { '512': 't512.png', '256': 't256.png' },
      default: 't256.png',
    });
  });

  test('existing paths and default in meta.preview are not overwritten', () => {
    const out = derivePreview(
      { preview: { kind: 'thumbnail', paths: { a: '1' }, default: 'mine' }, thumbnails: { '256': 'x' } },
      null,
    );
    assert.deepEqual(out, { kind: 'thumbnail', paths: { a: '1' }, default: 'mine' });
  });

  test('a thumbnails map alone (no thumb, no preview) synthesises nothing', () => {
    assert.equal(derivePreview({ thumbnails: { '256': 'x' } }, null), undefined);
  });
});

describe('buildLinks (§1.6)', () => {
  test('text file → {file, sidecar}', () => {
    assert.deepEqual(buildLinks(record(), undefined), {
      file: 'documents/hero.txt',
      sidecar: 'documents/hero.txt.asset.json',
    });
  });

  test('wav → {file, sidecar, thumbnail, preview}', () => {
    const rec = wavRecord();
    const links = buildLinks(rec, derivePreview(rec.meta, rec.thumb));
    assert.deepEqual(links, {
      file: 'audio/song.wav',
      sidecar: 'audio/song.wav.asset.json',
      thumbnail: `cache/thumbs/${UID}.waveform.json`,
      preview: `cache/thumbs/${UID}.waveform.json`,
    });
  });

  test('png → {file, sidecar, thumbnail, thumbnails} and no preview link', () => {
    const rec = pngRecord();
    const links = buildLinks(rec, derivePreview(rec.meta, rec.thumb));
    assert.deepEqual(Object.keys(links), ['file', 'sidecar', 'thumbnail', 'thumbnails']);
    assert.deepEqual(links.thumbnails, rec.meta.thumbnails);
  });
});

describe('serializeAsset (§2.9)', () => {
  test('id is the uid and the fields come from normalised metadata', () => {
    const out = serializeAsset(
      record({
        meta: { tags: [' Foo', 'foo', null], license: ' MIT ', origin: 5, version: '3', notes: 'n' },
      }),
      1,
      'default',
    );
    assert.equal(out.id, UID);
    assert.equal(out.uid, UID);
    assert.equal(out.type, 'documents');
    assert.equal(out.hash, HASH);
    assert.equal(out.bytes, 5);
    assert.equal(out.path, 'documents/hero.txt');
    assert.equal(out.sidecar, 'documents/hero.txt.asset.json');
    assert.equal(out.created_at, '2024-01-02 03:04:05');
    assert.equal(out.project_id, 'default');
    assert.deepEqual(out.tags, ['Foo']);
    assert.equal(out.license, 'MIT');
    assert.equal(out.origin, '5');
    assert.equal(out.version, 3);
    assert.deepEqual(out.metadata, { tags: ['Foo'], license: 'MIT', origin: '5', version: 3, notes: 'n' });
  });

  test('licence and origin are null and version 1 when absent', () => {
    const out = serializeAsset(record({ meta: {} }), 1, 'default');
    assert.deepEqual(out.tags, []);
    assert.equal(out.license, null);
    assert.equal(out.origin, null);
    assert.equal(out.version, 1);
  });

  test('a text asset has no thumb, preview or thumbnails keys', () => {
    const out = serializeAsset(record(), 1, 'default');
    assert.ok(!('thumb' in out));
    assert.ok(!('preview' in out));
    assert.ok(!('thumbnails' in out));
    assert.ok(!('preview' in out.metadata));
    assert.deepEqual(out.links, { file: 'documents/hero.txt', sidecar: 'documents/hero.txt.asset.json' });
  });

  test('a wav shows thumb, a waveform preview mirrored into metadata, and a waveform URL', () => {
    const rec = wavRecord();
    const out = serializeAsset(rec, 1, 'default');
    const preview = { kind: 'waveform', path: `cache/thumbs/${UID}.waveform.json` };
    assert.equal(out.thumb, `cache/thumbs/${UID}.waveform.json`);
    assert.deepEqual(out.preview, preview);
    assert.deepEqual(out.metadata.preview, preview);
    assert.equal(out.urls.waveform, `/api/assets/${UID}/waveform?v=${HASH.slice(0, 16)}`);
    assert.ok(!('preview' in rec.meta), 'the stored meta must not be changed');
  });

  test('a png shows thumbnails, a preview with paths/default and versioned thumbnail URLs', () => {
    const out = serializeAsset(pngRecord(), 1, 'default');
    assert.deepEqual(out.thumbnails, {
      '512': `cache/thumbs/${UID}_512.png`,
      '256': `cache/thumbs/${UID}_256.png`,
    });
    const preview = out.preview as JsonObject;
    assert.equal(preview.kind, 'thumbnail');
    assert.equal(preview.default, `cache/thumbs/${UID}_256.png`);
    const urls = out.urls as JsonObject;
    assert.equal(urls.self, `/api/assets/${UID}`);
    assert.equal(urls.file, `/api/assets/${UID}/file`);
    assert.equal(urls.thumbnail, `/api/assets/${UID}/thumbnail?size=256&v=${HASH.slice(0, 16)}`);
    assert.deepEqual(Object.keys(urls.thumbnails as JsonObject).sort(), ['256', '512']);
  });

  test('preview status and error appear only when set', () => {
    assert.ok(!('preview_status' in serializeAsset(record(), 1, 'default')));
    const failed = serializeAsset(
      record({ previewStatus: 'failed', previewError: 'bad image' }),
      1,
      'default',
    );
    assert.equal(failed.preview_status, 'failed');
    assert.equal(failed.preview_error, 'bad image');
    const done = serializeAsset(record({ previewStatus: 'done', previewError: null }), 1, 'default');
    assert.equal(done.preview_status, 'done');
    assert.ok(!('preview_error' in done));
  });

  test('the uid is URL-encoded in API URLs', () => {
    const out = serializeAsset(record({ uid: 'a b/c' }), 1, 'default');
    assert.equal((out.urls as JsonObject).self, '/api/assets/a%20b%2Fc');
  });

  test("an asset of another project than the server's default names it in every URL", () => {
    const picture = pngRecord();
    const other = serializeAsset({ ...picture, projectId: 'dlc 2' }, 1, 'default');
    const v = picture.hash.slice(0, 16);
    assert.deepEqual(other.urls, {
      self: `/api/assets/${picture.uid}?project_id=dlc%202`,
      file: `/api/assets/${picture.uid}/file?project_id=dlc%202`,
      sidecar: `/api/assets/${picture.uid}/sidecar?project_id=dlc%202`,
      thumbnails: {
        '256': `/api/assets/${picture.uid}/thumbnail?size=256&v=${v}&project_id=dlc%202`,
        '512': `/api/assets/${picture.uid}/thumbnail?size=512&v=${v}&project_id=dlc%202`,
      },
      thumbnail: `/api/assets/${picture.uid}/thumbnail?size=256&v=${v}&project_id=dlc%202`,
    });
    // The default project's URLs stay as they were; the default is the server's, whatever its name.
    assert.equal(serializeAsset(picture, 1, 'default').urls.file, `/api/assets/${picture.uid}/file`);
    assert.equal(
      serializeAsset(picture, 1, 'main').urls.file,
      `/api/assets/${picture.uid}/file?project_id=default`,
    );
  });
});

describe('buildSidecar (§3)', () => {
  const provenance: ProvenanceRecord = {
    id: 1,
    asset_uid: UID,
    source: 'comfy',
    workflow_hash: 'w',
    commit_hash: null,
    inputs: { asset_uid: UID },
    c2pa_like: {},
    user_id: null,
    created_at: '2024-01-02 03:04:05',
  };

  test('keys are in the reference order for a text asset', () => {
    const doc = buildSidecar(record(), undefined);
    assert.deepEqual(Object.keys(doc), [...SIDECAR_KEYS_NO_PROVENANCE]);
  });

  test('preview sits between meta and links; provenance comes last', () => {
    const doc = buildSidecar(pngRecord(), provenance);
    assert.deepEqual(Object.keys(doc).slice(-4), ['meta', 'preview', 'links', 'provenance']);
    assert.deepEqual(doc.provenance, provenance);
  });

  test('values: id = uid, tags copied from meta, null licence/origin, full normalised meta', () => {
    const doc = buildSidecar(record({ meta: { tags: ['b', 'B'], title: 'T' } }), undefined);
    assert.equal(doc.id, UID);
    assert.equal(doc.path, 'documents/hero.txt');
    assert.deepEqual(doc.tags, ['b']);
    assert.equal(doc.license, null);
    assert.equal(doc.origin, null);
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.meta, { tags: ['b'], title: 'T', version: 1 });
    assert.notEqual(doc.tags, (doc.meta as JsonObject).tags, 'tags must be a copy');
  });

  test('a wav sidecar has the waveform preview', () => {
    const doc = buildSidecar(wavRecord(), undefined);
    assert.deepEqual(doc.preview, { kind: 'waveform', path: `cache/thumbs/${UID}.waveform.json` });
    assert.ok(!('provenance' in doc));
  });
});

describe('searchText', () => {
  test('covers uid, path, top-level strings and string list items, lowercased', () => {
    const text = searchText('ABC123', 'Chars/Alice.PNG', {
      tags: ['Hero', 5, 'Blue'],
      notes: 'Some NOTES',
      count: 42,
      nested: { deep: 'hidden' },
    });
    const parts = text.split('\n');
    assert.deepEqual(parts, ['abc123', 'chars/alice.png', 'hero', 'blue', 'some notes']);
    assert.ok(!text.includes('42'));
    assert.ok(!text.includes('hidden'));
  });
});

describe('filterKeys', () => {
  test('tags are trimmed, lowercased and deduplicated; licence lowercased', () => {
    assert.deepEqual(filterKeys({ tags: [' Hero', 'hero ', 'Blue', 3], license: ' CC-BY-4.0 ' }), {
      tags: ['hero', 'blue'],
      license: 'cc-by-4.0',
    });
  });

  test('no tags list and a missing, blank or non-text licence give empty keys', () => {
    assert.deepEqual(filterKeys({ tags: 'solo' }), { tags: [], license: null });
    assert.deepEqual(filterKeys({ license: '  ' }), { tags: [], license: null });
    assert.deepEqual(filterKeys({ license: { id: 'X' } }), { tags: [], license: null });
  });
});

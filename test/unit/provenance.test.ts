/** Provenance records (§1.10), the Python-compatible JSON they hash, and content ids (§1.2). */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { pythonJsonDumps } from '../../src/domain/json.js';
import { buildProvenance } from '../../src/domain/provenance.js';
import hashWorker from '../../src/workers/hash-worker.js';
import { makeWorkspace } from '../helpers/workspace.js';

const HELLO_HASH = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
const asset = { uid: '2cf24dba5fb0a30e', hash: HELLO_HASH };
const NOW = '2024-05-06 07:08:09';
const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('content hash and uid (§1.2)', () => {
  test('the content "hello" hashes to 2cf24dba… and its uid is the first 16 hex chars', async () => {
    const ws = makeWorkspace();
    try {
      const file = ws.file('hello.txt', 'hello');
      const result = await hashWorker({ op: 'hash', source: file });
      assert.equal(result.hash, HELLO_HASH);
      assert.equal(result.bytes, 5);
      assert.equal(result.hash.slice(0, 16), '2cf24dba5fb0a30e');
    } finally {
      ws.cleanup();
    }
  });

  test('hashMany hashes each file of a group, and reports a missing one without failing the rest', async () => {
    const ws = makeWorkspace();
    try {
      const hello = ws.file('a/hello.txt', 'hello');
      const empty = ws.file('a/empty.txt', '');
      const results = await hashWorker({ op: 'hashMany', sources: [hello, `${ws.dir}/gone.txt`, empty] });
      assert.equal(results.length, 3);
      assert.deepEqual(
        results.map((r) => ('error' in r ? 'error' : r.hash)),
        [HELLO_HASH, 'error', sha256('')],
      );
      const first = results[0];
      assert.ok(first && !('error' in first));
      assert.equal(first.bytes, 5);
      assert.equal(first.ino, fs.statSync(hello).ino);
    } finally {
      ws.cleanup();
    }
  });

  test('a file read in several chunks (not a multiple of the read size) hashes and stages whole', async () => {
    const ws = makeWorkspace();
    try {
      const bytes = randomBytes(1024 * 1024 + 12_345);
      const file = ws.file('in/long.bin', bytes);
      const hashed = await hashWorker({ op: 'hash', source: file });
      assert.equal(hashed.hash, sha256(bytes));
      assert.equal(hashed.bytes, bytes.length);
      const staged = await hashWorker({ op: 'stage', source: file, stagingDir: `${ws.dir}/staging` });
      assert.equal(staged.hash, sha256(bytes));
      assert.ok(staged.staged);
      assert.ok(fs.readFileSync(staged.staged).equals(bytes), 'the staged copy has every byte');
    } finally {
      ws.cleanup();
    }
  });

  test('staging copies the bytes while hashing them', async () => {
    const ws = makeWorkspace();
    try {
      const file = ws.file('in/hello.txt', 'hello');
      const result = await hashWorker({ op: 'stage', source: file, stagingDir: `${ws.dir}/staging` });
      assert.equal(result.hash, HELLO_HASH);
      assert.ok(result.staged);
      assert.equal(ws.read(result.staged.slice(ws.dir.length + 1)), 'hello');
    } finally {
      ws.cleanup();
    }
  });
});

describe('pythonJsonDumps (json.dumps(sort_keys=True, ensure_ascii=False))', () => {
  test('sorts keys and uses ", " and ": " separators, like Python', () => {
    // Expected text produced by Python 3's json.dumps for the same value.
    assert.equal(
      pythonJsonDumps({ b: 1, a: [1, 'x', null, true], é: { z: 'ü', y: [] }, q: 'a"b\\\n' }),
      '{"a": [1, "x", null, true], "b": 1, "q": "a\\"b\\\\\\n", "é": {"y": [], "z": "ü"}}',
    );
  });

  test('keeps non-ASCII characters as they are', () => {
    assert.equal(pythonJsonDumps('héro 日本'), '"héro 日本"');
  });

  test('scalars', () => {
    assert.equal(pythonJsonDumps(null), 'null');
    assert.equal(pythonJsonDumps(false), 'false');
    assert.equal(pythonJsonDumps(42), '42');
    assert.equal(pythonJsonDumps(0.5), '0.5');
    assert.equal(pythonJsonDumps({}), '{}');
    assert.equal(pythonJsonDumps([]), '[]');
  });

  test('keys are sorted by code point as Python does (astral characters after U+FF01)', () => {
    // Python: json.dumps({"\uff01": 1, "\U0001F600": 2, "a": 3}, sort_keys=True, ensure_ascii=False)
    assert.equal(pythonJsonDumps({ '\u{1F600}': 2, '\uff01': 1, a: 3 }), '{"a": 3, "！": 1, "😀": 2}');
  });

  test('keys mixing astral, private-use and plain characters sort by code point', () => {
    const pool = ['a', 'b', '\ue000', '\uffff', '\u{1F600}', '\u{1F601}', '\u{10000}', 'é'];
    // Every key of one or two of those characters, in a scrambled order.
    const keys = pool.flatMap((x) => [x, ...pool.map((y) => y + x)]).reverse();
    const codePoints = (k: string): number[] => [...k].map((c) => c.codePointAt(0) as number);
    const expected = [...keys].sort((x, y) => {
      const [cx, cy] = [codePoints(x), codePoints(y)];
      for (let i = 0; i < Math.min(cx.length, cy.length); i++)
        if (cx[i] !== cy[i]) return (cx[i] as number) - (cy[i] as number);
      return cx.length - cy.length;
    });
    const dumped = pythonJsonDumps(Object.fromEntries([...keys].map((k) => [k, 0])));
    assert.equal(dumped, `{${expected.map((k) => `${JSON.stringify(k)}: 0`).join(', ')}}`);
  });
});

describe('buildProvenance (§1.10)', () => {
  test('source: provenance, then meta.source, then "unspecified"; trimmed', () => {
    assert.equal(buildProvenance({ source: ' comfy ' }, { source: 'meta' }, asset, NOW, {}).source, 'comfy');
    assert.equal(buildProvenance({}, { source: ' from-meta ' }, asset, NOW, {}).source, 'from-meta');
    assert.equal(buildProvenance({ source: '   ' }, {}, asset, NOW, {}).source, 'unspecified');
  });

  test('inputs gain asset_uid and asset_hash; the caller’s object is not mutated', () => {
    const inputs = { seed: 5 };
    const rec = buildProvenance({ inputs }, {}, asset, NOW, {});
    assert.deepEqual(rec.inputs, { seed: 5, asset_uid: asset.uid, asset_hash: asset.hash });
    assert.deepEqual(inputs, { seed: 5 });
  });

  test('asset_uid/asset_hash given in inputs are kept', () => {
    const rec = buildProvenance({ inputs: { asset_uid: 'mine', asset_hash: 'h' } }, {}, asset, NOW, {});
    assert.deepEqual(rec.inputs, { asset_uid: 'mine', asset_hash: 'h' });
  });

  test('workflow hash = SHA-256 of source + Python JSON of inputs (same as the reference)', () => {
    const rec = buildProvenance({ source: 'comfy', inputs: { seed: 5, prompt: 'héro' } }, {}, asset, NOW, {});
    // Computed with Python: sha256(("comfy" + json.dumps(inputs, sort_keys=True, ensure_ascii=False)).encode())
    assert.equal(rec.workflow_hash, 'c93ef496b6193089c69cbf0104615cf149432dff25b71ac3fcf8936166e5a6b9');
    const text =
      'comfy{"asset_hash": "' +
      HELLO_HASH +
      '", "asset_uid": "2cf24dba5fb0a30e", "prompt": "héro", "seed": 5}';
    assert.equal(rec.workflow_hash, sha256(text));
  });

  test('a given workflow hash is used as is', () => {
    assert.equal(buildProvenance({ workflow_hash: ' abc ' }, {}, asset, NOW, {}).workflow_hash, 'abc');
  });

  test('commit hash: provenance, then env ASSET_REGISTRY_GIT_COMMIT, else null', () => {
    const env = { ASSET_REGISTRY_GIT_COMMIT: 'envcommit' };
    assert.equal(buildProvenance({ commit_hash: 'c1' }, {}, asset, NOW, env).commit_hash, 'c1');
    assert.equal(buildProvenance({}, {}, asset, NOW, env).commit_hash, 'envcommit');
    assert.equal(buildProvenance({}, {}, asset, NOW, {}).commit_hash, null);
  });

  test('user id: provenance, then meta.user_id, then env ASSET_REGISTRY_USER, else null', () => {
    const env = { ASSET_REGISTRY_USER: 'envuser' };
    assert.equal(buildProvenance({ user_id: 'u1' }, { user_id: 'u2' }, asset, NOW, env).user_id, 'u1');
    assert.equal(buildProvenance({}, { user_id: 'u2' }, asset, NOW, env).user_id, 'u2');
    assert.equal(buildProvenance({}, {}, asset, NOW, env).user_id, 'envuser');
    assert.equal(buildProvenance({}, {}, asset, NOW, {}).user_id, null);
  });

  test('the record names the asset, keeps c2pa_like (default {}) and the creation time', () => {
    const rec = buildProvenance({ c2pa_like: { claim: 'x' } }, {}, asset, NOW, {});
    assert.equal(rec.asset_uid, asset.uid);
    assert.deepEqual(rec.c2pa_like, { claim: 'x' });
    assert.equal(rec.created_at, NOW);
    assert.deepEqual(buildProvenance({}, {}, asset, NOW, {}).c2pa_like, {});
  });
});

/**
 * Safety and bad input: every case answers a 4xx envelope that says what to fix, writes nothing
 * where it must not, and never takes the server down.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, runCli, startServer, type ApiResponse, type RunningServer } from '../helpers/server.js';
import { listFiles, makeWorkspace, stagedLeftovers, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let outside: Workspace;
let server: RunningServer;
let url: string;
let n = 0;

const register = (body: unknown) => api(url, 'POST', '/api/assets/register', body);
const fresh = (name = 'f.txt'): string => {
  const rel = `incoming/${n++}-${name}`;
  ws.file(rel, `bad input ${n} ${Math.random()}`);
  return rel;
};
/** Files of the workspace except the database (which changes with any request). */
const snapshot = (): string[] => listFiles(ws.dir).filter((f) => !f.startsWith('config/'));

function assertEnvelope(res: ApiResponse, status: number, code?: string, message?: RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.ok, false);
  assert.equal(typeof res.body.message, 'string');
  assert.ok(res.body.message.length > 10, 'the message says what to fix');
  assert.ok(res.body.request_id);
  if (code) assert.equal(res.body.code, code);
  if (message) assert.match(res.body.message, message);
}

/**
 * A request with raw headers (fetch does not let us set Host). A body given as chunks is sent
 * with chunked transfer encoding, its length declared nowhere.
 */
function rawRequest(
  method: string,
  route: string,
  headers: Record<string, string>,
  body?: string | readonly string[],
) {
  const target = new URL(url);
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, method, path: route, headers },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('error', reject);
    if (typeof body !== 'object') return req.end(body);
    let next = 0;
    const pump = (): void => {
      while (next < body.length) if (!req.write(body[next++])) return void req.once('drain', pump);
      req.end();
    };
    pump();
  });
}

before(async () => {
  ws = makeWorkspace();
  outside = makeWorkspace('areg-outside-');
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
  outside.cleanup();
});

describe('paths are confined to the assets root', () => {
  for (const [field, value] of [
    ['dest_path', '../escape.txt'],
    ['dest_path', 'a/../../escape.txt'],
    ['dest_path', '/tmp/escape.txt'],
    ['asset_type', '../../escape'],
    ['asset_type', '/etc'],
  ] as const) {
    test(`${field} ${value} → 400, nothing written`, async () => {
      const src = fresh();
      const before = snapshot();
      const res = await register({ path: src, [field]: value });
      assertEnvelope(res, 400, 'bad_request', new RegExp(field));
      assert.deepEqual(snapshot(), before);
      assert.deepEqual(listFiles(outside.dir), []);
    });
  }

  test('a dest folder that is a symlink leading out of the root → 400, nothing written outside', async () => {
    fs.symlinkSync(outside.dir, path.join(ws.assets, 'link-out'));
    const res = await register({ path: fresh(), dest_path: 'link-out/x.txt' });
    assertEnvelope(res, 400, 'bad_request', /outside/);
    assert.deepEqual(listFiles(outside.dir), []);
  });

  test('registry-owned names (_meta, sidecars, hidden) are refused as destinations', async () => {
    assertEnvelope(await register({ path: fresh(), dest_path: '_meta/x.txt' }), 400);
    assertEnvelope(await register({ path: fresh(), dest_path: 'a/x.txt.asset.json' }), 400);
    assertEnvelope(await register({ path: fresh(), dest_path: '.hidden/x.txt' }), 400);
  });

  test('a name too long for its sidecar beside it → 400 saying how long it may be, nothing written', async () => {
    const long = `${'n'.repeat(240)}.txt`; // 244 bytes: its sidecar's name is exactly 255
    const fits = await register({ path: fresh(), dest_path: `names/${long}` });
    assert.equal(fits.status, 200, fits.text);
    assert.ok(fs.existsSync(path.join(ws.assets, 'names', `${long}.asset.json`)));
    const tooLong = `${'n'.repeat(241)}.txt`;
    const [other, source] = [fresh(), fresh(tooLong)];
    const before = snapshot();
    assertEnvelope(
      await register({ path: other, dest_path: `names/${tooLong}` }),
      400,
      'bad_request',
      /dest_path.*245 bytes.*at most 244 bytes/,
    );
    // The source's own name, when it is the destination's.
    assertEnvelope(await register({ path: source }), 400, 'bad_request', /at most 244 bytes/);
    assert.deepEqual(snapshot(), before);
  });

  // Each was an internal error (500) before: a folder was made, or a path followed, through a file.
  test('paths that lead through a file, or name a file where a folder goes (or the reverse) → 400 saying which', async () => {
    const rel = 'through/plain.txt';
    const file = `data/assets/${rel}`;
    ws.file(file, 'bad input: a plain file');
    const id = (await register({ path: file, copy: false })).body.asset_id as string;
    const source = fresh();
    const before = snapshot();
    const through = (field: string): RegExp =>
      new RegExp(`^${field} leads through .*plain\\.txt, a file, not a folder`);
    const cases: Array<[string, unknown, string, RegExp]> = [
      [
        '/api/assets/register',
        { path: source, dest_path: `${rel}/x.txt` },
        'not_a_folder',
        through('dest_path'),
      ],
      ['/api/assets/move', { ids: [id], folder: `${rel}/sub` }, 'not_a_folder', through('folder')],
      [`/api/assets/${id}/move`, { path: `${rel}/y.txt` }, 'not_a_folder', through('path')],
      ['/api/assets/rebuild', { db_path: `${file}/x.sqlite` }, 'not_a_folder', through('db_path')],
      [
        '/api/assets/rebuild',
        { assets_root: file },
        'not_a_folder',
        /^The assets root .*plain\.txt is a file, not a folder: fix the path\.$/,
      ],
      [
        '/api/assets/rebuild',
        { thumbs_root: file },
        'not_a_folder',
        /^The thumbnails root .*plain\.txt is a file, not a folder/,
      ],
      [
        '/api/assets/rebuild',
        { db_path: 'data' },
        'bad_request',
        /^The registry database .*data is a folder: give a file's path/,
      ],
      ['/api/assets/rebuild', { db_path: file }, 'bad_request', /plain\.txt is not a SQLite database/],
    ];
    for (const [route, body, code, message] of cases)
      assertEnvelope(await api(url, 'POST', route, body), 400, code, message);
    assert.deepEqual(snapshot(), before, 'nothing written');
    assert.equal(
      fs.readFileSync(path.join(ws.dir, file), 'utf8').startsWith('bad input'),
      true,
      'the file as it was',
    );
  });
});

describe('sources', () => {
  test('a missing source → 404', async () => {
    assertEnvelope(await register({ path: 'incoming/does-not-exist.txt' }), 404, 'source_not_found');
  });

  test('copy:false with a source outside the assets root → 400 (not 500)', async () => {
    assertEnvelope(await register({ path: fresh(), copy: false }), 400, 'bad_request', /assets root/);
  });

  test('a server file outside the workspace cannot be read into the registry (§11.18)', async () => {
    const secret = outside.file('secret.txt', 'top secret');
    const before = snapshot();
    assertEnvelope(await register({ path: secret }), 403, 'source_not_allowed', /--import-root/);
    fs.symlinkSync(secret, path.join(ws.dir, 'incoming', 'sneaky.txt'));
    assertEnvelope(await register({ path: 'incoming/sneaky.txt' }), 403, 'source_not_allowed');
    assert.deepEqual(
      snapshot().filter((f) => f !== 'incoming/sneaky.txt'),
      before,
    );
  });

  test('a directory is not a file → 400', async () => {
    fs.mkdirSync(path.join(ws.dir, 'incoming', 'adir'), { recursive: true });
    assertEnvelope(await register({ path: 'incoming/adir' }), 400, 'bad_request', /regular file/);
  });
});

describe('metadata', () => {
  test('invalid JSON text, a non-object and other types get the reference messages', async () => {
    assertEnvelope(
      await register({ path: fresh(), metadata: '{bad' }),
      400,
      'bad_request',
      /^metadata must be valid JSON: /,
    );
    const arr = await register({ path: fresh(), metadata: '[1,2]' });
    assertEnvelope(arr, 400, 'bad_request');
    assert.equal(arr.body.message, 'metadata JSON must decode to an object.');
    for (const metadata of [5, [1], true]) {
      const res = await register({ path: fresh(), metadata });
      assertEnvelope(res, 400, 'bad_request');
      assert.equal(res.body.message, 'metadata must be an object or JSON string.');
    }
  });

  test('wrong field types inside metadata name the field', async () => {
    assertEnvelope(
      await register({ path: fresh(), metadata: { tags: [{ a: 1 }] } }),
      400,
      undefined,
      /metadata\.tags/,
    );
    assertEnvelope(
      await register({ path: fresh(), metadata: { license: [1] } }),
      400,
      undefined,
      /metadata\.license/,
    );
  });
});

describe('malformed requests are 4xx, never 500', () => {
  test('bodies that are not JSON, empty or too large', async () => {
    // The message shows where the text breaks.
    assertEnvelope(
      await api(url, 'POST', '/api/assets/register', '{"path": "a.txt", "copy": tru}'),
      400,
      'invalid_json',
      /^The request body is not valid JSON \(.*tru\}.*\); send a JSON object\.$/,
    );
    assertEnvelope(await api(url, 'POST', '/api/assets/register', '{bad'), 400, 'invalid_json');
    assertEnvelope(
      await api(url, 'POST', '/api/assets/register', ''),
      400,
      'invalid_json',
      /The request body is empty/,
    );
    // Keys that could change how the server's objects behave are refused by name.
    for (const body of [
      '{"path": "a.txt", "metadata": {"__proto__": {"admin": true}}}',
      '{"path": "a.txt", "metadata": {"constructor": {"prototype": {"admin": true}}}}',
    ]) {
      assertEnvelope(
        await api(url, 'POST', '/api/assets/register', body),
        400,
        'invalid_json',
        /"__proto__" or "constructor\.prototype" key, which is refused: rename it/,
      );
    }
    const text = await api(url, 'POST', '/api/assets/register', 'path=x', { 'content-type': 'text/plain' });
    assertEnvelope(text, 415, 'unsupported_media_type');
    // Several times: the client must read the 413 each time, not a broken pipe while it is still
    // sending (the server reads and drops the body first).
    for (let i = 0; i < 5; i++) {
      const huge = await api(url, 'POST', '/api/assets/register', {
        path: 'x',
        metadata: { blob: 'x'.repeat(2 * 1024 * 1024) },
      });
      assertEnvelope(huge, 413, 'payload_too_large');
      assert.match(
        huge.body.message,
        /larger than the 1048576 bytes POST \/api\/assets\/register takes: send less/,
      );
    }
    // The same sent chunked, 8 MB: its size is known only once the limit is crossed mid-stream.
    const blob = 'x'.repeat(64 * 1024);
    const chunks = ['{"path":"x","metadata":{"blob":"', ...Array<string>(128).fill(blob), '"}}'];
    for (let i = 0; i < 5; i++) {
      const res = await rawRequest(
        'POST',
        '/api/assets/register',
        { host: new URL(url).host, 'content-type': 'application/json' },
        chunks,
      );
      assert.equal(res.status, 413);
      assert.equal(res.body.code, 'payload_too_large');
    }
  });

  test('a wrong type in any register field → 422 naming it', async () => {
    for (const [field, value] of [
      ['path', 5],
      ['copy', 'yes'],
      ['asset_type', 3],
      ['dest_path', []],
      ['on_conflict', 'x'],
    ] as const) {
      const res = await register({ path: 'incoming/x.txt', [field]: value });
      assertEnvelope(res, 422, 'validation_error', new RegExp(field === 'path' ? '/path' : field));
      assert.ok(Array.isArray(res.body.details));
    }
    assertEnvelope(await register({}), 422, 'validation_error', /path/);
  });

  test('bad query strings and bodies on the other routes', async () => {
    assertEnvelope(await api(url, 'GET', '/api/assets/search?limit=abc'), 422, 'validation_error');
    assertEnvelope(
      await api(url, 'GET', '/api/assets/search?sort=nope'),
      422,
      'validation_error',
      // A list of constants reads as the values allowed.
      /^Request validation failed: querystring\/sort must be one of "created", "type", "path", "bytes", "width", "duration"\.$/,
    );
    assertEnvelope(await api(url, 'GET', '/api/assets/search?offset=-1'), 422, 'validation_error');
    assertEnvelope(await api(url, 'POST', '/api/assets/bulk', { ids: [] }), 422, 'validation_error');
    assertEnvelope(
      await api(url, 'POST', '/api/assets/bulk', {
        ids: ['ffffffffffffffff'],
        add_tags: ['x'],
        wait: 'later',
      }),
      422,
      'validation_error',
      /wait/,
    );
    assertEnvelope(
      await api(url, 'POST', '/api/assets/bulk', { ids: 'abc', add_tags: 'x' }),
      422,
      'validation_error',
    );
    const id = (await register({ path: fresh() })).body.asset_id;
    assertEnvelope(
      await api(url, 'PATCH', `/api/assets/${id}`, { metadata: 'not json' }),
      400,
      'bad_request',
    );
    assertEnvelope(await api(url, 'PATCH', `/api/assets/${id}`, { metadata: {}, mode: 'wipe' }), 422);
    assertEnvelope(await api(url, 'DELETE', `/api/assets/${id}?delete_file=perhaps`), 422);
    for (const [body, field] of [
      [{ ids: 'abc' }, /ids/],
      [{ ids: [''] }, /ids/],
      [{ ids: [id], delete_files: 'perhaps' }, /delete_files/],
      [{ ids: [id], wait: 'later' }, /wait/],
    ] as const) {
      assertEnvelope(await api(url, 'POST', '/api/assets/remove', body), 422, 'validation_error', field);
    }
    assert.equal((await api(url, 'GET', `/api/assets/${id}`)).status, 200, 'nothing was removed');
    assertEnvelope(await api(url, 'GET', '/api/nothing-here'), 404, 'not_found');
  });

  test(
    'numbers no route can use, bodies nested too deep, server paths the file system cannot hold',
    {
      timeout: 60_000,
    },
    async () => {
      // An offset of 1e20 is no exact integer: the page walk stepped back from it forever (the
      // server hung). Infinity (1e309) passed the schema's bounds, which skip non-finite numbers.
      for (const query of ['offset=99999999999999999999', 'offset=1e309', 'limit=1e309', 'limit=-1e309'])
        assertEnvelope(
          await api(url, 'GET', `/api/assets/search?${query}`),
          422,
          'validation_error',
          /must be a finite number/,
        );
      // The largest exact offset is past every match: an empty page, answered at once.
      const far = await api(url, 'GET', `/api/assets/search?offset=${Number.MAX_SAFE_INTEGER}`);
      assert.equal(far.status, 200, far.text);
      assert.deepEqual(far.body.items, []);
      assert.ok(far.body.total > 0);
      const id = (await register({ path: fresh() })).body.asset_id;
      assertEnvelope(
        await api(url, 'PATCH', `/api/assets/${id}`, '{"metadata": {}, "if_version": 1e309}'),
        422,
        'validation_error',
        /if_version must be/,
      );
      // Metadata nested 5,000 deep overflowed the stack of the code that walks it (a 500).
      for (const open of ['[', '{"a":']) {
        const deep = `{"metadata": {"x": ${open.repeat(5000)}1${(open === '[' ? ']' : '}').repeat(5000)}}}`;
        assertEnvelope(
          await api(url, 'PATCH', `/api/assets/${id}`, deep),
          400,
          'invalid_json',
          /more than 64 levels deep/,
        );
      }
      // Brackets inside strings are text, not nesting.
      const brackets = await api(url, 'PATCH', `/api/assets/${id}`, {
        metadata: { note: '[[[[{{{{'.repeat(100) },
      });
      assert.equal(brackets.status, 200, brackets.text);
      for (const field of ['assets_root', 'db_path', 'thumbs_root']) {
        assertEnvelope(
          await api(url, 'POST', '/api/assets/rebuild', { [field]: 'x'.repeat(5000) }),
          400,
          'bad_request',
          new RegExp(`${field} is longer than the file system allows`),
        );
        assertEnvelope(
          await api(url, 'POST', '/api/assets/rebuild', { [field]: 'a\0b' }),
          400,
          'bad_request',
          new RegExp(`${field} must not contain NUL characters`),
        );
      }
      assert.equal((await api(url, 'GET', '/health')).status, 200);
    },
  );

  test('uploads: no multipart → 415, no file part → 400', async () => {
    assertEnvelope(
      await api(url, 'POST', '/api/assets/upload', { file: 'x' }),
      415,
      'unsupported_media_type',
    );
    const form = new FormData();
    form.append('asset_type', 'x');
    const res = await fetch(`${url}/api/assets/upload`, { method: 'POST', body: form });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /No file received/);
  });
});

describe('concurrency', () => {
  test('twenty concurrent registrations of the same content: one asset, merged tags, no error', async () => {
    const content = `concurrent ${Math.random()}`;
    const sources = Array.from({ length: 20 }, (_, i) => {
      const rel = `incoming/conc-${i}.txt`;
      ws.file(rel, content);
      return rel;
    });
    const results = await Promise.all(
      sources.map((rel, i) => register({ path: rel, dest_path: 'conc', metadata: { tags: [`t${i}`] } })),
    );
    for (const res of results) assert.equal(res.status, 200, res.text);
    const ids = new Set(results.map((r) => r.body.asset_id));
    assert.equal(ids.size, 1);
    assert.equal(results.filter((r) => r.body.created).length, 1);
    const [id] = [...ids];
    const asset = (await api(url, 'GET', `/api/assets/${id}`)).body.asset;
    assert.deepEqual([...asset.tags].sort(), Array.from({ length: 20 }, (_, i) => `t${i}`).sort());
    assert.deepEqual(
      fs.readdirSync(path.join(ws.assets, 'conc')).filter((f) => !f.endsWith('.asset.json')).length,
      1,
      'one file copied',
    );
    assert.deepEqual(
      [...(ws.json(`data/assets/${asset.sidecar}`).tags as string[])].sort(),
      [...asset.tags].sort(),
    );
    assert.deepEqual(stagedLeftovers(ws.assets), []);
  });
});

describe('who may call', () => {
  test('a foreign Host header is refused (DNS rebinding)', async () => {
    const res = await rawRequest('GET', '/api/assets/search', { host: 'evil.example:8001' });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'host_not_allowed');
    const ok = await rawRequest('GET', '/health', { host: 'localhost' });
    assert.equal(ok.status, 200);
  });

  test('a mutating request from another origin is refused; our own origin and reads are fine', async () => {
    const foreign = await register({ path: fresh() }).then(() =>
      api(url, 'POST', '/api/assets/register', { path: fresh() }, { origin: 'http://evil.example' }),
    );
    assertEnvelope(foreign, 403, 'cross_origin_forbidden');
    const own = await api(url, 'POST', '/api/assets/register', { path: fresh() }, { origin: url });
    assert.equal(own.status, 200);
    const read = await api(url, 'GET', '/api/assets/search', undefined, { origin: 'http://evil.example' });
    assert.equal(read.status, 200);
  });

  test('the server is still healthy after all of this', async () => {
    assert.equal((await api(url, 'GET', '/health')).status, 200);
    assert.doesNotMatch(server.stderr(), /"level":50/, 'no unhandled 500 was logged');
  });
});

describe('API token and exposure', () => {
  test('with a token, every change needs it and reads do not', async () => {
    const tws = makeWorkspace();
    const tserver = await startServer(tws.dir, ['--token', 's3cret']);
    try {
      tws.file('in/a.txt', 'token test');
      const denied = await api(tserver.url, 'POST', '/api/assets/register', { path: 'in/a.txt' });
      assertEnvelope(denied, 401, 'unauthorized', /Bearer/);
      const wrong = await api(
        tserver.url,
        'POST',
        '/api/assets/register',
        { path: 'in/a.txt' },
        { authorization: 'Bearer nope!!' },
      );
      assert.equal(wrong.status, 401);
      const ok = await api(
        tserver.url,
        'POST',
        '/api/assets/register',
        { path: 'in/a.txt' },
        { authorization: 'Bearer s3cret' },
      );
      assert.equal(ok.status, 200);
      assert.equal((await api(tserver.url, 'DELETE', `/api/assets/${ok.body.asset_id}`)).status, 401);
      assert.equal((await api(tserver.url, 'GET', `/api/assets/${ok.body.asset_id}`)).status, 200);
    } finally {
      await tserver.stop();
      tws.cleanup();
    }
  });

  test('listening beyond loopback without a token is refused', async () => {
    const res = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], ws.dir);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /token/);
  });

  test('an upload over the size limit → 413, nothing left behind', async () => {
    const lws = makeWorkspace();
    const lserver = await startServer(lws.dir, ['--max-upload-mb', '1']);
    try {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(2 * 1024 * 1024)]), 'big.bin');
      const res = await fetch(`${lserver.url}/api/assets/upload`, { method: 'POST', body: form });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { code: string }).code, 'payload_too_large');
      assert.deepEqual(listFiles(lws.assets), []);
    } finally {
      await lserver.stop();
      lws.cleanup();
    }
  });
});

/**
 * Renaming a tag across the registry (POST /api/tags/rename, `asset-registry tags rename`): in
 * place on every asset that has it, whatever its case, merging where the new name is there
 * already; sidecars follow; other assets are not touched.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertErrorEnvelope } from '../helpers/contract.js';
import { eventually } from '../helpers/eventually.js';
import { api, registerInPlace, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let url: string;

const registered = (rel: string, tags: string[]): Promise<string> =>
  registerInPlace(url, ws, rel, `${rel} ${tags.join()}`, { tags }, false);

const asset = async (id: string) => (await api(url, 'GET', `/api/assets/${id}`)).body.asset;
const sidecarTags = (rel: string): string[] =>
  JSON.parse(fs.readFileSync(path.join(ws.assets, `${rel}.asset.json`), 'utf8')).tags;

before(async () => {
  ws = makeWorkspace('areg-tags-');
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

describe('POST /api/tags/rename', () => {
  test('renamed in place on every asset with it, any case; merged where the new name is there; others untouched', async () => {
    const a = await registered('bg/a.png', ['forrest', 'night']);
    const b = await registered('bg/b.png', ['day', 'Forrest']);
    const c = await registered('bg/c.png', ['forest', 'forrest', 'misty']);
    const d = await registered('bg/d.png', ['desert']);
    const versionOfD = (await asset(d)).version;

    const res = await api(url, 'POST', '/api/tags/rename', { from: 'forrest', to: 'forest' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      [res.body.from, res.body.to, res.body.updated, res.body.missing],
      ['forrest', 'forest', 3, []],
    );
    assert.deepEqual((await asset(a)).tags, ['forest', 'night']);
    assert.deepEqual((await asset(b)).tags, ['day', 'forest']);
    assert.deepEqual((await asset(c)).tags, ['forest', 'misty']);
    assert.equal((await asset(d)).version, versionOfD, 'an asset without the tag is not rewritten');
    assert.deepEqual(sidecarTags('bg/a.png'), ['forest', 'night']);
    assert.deepEqual(sidecarTags('bg/c.png'), ['forest', 'misty']);
    const facets = (await api(url, 'GET', '/api/assets/facets')).body;
    assert.equal(
      facets.tags.find((t: { value: string }) => t.value === 'forrest'),
      undefined,
    );
    assert.equal(facets.tags.find((t: { value: string }) => t.value === 'forest').count, 3);

    // A change of case only.
    const cased = await api(url, 'POST', '/api/tags/rename', { from: 'night', to: 'Night' });
    assert.equal(cased.status, 200, cased.text);
    assert.deepEqual((await asset(a)).tags, ['forest', 'Night']);
  });

  test('as a job: 202 at once with wait:false, then done', async () => {
    await registered('fx/one.png', ['sparkle']);
    await registered('fx/two.png', ['sparkle']);
    const res = await api(url, 'POST', '/api/tags/rename', { from: 'sparkle', to: 'spark', wait: false });
    assert.equal(res.status, 202, res.text);
    const job = await eventually('the rename job to end', async () => {
      const got = (await api(url, 'GET', `/api/jobs/${res.body.job_id}`)).body.job;
      return got.status === 'done' ? got : undefined;
    });
    assert.equal(job.kind, 'tag_rename');
    assert.equal(typeof job.summary.change_id, 'number', 'the change recorded, to undo it');
    assert.deepEqual(job.summary, { updated: 2, missing: [], change_id: job.summary.change_id });
  });

  test('a rename that fails as a job (a sidecar broken by hand) fails that job; the server goes on', async () => {
    await registered('broken/one.png', ['cracked']);
    fs.writeFileSync(path.join(ws.assets, 'broken/one.png.asset.json'), '{ "tags": [');
    for (const route of ['/api/tags/rename', '/api/assets/bulk']) {
      const body =
        route === '/api/tags/rename'
          ? { from: 'cracked', to: 'mended', wait: false }
          : {
              ids: [(await api(url, 'GET', '/api/assets/search?tag=cracked')).body.items[0].uid],
              add_tags: ['x'],
              wait: false,
            };
      const res = await api(url, 'POST', route, body);
      assert.equal(res.status, 202, res.text);
      const job = await eventually('the job to end', async () => {
        const got = (await api(url, 'GET', `/api/jobs/${res.body.job_id}`)).body.job;
        return got.status === 'running' ? undefined : got;
      });
      assert.equal(job.status, 'failed');
      assert.match(job.error, /one\.png\.asset\.json/);
    }
    assert.equal((await api(url, 'GET', '/health')).status, 200, 'the server is still up');
  });

  test('a tag no asset has is a 404; blank or unchanged names a 400', async () => {
    const none = await api(url, 'POST', '/api/tags/rename', { from: 'no-such-tag', to: 'x' });
    assert.equal(none.status, 404, none.text);
    assertErrorEnvelope(none.body, 404, 'tag_not_found');
    assert.match(none.body.message, /No asset has the tag "no-such-tag"/);
    const blank = await api(url, 'POST', '/api/tags/rename', { from: 'forest', to: '   ' });
    assert.equal(blank.status, 400, blank.text);
    assert.match(blank.body.message, /not blank/);
    const same = await api(url, 'POST', '/api/tags/rename', { from: 'forest', to: 'forest' });
    assert.equal(same.status, 400, same.text);
    assert.match(same.body.message, /called "forest" already/);
    const missing = await api(url, 'POST', '/api/tags/rename', { from: 'forest' });
    assert.equal(missing.status, 422, missing.text);
  });
});

describe('asset-registry tags', () => {
  test('lists the tags with their counts, and renames one', async () => {
    const id = await registered('ui/button.png', ['ui', 'buton']);
    const listed = await runCli(['tags', '--json'], ws.dir);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(
      listed.json.tags.some((t: { value: string; count: number }) => t.value === 'buton' && t.count === 1),
    );
    const renamed = await runCli(['tags', 'rename', 'buton', 'button', '--json'], ws.dir);
    assert.equal(renamed.code, 0, renamed.stderr);
    assert.deepEqual([renamed.json.updated, renamed.json.to], [1, 'button']);
    assert.deepEqual((await asset(id)).tags, ['ui', 'button']);
    const badLimit = await runCli(['tags', '--limit', 'lots', '--json'], ws.dir);
    assert.equal(badLimit.code, 2, badLimit.stdout);
    assert.match(badLimit.json.message, /--limit must be a whole number from 1 to 10000; got lots/);
    const unknown = await runCli(['tags', 'rename', 'buton', 'button', '--json'], ws.dir);
    assert.equal(unknown.code, 3, unknown.stdout);
    assert.equal(unknown.json.code, 'tag_not_found');
  });
});

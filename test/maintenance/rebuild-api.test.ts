/**
 * `POST /api/assets/rebuild` as a job over a real server process: 202 + job id with `wait:
 * false`, progress on `GET /api/jobs/{id}` and the hook stream, 409 while one runs, path
 * overrides confined to the server's workspace (400 with the error envelope), OPTIONS probes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeImage } from '../helpers/media.js';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { openStream, type SseFrame } from '../helpers/sse.js';

let ws: Workspace;
let server: RunningServer;
let url: string;
const TEXT_FILES = 240;
const IMAGES = 12;

before(async () => {
  ws = makeWorkspace('areg-rebuild-api-');
  for (let i = 0; i < TEXT_FILES; i++)
    ws.file(`data/assets/text-${i % 6}/note-${i}.txt`, `note ${i} `.repeat(50 + i));
  for (let i = 0; i < IMAGES; i++)
    ws.file(`data/assets/images/pic-${i}.png`, await makeImage(300 + i, 200, 'png'));
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

const payload = (frame: SseFrame): Record<string, any> => frame.data.data;

describe('rebuild as a job', () => {
  test('wait:false answers 202 with a job; the job shows progress until done; a second rebuild meanwhile is 409', async () => {
    const stream = await openStream(url);
    const start = await api(url, 'POST', '/api/assets/rebuild', { wait: false, wait_for_thumbs: true });
    assert.equal(start.status, 202, start.text);
    assert.equal(start.body.ok, true);
    const jobId = start.body.job_id as string;
    assert.equal(start.body.status_url, `/api/jobs/${jobId}`);

    const busy = await api(url, 'POST', '/api/assets/rebuild', {});
    assert.equal(busy.status, 409, busy.text);
    assert.equal(busy.body.ok, false);
    assert.equal(busy.body.code, 'rebuild_running');
    assert.equal(typeof busy.body.message, 'string');
    assert.equal(busy.body.details?.job_id, jobId);

    const seen: Array<{ status: string; phase: string; files_done: number }> = [];
    let job: Record<string, any> = {};
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await api(url, 'GET', `/api/jobs/${jobId}`);
      assert.equal(res.status, 200, res.text);
      job = res.body.job as Record<string, any>;
      seen.push({ status: job.status, phase: job.progress.phase, files_done: job.progress.files_done });
      if (job.status !== 'running') break;
      assert.ok(Date.now() < deadline, 'the job finishes');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.id, jobId);
    assert.ok(
      seen.some((s) => s.status === 'running'),
      'the job was seen running',
    );
    for (let i = 1; i < seen.length; i++)
      assert.ok(seen[i]!.files_done >= seen[i - 1]!.files_done, 'progress never goes back');
    const total = TEXT_FILES + IMAGES;
    assert.equal(job.progress.phase, 'done');
    assert.equal(job.progress.files_done, total);
    assert.equal(job.progress.files_total, total);
    assert.ok(job.progress.bytes_total > 0 && job.progress.bytes_done === job.progress.bytes_total);
    assert.equal(job.summary.processed, total);
    assert.equal(job.summary.created, total);
    assert.ok(job.finished_at);
    const listed = await api(url, 'GET', '/api/jobs');
    assert.equal(listed.body.items[0].id, jobId);

    // The hook stream carried the progress, ending with the summary.
    const deadlineSse = Date.now() + 5000;
    const done = (): SseFrame | undefined =>
      stream.frames.find((f) => f.event === 'rebuild_progress' && payload(f).status === 'done');
    while (!done() && Date.now() < deadlineSse) await new Promise((r) => setTimeout(r, 25));
    await stream.close();
    const progress = stream.frames.filter((f) => f.event === 'rebuild_progress').map(payload);
    assert.ok(progress.length >= 2, `progress events: ${progress.length}`);
    assert.ok(progress.every((p) => p.job_id === jobId));
    assert.equal(done() && payload(done()!).summary.processed, total);

    // The registry holds every file, and the thumbnails were made before the job finished.
    const search = await api(url, 'GET', '/api/assets/search?limit=1');
    assert.equal(search.body.total, total);
    const pic = await api(url, 'GET', '/api/assets/search?type=images&limit=50');
    assert.equal(pic.body.total, IMAGES);
    for (const item of pic.body.items) assert.equal(item.preview_status, 'done');

    // Once it is done, a new rebuild is accepted again (and finds nothing to do).
    const again = await api(url, 'POST', '/api/assets/rebuild', {});
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.summary.unchanged, total);
  });

  test('a blocking rebuild answers the summary with every counter and the resolved roots', async () => {
    fs.rmSync(path.join(ws.assets, 'text-0/note-0.txt'));
    ws.file('data/assets/orphan.txt.asset.json', '{}');
    const res = await api(url, 'POST', '/api/assets/rebuild', {
      assets_root: '  ',
      db_path: '',
      thumbs_root: null,
      project_id: ' ',
      remove_stale: true,
      wait_for_thumbs: false,
    });
    assert.equal(res.status, 200, res.text);
    const s = res.body.summary;
    for (const key of ['processed', 'skipped', 'removed', 'orphaned_sidecars', 'missing_thumbnails'])
      assert.equal(typeof s[key], 'number', key);
    assert.equal(s.removed, 1);
    assert.equal(s.orphaned_sidecars, 1);
    assert.equal(s.assets_root, ws.assets, 'blank paths fall back to the server’s own');
    assert.equal(s.thumb_root, path.join(ws.dir, 'cache', 'thumbs'));
    assert.equal(s.project_id, 'default', 'a blank project falls back to the server’s');
    assert.equal(typeof res.body.job_id, 'string');
    fs.rmSync(path.join(ws.assets, 'orphan.txt.asset.json'));
  });

  test('GET /api/jobs/{unknown} is a 404 with the error envelope', async () => {
    const res = await api(url, 'GET', '/api/jobs/no-such-job');
    assert.equal(res.status, 404);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'not_found');
  });
});

describe('path overrides', () => {
  test('paths outside the server workspace answer 400 with the error envelope and create nothing', async () => {
    const outside = path.join(path.dirname(ws.dir), `${path.basename(ws.dir)}-outside`);
    fs.symlinkSync(path.dirname(ws.dir), path.join(ws.dir, 'escape'));
    const cases: Array<[string, string]> = [
      ['assets_root', '/etc'],
      ['assets_root', outside],
      ['db_path', `../${path.basename(outside)}/registry.sqlite`],
      ['thumbs_root', `${outside}/thumbs`],
      ['assets_root', 'escape/elsewhere'],
      ['db_path', '~/registry.sqlite'],
    ];
    for (const [field, value] of cases) {
      const res = await api(url, 'POST', '/api/assets/rebuild', { [field]: value });
      assert.equal(res.status, 400, `${field}=${value}: ${res.text}`);
      assert.equal(res.body.ok, false);
      assert.equal(res.body.code, 'bad_request', res.text);
      assert.match(res.body.message, new RegExp(field));
      assert.equal(typeof res.body.request_id, 'string');
    }
    assert.ok(!fs.existsSync(outside), 'nothing was created outside the workspace');
    assert.ok(!fs.existsSync(path.join(path.dirname(ws.dir), 'elsewhere')));
    fs.rmSync(path.join(ws.dir, 'escape'));
  });

  test('paths inside the workspace rebuild another tree into another database', async () => {
    ws.file('other/assets/props/chair.txt', 'a chair');
    ws.file('other/assets/props/table.txt', 'a table');
    const res = await api(url, 'POST', '/api/assets/rebuild', {
      assets_root: 'other/assets',
      db_path: 'other/registry.sqlite',
      thumbs_root: 'other/thumbs',
      project_id: 'props',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.summary.processed, 2);
    assert.equal(res.body.summary.assets_root, path.join(ws.dir, 'other', 'assets'));
    assert.equal(res.body.summary.project_id, 'props');
    assert.ok(ws.exists('other/registry.sqlite'));
    assert.ok(ws.exists('other/assets/props/chair.txt.asset.json'));
    // The server's own registry is untouched.
    const own = await api(url, 'GET', '/api/assets/search?q=chair');
    assert.equal(own.body.total, 0);
    // The other registry holds them.
    const other = await runCli(
      [
        'search',
        '--assets-root',
        'other/assets',
        '--db-path',
        'other/registry.sqlite',
        '--project-id',
        'props',
      ],
      ws.dir,
    );
    assert.equal(other.code, 0, other.stderr);
    assert.deepEqual(other.json.items.map((i: { path: string }) => i.path).sort(), [
      'props/chair.txt',
      'props/table.txt',
    ]);
  });

  test('a wrong type in the body is a 422 naming the field', async () => {
    const res = await api(url, 'POST', '/api/assets/rebuild', { remove_stale: 'no' });
    assert.equal(res.status, 422);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'validation_error');
    assert.match(JSON.stringify(res.body), /remove_stale/);
  });
});

describe('OPTIONS probes', () => {
  for (const route of ['/api/assets/rebuild', '/api/assets/enforce'])
    test(`OPTIONS ${route} answers 204 with Allow naming POST`, async () => {
      const res = await api(url, 'OPTIONS', route);
      assert.equal(res.status, 204);
      assert.match(res.headers.get('allow') ?? '', /\bPOST\b/);
      assert.match(res.headers.get('allow') ?? '', /\bOPTIONS\b/);
    });
});

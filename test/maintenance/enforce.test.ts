/**
 * Enforce (issue 4, reference §6 without its §11 gaps): every combination of fix_missing,
 * overwrite and fill_metadata over the API (defaults: fix + fill), and the CLI (a dry run by
 * default, exit 1 while problems remain). Each combination runs in its own project on its own
 * files, built with the problems a user meets: a missing sidecar, a hand-corrupted one, one that
 * disagrees with the registry, and assets without tags or licence.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { openStream, type SseFrame } from '../helpers/sse.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
let url: string;

before(async () => {
  ws = makeWorkspace('areg-enforce-');
  server = await startServer(ws.dir);
  url = server.url;
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

const CORRUPT = '{"id": "half a sidec';

interface Fixture {
  project: string;
  /** Letter → asset id. */
  id: Record<string, string>;
  /** Letter → rel path under the assets root. */
  rel: Record<string, string>;
  /** Sidecar text on disk right after the fixture was built (undefined: no sidecar). */
  text: Record<string, string | undefined>;
}

const sidecarFile = (rel: string): string => path.join(ws.assets, `${rel}.asset.json`);
const readText = (rel: string): string | undefined =>
  fs.existsSync(sidecarFile(rel)) ? fs.readFileSync(sidecarFile(rel), 'utf8') : undefined;

/**
 * A: sidecar deleted. B: sidecar corrupted. C: sidecar edited to disagree (hash, tags, licence).
 * D: no tags and no licence (sidecar fine). E: nothing wrong. F: no metadata and no sidecar.
 * G: no metadata and a corrupted sidecar. Registered in this order (G is the newest).
 */
async function buildFixture(project: string): Promise<Fixture> {
  const specs: Array<[string, string, Record<string, unknown>]> = [
    ['A', `${project}/a.txt`, { tags: ['alpha'], license: 'MIT' }],
    ['B', `${project}/b.txt`, { tags: ['beta'], license: 'MIT' }],
    ['C', `${project}/c.txt`, { tags: ['c1', 'c2'], license: 'MIT' }],
    ['D', `${project}/Sub Dir/Delta File.txt`, {}],
    ['E', `${project}/e.txt`, { tags: ['echo'], license: 'CC0-1.0' }],
    ['F', `${project}/f.txt`, {}],
    ['G', `${project}/g.txt`, {}],
  ];
  const fixture: Fixture = { project, id: {}, rel: {}, text: {} };
  for (const [letter, rel, metadata] of specs) {
    ws.file(`data/assets/${rel}`, `${project} ${letter}`);
    const res = await api(url, 'POST', '/api/assets/register', {
      path: `data/assets/${rel}`,
      copy: false,
      metadata,
      project_id: project,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.asset.path, rel);
    fixture.id[letter] = res.body.asset_id as string;
    fixture.rel[letter] = rel;
  }
  fs.rmSync(sidecarFile(fixture.rel.A!));
  fs.writeFileSync(sidecarFile(fixture.rel.B!), CORRUPT);
  const c = JSON.parse(readText(fixture.rel.C!)!) as Record<string, unknown>;
  Object.assign(c, { hash: 'deadbeef'.repeat(8), tags: ['c1'], license: 'CC-BY-4.0' });
  fs.writeFileSync(sidecarFile(fixture.rel.C!), JSON.stringify(c, null, 2));
  fs.rmSync(sidecarFile(fixture.rel.F!));
  fs.writeFileSync(sidecarFile(fixture.rel.G!), CORRUPT);
  for (const letter of Object.keys(fixture.rel)) fixture.text[letter] = readText(fixture.rel[letter]!);
  return fixture;
}

async function getAsset(f: Fixture, letter: string): Promise<Record<string, any>> {
  const res = await api(url, 'GET', `/api/assets/${f.id[letter]}?project_id=${f.project}`);
  assert.equal(res.status, 200, res.text);
  return res.body.asset as Record<string, any>;
}

const enforce = async (project: string, body: Record<string, unknown>): Promise<Record<string, any>> => {
  const res = await api(url, 'POST', '/api/assets/enforce', { ...body, project_id: project });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.ok, true);
  return res.body.report as Record<string, any>;
};

/** What a dry run lists: the problems that are really still there. */
const remaining = (report: Record<string, any>) => ({
  missing_sidecars: report.missing_sidecars,
  invalid_sidecars: report.invalid_sidecars.map((s: { uid: string }) => s.uid),
  mismatched_sidecars: report.mismatched_sidecars,
  metadata_missing: report.metadata_missing,
});

describe('POST /api/assets/enforce, every flag combination', () => {
  for (const fix of [false, true])
    for (const overwrite of [false, true])
      for (const fill of [false, true]) {
        // The API defaults (fix_missing and fill_metadata on, overwrite off) are sent as `{}`.
        const defaults = fix && !overwrite && fill;
        const name = `fix_missing=${fix} overwrite=${overwrite} fill_metadata=${fill}${defaults ? ' (the defaults, body {})' : ''}`;
        test(name, async () => {
          const project = `enf-${Number(fix)}${Number(overwrite)}${Number(fill)}`;
          const f = await buildFixture(project);
          const { id } = f;
          const report = await enforce(
            project,
            defaults ? {} : { fix_missing: fix, overwrite, fill_metadata: fill },
          );
          assert.equal(report.checked, 7);

          // A sidecar is (re)written only where the flags allow it; metadata is filled only where
          // the sidecar carrying it may be written (a corrupted or disagreeing sidecar is the
          // user's until overwrite says otherwise).
          const writable = {
            missing: fix,
            invalid: overwrite,
          };
          const filledF = fill && writable.missing;
          const filledG = fill && writable.invalid;
          assert.deepEqual(report.missing_sidecars, fix ? [] : [id.F, id.A], 'missing (newest first)');
          assert.deepEqual(
            report.invalid_sidecars.map((s: { uid: string }) => s.uid),
            overwrite ? [] : [id.G, id.B],
          );
          for (const s of report.invalid_sidecars) assert.equal(typeof s.error, 'string');
          assert.deepEqual(
            report.mismatched_sidecars,
            overwrite ? [] : [{ uid: id.C, fields: ['hash', 'tags', 'license'] }],
          );
          assert.deepEqual(
            report.repaired_sidecars,
            [...(fix ? [id.A, id.F] : []), ...(overwrite ? [id.B, id.C, id.G] : [])].sort(),
          );
          assert.deepEqual(
            report.metadata_fixed,
            [...(fill ? [id.D] : []), ...(filledF ? [id.F] : []), ...(filledG ? [id.G] : [])].sort(),
          );
          assert.deepEqual(report.metadata_missing, [
            ...(filledG ? [] : [{ uid: id.G, fields: ['tags', 'license'] }]),
            ...(filledF ? [] : [{ uid: id.F, fields: ['tags', 'license'] }]),
            ...(fill ? [] : [{ uid: id.D, fields: ['tags', 'license'] }]),
          ]);

          // On disk.
          const text = (letter: string) => readText(f.rel[letter]!);
          const doc = (letter: string) => JSON.parse(text(letter)!) as Record<string, any>;
          for (const letter of ['A', 'F']) {
            if (fix) assert.equal(doc(letter).id, id[letter], `${letter}: the missing sidecar is written`);
            else assert.equal(text(letter), undefined, `${letter}: a dry run writes nothing`);
          }
          for (const letter of ['B', 'G']) {
            if (overwrite)
              assert.equal(doc(letter).id, id[letter], `${letter}: the corrupted sidecar is restored`);
            else assert.equal(text(letter), CORRUPT, `${letter}: the corrupted sidecar is left as it was`);
          }
          const c = await getAsset(f, 'C');
          assert.deepEqual(
            c.tags,
            ['c1', 'c2'],
            'enforce never takes a disagreeing sidecar into the registry',
          );
          assert.equal(c.license, 'MIT');
          if (overwrite) {
            assert.equal(doc('C').hash, c.hash);
            assert.deepEqual(doc('C').tags, ['c1', 'c2']);
            assert.equal(doc('C').license, 'MIT');
          } else assert.equal(text('C'), f.text.C, 'C: the disagreeing sidecar is left as it was');
          const d = await getAsset(f, 'D');
          if (fill) {
            assert.deepEqual(
              d.tags,
              [project, 'sub dir', 'delta file'],
              'tags from the folders and the stem',
            );
            assert.equal(d.license, 'unknown');
            assert.deepEqual(doc('D').tags, d.tags);
            assert.equal(doc('D').license, 'unknown');
          } else {
            assert.deepEqual(d.tags, []);
            assert.equal(d.license, null);
            assert.equal(text('D'), f.text.D);
          }
          assert.equal(text('E'), f.text.E, 'a sidecar in order is not touched');
          for (const [letter, filled] of [
            ['F', filledF],
            ['G', filledG],
          ] as const) {
            const row = await getAsset(f, letter);
            assert.equal(row.license, filled ? 'unknown' : null, `${letter} licence`);
            if (filled) assert.equal(doc(letter).license, 'unknown');
          }

          // The report tells the truth: a dry run now finds exactly what it said remains.
          const dry = await enforce(project, { fix_missing: false, overwrite: false, fill_metadata: false });
          assert.deepEqual(remaining(dry), remaining(report));
          assert.deepEqual(dry.repaired_sidecars, []);
          assert.deepEqual(dry.metadata_fixed, []);
        });
      }
});

describe('a sidecar edited by hand elsewhere than its tags and licence', () => {
  test('is reported as disagreeing and never rewritten by filling; overwrite restores it', async () => {
    const project = 'titled';
    const rel = `${project}/poster.txt`;
    ws.file(`data/assets/${rel}`, 'a poster');
    const res = await api(url, 'POST', '/api/assets/register', {
      path: `data/assets/${rel}`,
      copy: false,
      project_id: project,
    });
    assert.equal(res.status, 200, res.text);
    const id: string = res.body.asset_id;
    // No tags or licence yet (so filling wants to rewrite it), and a title typed into `meta` by hand.
    const doc = JSON.parse(readText(rel)!) as Record<string, any>;
    doc.meta.title = 'Typed by hand';
    const edited = JSON.stringify(doc, null, 2);
    fs.writeFileSync(sidecarFile(rel), edited);

    const report = await enforce(project, {}); // the defaults: fix_missing and fill_metadata
    assert.deepEqual(report.mismatched_sidecars, [{ uid: id, fields: ['metadata'] }]);
    assert.deepEqual(report.metadata_fixed, []);
    assert.deepEqual(report.metadata_missing, [{ uid: id, fields: ['tags', 'license'] }]);
    assert.equal(readText(rel), edited, 'the hand edit is still there');

    const restored = await enforce(project, { overwrite: true });
    assert.deepEqual(restored.repaired_sidecars, [id]);
    assert.deepEqual(restored.mismatched_sidecars, []);
    assert.equal(JSON.parse(readText(rel)!).meta.title, undefined, 'restored from the registry');
    assert.equal(JSON.parse(readText(rel)!).license, 'unknown');
  });
});

describe('enforce over more assets than one batch', () => {
  test('260 assets: every missing sidecar is written, every licence filled', async () => {
    const project = 'many';
    const rels: string[] = [];
    for (let i = 0; i < 260; i++) {
      const rel = `${project}/n-${i}.txt`;
      ws.file(`data/assets/${rel}`, `${project} ${i}`);
      const res = await api(url, 'POST', '/api/assets/register', {
        path: `data/assets/${rel}`,
        copy: false,
        project_id: project,
      });
      assert.equal(res.status, 200, res.text);
      fs.rmSync(sidecarFile(rel));
      rels.push(rel);
    }
    const report = await enforce(project, { fix_missing: true, fill_metadata: true });
    assert.equal(report.checked, 260);
    assert.equal(report.repaired_sidecars.length, 260);
    assert.equal(report.metadata_fixed.length, 260);
    assert.deepEqual(report.missing_sidecars, []);
    for (const rel of rels) assert.equal(JSON.parse(readText(rel) ?? '{}').license, 'unknown', rel);
  });

  test('as a job (wait: false): 202 at once, progress per chunk (events and /api/jobs/{id}), the report at the end', async () => {
    const stream = await openStream(url);
    try {
      const res = await api(url, 'POST', '/api/assets/enforce', {
        project_id: 'many',
        fix_missing: false,
        fill_metadata: false,
        wait: false,
      });
      assert.equal(res.status, 202, res.text);
      const jobId = res.body.job_id as string;
      const ofJob = (frames: SseFrame[]) =>
        frames
          .filter((f) => f.event === 'enforce_progress' && f.data.data.job_id === jobId)
          .map((f) => f.data.data);
      const events = ofJob(await stream.until((frames) => ofJob(frames).some((e) => e.status !== 'running')));
      assert.deepEqual(
        events.filter((e) => e.status === 'running').map((e) => [e.checked, e.total]),
        [
          [128, 260],
          [256, 260],
          [260, 260],
        ],
      );
      const end = events.at(-1) as Record<string, any>;
      assert.equal(end.status, 'done');
      assert.equal(end.report.checked, 260);
      const { job } = (await api(url, 'GET', `/api/jobs/${jobId}`)).body;
      assert.equal(job.kind, 'enforce');
      assert.equal(job.status, 'done');
      assert.deepEqual(job.summary, end.report);
      assert.deepEqual(job.summary.missing_sidecars, []);
    } finally {
      await stream.close();
    }
  });
});

describe('enforce report shape and bad input', () => {
  test('an empty project answers an empty report with every list', async () => {
    const report = await enforce('nothing-here', {});
    assert.deepEqual(report, {
      missing_sidecars: [],
      repaired_sidecars: [],
      metadata_missing: [],
      metadata_fixed: [],
      invalid_sidecars: [],
      mismatched_sidecars: [],
      missing_files: [],
      orphaned_sidecars: [],
      removed_orphans: [],
      orphans_trash: null,
      checked: 0,
    });
  });

  test('a wrong type is a 422 and a non-object body a 4xx, both with the error envelope', async () => {
    const bad = await api(url, 'POST', '/api/assets/enforce', { fix_missing: 'yes' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.ok, false);
    assert.equal(bad.body.code, 'validation_error');
    assert.equal(typeof bad.body.message, 'string');
    const orphans = await api(url, 'POST', '/api/assets/enforce', { remove_orphans: 'please' });
    assert.equal(orphans.status, 422);
    assert.equal(orphans.body.code, 'validation_error');
    assert.match(orphans.body.message, /remove_orphans/);
    const wait = await api(url, 'POST', '/api/assets/enforce', { wait: 'later' });
    assert.equal(wait.status, 422);
    assert.match(wait.body.message, /wait/);
    const list = await api(url, 'POST', '/api/assets/enforce', [1, 2]);
    assert.ok(list.status >= 400 && list.status < 500, `status ${list.status}`);
    assert.equal(list.body.ok, false);
  });
});

describe('asset-registry enforce (CLI)', () => {
  test('a dry run by default: reports, changes nothing, exits 1 while problems remain', async () => {
    const f = await buildFixture('cli');
    const dry = await runCli(['enforce', '--project-id', 'cli'], ws.dir);
    assert.equal(dry.code, 1, dry.stderr);
    assert.equal(dry.json.ok, true);
    assert.deepEqual(dry.json.report.missing_sidecars, [f.id.F, f.id.A]);
    assert.deepEqual(dry.json.report.repaired_sidecars, []);
    assert.deepEqual(dry.json.report.metadata_fixed, []);
    // The progress bar (stderr; a line at the end when it is not a terminal).
    assert.match(dry.stderr, /\| 7\/7 assets checked \| ETA/);
    for (const letter of Object.keys(f.rel)) assert.equal(readText(f.rel[letter]!), f.text[letter], letter);

    // Fixing only the missing sidecars still leaves problems: still exit 1.
    const fixOnly = await runCli(['enforce', '--project-id', 'cli', '--fix-missing'], ws.dir);
    assert.equal(fixOnly.code, 1);
    assert.deepEqual(fixOnly.json.report.repaired_sidecars, [f.id.A, f.id.F].sort());

    const all = await runCli(
      ['enforce', '--project-id', 'cli', '--fix-missing', '--overwrite', '--fill-metadata'],
      ws.dir,
    );
    assert.equal(all.code, 0, all.stdout);
    assert.deepEqual(all.json.report.missing_sidecars, []);
    assert.deepEqual(all.json.report.metadata_missing, []);
    assert.deepEqual(all.json.report.repaired_sidecars, [f.id.B, f.id.C, f.id.G].sort());

    const clean = await runCli(['enforce', '--project-id', 'cli'], ws.dir);
    assert.equal(clean.code, 0);
    assert.equal(clean.json.report.checked, 7);
    for (const letter of Object.keys(f.rel)) {
      const doc = JSON.parse(readText(f.rel[letter]!)!) as Record<string, unknown>;
      assert.equal(doc.id, f.id[letter]);
    }
  });
});

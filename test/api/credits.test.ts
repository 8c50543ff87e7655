/**
 * `GET /api/assets/credits` and `asset-registry credits`: a sheet of the assets a search finds,
 * by licence (any case alike, those without one last), as CSV a spreadsheet reads back field
 * for field (commas, quotes and line breaks in titles) or as Markdown; the search's filters
 * apply; bad requests are clear 4xx; the CLI never writes over a file unless told.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertErrorEnvelope } from '../helpers/contract.js';
import { api, registerInPlace, runCli, startServer, type RunningServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let server: RunningServer;
const ids: Record<string, string> = {};

/** RFC 4180 as a spreadsheet reads it: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  assert.equal(field + row.join(''), '', 'the sheet ends with CRLF');
  return rows;
}

before(async () => {
  ws = makeWorkspace();
  server = await startServer(ws.dir);
  const assets: Array<[string, string, Record<string, unknown>]> = [
    [
      'hero',
      'art/hero.txt',
      {
        license: 'CC-BY-4.0',
        title: 'Hero, "the brave"\nsecond line',
        origin: 'https://example.org/hero',
        tags: ['hero'],
      },
    ],
    ['forest', 'art/forest.txt', { license: 'cc-by-4.0', title: 'Forest', tags: ['bg'] }],
    ['theme', 'audio/theme.txt', { license: 'CC0', origin: 'Composer *X*' }],
    ['intro', 'scripts/intro.txt', { title: 'Intro' }],
  ];
  for (const [name, rel, metadata] of assets)
    ids[name] = await registerInPlace(server.url, ws, rel, `${name} bytes`, metadata);
});
after(async () => {
  await server.stop();
  ws.cleanup();
});

const sheet = async (query: string) => {
  const res = await fetch(`${server.url}/api/assets/credits?${query}`);
  return { status: res.status, headers: res.headers, text: await res.text() };
};

describe('credits sheet', () => {
  test('CSV: by licence, any case alike, the unlicensed last; every field reads back as written', async () => {
    const res = await sheet('');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="credits-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const hashOf = async (id: string): Promise<string> =>
      (await api(server.url, 'GET', `/api/assets/${id}`)).body.asset.hash;
    assert.deepEqual(parseCsv(res.text), [
      ['license', 'path', 'title', 'origin', 'id', 'sha256'],
      ['cc-by-4.0', 'art/forest.txt', 'Forest', '', ids.forest, await hashOf(ids.forest as string)],
      [
        'CC-BY-4.0',
        'art/hero.txt',
        'Hero, "the brave"\nsecond line',
        'https://example.org/hero',
        ids.hero,
        await hashOf(ids.hero as string),
      ],
      ['CC0', 'audio/theme.txt', '', 'Composer *X*', ids.theme, await hashOf(ids.theme as string)],
      ['', 'scripts/intro.txt', 'Intro', '', ids.intro, await hashOf(ids.intro as string)],
    ]);
  });

  test('Markdown: a section per licence with its count, "No licence" last; the filters apply', async () => {
    const res = await sheet('format=md');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type'), 'text/markdown; charset=utf-8');
    assert.equal(
      res.text,
      [
        '# Credits',
        '',
        '## cc-by-4.0 (2)',
        '',
        '- `art/forest.txt` — Forest',
        '- `art/hero.txt` — Hero, "the brave" second line — from https://example.org/hero',
        '',
        '## CC0 (1)',
        '',
        '- `audio/theme.txt` — from Composer \\*X\\*',
        '',
        '## No licence (1)',
        '',
        '- `scripts/intro.txt` — Intro',
        '',
      ].join('\n'),
    );
    const tagged = parseCsv((await sheet('tag=hero')).text);
    assert.deepEqual(
      tagged.slice(1).map((r) => r[1]),
      ['art/hero.txt'],
    );
    const unlicensed = parseCsv((await sheet('unlicensed=true')).text);
    assert.deepEqual(
      unlicensed.slice(1).map((r) => r[1]),
      ['scripts/intro.txt'],
    );
  });

  test('a format that is neither is a 422 naming it', async () => {
    const res = await api(server.url, 'GET', '/api/assets/credits?format=pdf');
    assert.equal(res.status, 422, res.text);
    assertErrorEnvelope(res.body, 422, 'validation_error');
    assert.match(res.body.message, /format/);
  });

  test('the CLI prints it, or writes it to a file it never overwrites unless told', async () => {
    const printed = await runCli(['credits', '--format', 'md', '--license', 'cc0'], ws.dir);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, '# Credits\n\n## CC0 (1)\n\n- `audio/theme.txt` — from Composer \\*X\\*\n');
    const out = path.join(ws.dir, 'credits.csv');
    const written = await runCli(['credits', '--out', out], ws.dir);
    assert.equal(written.code, 0, written.stderr);
    assert.equal(fs.readFileSync(out, 'utf8'), (await sheet('')).text);
    fs.writeFileSync(out, 'my own notes');
    const refused = await runCli(['credits', '--out', out], ws.dir);
    assert.equal(refused.code, 4);
    assert.match(
      refused.stderr + refused.stdout,
      /credits\.csv exists: choose another --out, or add --force/,
    );
    assert.equal(fs.readFileSync(out, 'utf8'), 'my own notes');
    const forced = await runCli(['credits', '--out', out, '--force'], ws.dir);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(fs.readFileSync(out, 'utf8'), /^license,path,title,origin,id,sha256\r\n/);
    const bad = await runCli(['credits', '--format', 'pdf'], ws.dir);
    assert.equal(bad.code, 2);
  });
});

/** The `asset-registry` CLI, run as a real process in a temporary workspace. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeImage } from '../helpers/media.js';
import { api, runCli, startServer } from '../helpers/server.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
before(() => {
  ws = makeWorkspace();
});
after(() => ws.cleanup());

describe('help', () => {
  test('every command has --help naming its flags', async () => {
    const expected: Record<string, string[]> = {
      register: ['<paths...>', '--type', '--dest', '--tags', '--license', '--origin', '--no-copy'],
      search: ['--type', '--tag', '--license', '-q', '--limit', '--offset', '--sort'],
      serve: ['--host', '--port', '--assets-root', '--db-path', '--thumbs-root', '--project-id', '--token'],
      get: ['<id-or-path>'],
      update: ['--add-tags', '--remove-tags', '--license', '--clear-license', '--metadata'],
      remove: ['--delete-file'],
      previews: ['--retry-failed', '--make', '--timeout', '--limit'],
    };
    const results = await Promise.all(Object.keys(expected).map((cmd) => runCli([cmd, '--help'], ws.dir)));
    Object.keys(expected).forEach((cmd, i) => {
      const res = results[i]!;
      assert.equal(res.code, 0, `${cmd}: ${res.stderr}`);
      for (const flag of expected[cmd]!) assert.ok(res.stdout.includes(flag), `${cmd} --help names ${flag}`);
    });
  });

  test('the overall help lists every command; a mistyped one is refused with the one meant', async () => {
    const [help, typo] = await Promise.all([runCli(['--help'], ws.dir), runCli(['serach'], ws.dir)]);
    assert.equal(help.code, 0, help.stderr);
    const listed = [...help.stdout.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
    assert.deepEqual(listed, [
      'serve',
      'register',
      'get',
      'search',
      'similar',
      'update',
      'remove',
      'move',
      'export',
      'credits',
      'import',
      'tags',
      'history',
      'undo',
      'trash',
      'rebuild',
      'previews',
      'enforce',
      'check',
      'help',
    ]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown command 'serach'[\s\S]*Did you mean search\?/);
  });
});

describe('register, get, search, update, remove', () => {
  let id = '';
  let assetPath = '';

  test('register copies into data/assets/<type>/ and prints JSON', async () => {
    ws.file('in/hero.txt', 'cli hero');
    const res = await runCli(
      ['register', 'in/hero.txt', '--type', 'docs', '--tags', 'a, b', '--license', 'MIT', '--origin', 'cli'],
      ws.dir,
    );
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.json.ok, true);
    id = res.json.asset_id;
    assetPath = res.json.asset.path;
    assert.equal(assetPath, 'docs/hero.txt');
    assert.deepEqual(res.json.asset.tags, ['a', 'b']);
    assert.equal(res.json.asset.license, 'MIT');
    assert.equal(ws.read('data/assets/docs/hero.txt'), 'cli hero');
    assert.ok(ws.exists('config/comfyvn.sqlite'), 'the default database is under the cwd');
    assert.equal(ws.json('data/assets/docs/hero.txt.asset.json').id, id);
  });

  test('several files: each registered on its own, the ones that fail listed, exit 1', async () => {
    ws.file('in/batch/one.txt', 'batch one');
    ws.file('in/batch/two.txt', 'batch two');
    const res = await runCli(
      [
        'register',
        'in/batch/one.txt',
        'in/batch/missing.txt',
        'in/batch/two.txt',
        '--dest',
        'batch',
        '--tags',
        'b1',
      ],
      ws.dir,
    );
    assert.equal(res.code, 1, res.stderr);
    assert.equal(res.json.ok, false);
    assert.equal(res.json.registered, 2);
    assert.equal(res.json.failed, 1);
    assert.deepEqual(
      res.json.items.map((i: { path: string; ok: boolean }) => [i.path, i.ok]),
      [
        ['in/batch/one.txt', true],
        ['in/batch/missing.txt', false],
        ['in/batch/two.txt', true],
      ],
    );
    assert.equal(res.json.items[1].code, 'source_not_found');
    assert.equal(res.json.items[2].asset.path, 'batch/two.txt');
    assert.deepEqual(res.json.items[2].asset.tags, ['b1']);
    assert.equal(ws.read('data/assets/batch/one.txt'), 'batch one');
    // A --dest that names one file cannot take several.
    const named = await runCli(
      ['register', 'in/batch/one.txt', 'in/batch/two.txt', '--dest', 'x/one.txt'],
      ws.dir,
    );
    assert.equal(named.code, 2);
    assert.match(named.stderr, /names one file; with several files give a folder/);
  });

  test('a folder brings its files with their sub-folders; hidden files and OS junk stay out', async () => {
    ws.file('in/renders/hero.png', 'hero');
    ws.file('in/renders/night/castle.png', 'castle');
    ws.file('in/renders/night/.draft.png', 'hidden');
    ws.file('in/renders/.DS_Store', 'junk');
    ws.file('in/renders/.cache/x.png', 'hidden folder');
    ws.file('in/notes.txt', 'a file beside it');
    fs.mkdirSync(path.join(ws.dir, 'in/empty'));
    const res = await runCli(
      ['register', 'in/renders', 'in/notes.txt', 'in/empty', '--tags', 'import'],
      ws.dir,
    );
    assert.equal(res.code, 1, res.stderr);
    assert.deepEqual(
      res.json.items.map((i: { path: string; ok: boolean; asset?: { path: string; type: string } }) => [
        i.path,
        i.ok,
        i.asset?.path,
        i.asset?.type,
      ]),
      [
        ['in/renders/hero.png', true, 'renders/hero.png', 'renders'],
        ['in/renders/night/castle.png', true, 'renders/night/castle.png', 'renders'],
        ['in/notes.txt', true, 'generic/notes.txt', 'generic'],
        ['in/empty', false, undefined, undefined],
      ],
    );
    assert.match(res.json.items[3].message, /in\/empty holds no files to register/);
    assert.equal(ws.read('data/assets/renders/night/castle.png'), 'castle');
    assert.deepEqual(res.json.items[1].asset.tags, ['import']);
    assert.equal(ws.exists('data/assets/renders/night/.draft.png'), false);
    assert.equal(ws.exists('data/assets/renders/.DS_Store'), false);
    // Under --dest, and typed by where it lands, as a rebuild would.
    ws.file('in/sfx/door.wav', 'door');
    const under = await runCli(['register', 'in/sfx', '--dest', 'audio/imported'], ws.dir);
    assert.equal(under.code, 0, under.stderr);
    assert.equal(under.json.items[0].asset.path, 'audio/imported/sfx/door.wav');
    assert.equal(under.json.items[0].asset.type, 'audio');
  });

  test('registering the same bytes again merges tags', async () => {
    ws.file('in/hero-copy.txt', 'cli hero');
    const res = await runCli(['register', 'in/hero-copy.txt', '--tags', 'B,c'], ws.dir);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.json.created, false);
    assert.equal(res.json.asset_id, id);
    assert.deepEqual(res.json.asset.tags, ['a', 'b', 'c']);
  });

  test('get prints the asset; an unknown id exits 3 with a JSON error', async () => {
    const res = await runCli(['get', id], ws.dir);
    assert.equal(res.code, 0);
    assert.equal(res.json.asset.path, assetPath);
    const missing = await runCli(['get', 'ffffffffffffffff'], ws.dir);
    assert.equal(missing.code, 3);
    assert.equal(missing.json.ok, false);
    assert.equal(missing.json.code, 'not_found');
    assert.match(missing.json.message, /No asset has the id or the path ffffffffffffffff/);
    // By its path under the assets root, or a file path from here.
    for (const given of [assetPath, `data/assets/${assetPath}`, `./data/assets/${assetPath}`]) {
      const byPath = await runCli(['get', given], ws.dir);
      assert.equal(byPath.code, 0, byPath.stderr);
      assert.equal(byPath.json.asset.id, id, given);
    }
  });

  test('search filters; a bad --limit exits 2', async () => {
    const res = await runCli(
      ['search', '--tag', 'A', '--tag', 'c', '-q', 'HERO', '--license', 'mit'],
      ws.dir,
    );
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.json.total, 1);
    assert.equal(res.json.items[0].id, id);
    const none = await runCli(['search', '-q', 'nothing-matches'], ws.dir);
    assert.equal(none.json.total, 0);
    const bad = await runCli(['search', '--limit', '0'], ws.dir);
    assert.equal(bad.code, 2);
  });

  test('update changes tags, licence and metadata in the registry and the sidecar', async () => {
    const add = await runCli(['update', id, '--add-tags', 'x,y', '--license', 'CC0'], ws.dir);
    assert.equal(add.code, 0, add.stderr);
    assert.deepEqual(add.json.items[0].tags, ['a', 'b', 'c', 'x', 'y']);
    const remove = await runCli(
      ['update', id, '--remove-tags', 'a,X', '--clear-license', '--metadata', '{"title":"T"}'],
      ws.dir,
    );
    assert.equal(remove.code, 0, remove.stderr);
    const sidecar = ws.json(`data/assets/${assetPath}.asset.json`);
    assert.deepEqual(sidecar.tags, ['b', 'c', 'y']);
    assert.equal(sidecar.license, null);
    assert.equal((sidecar.meta as Record<string, unknown>).title, 'T');
    const nothing = await runCli(['update', id], ws.dir);
    assert.equal(nothing.code, 2);
    // --if-version: applied at the version it names, refused (exit 4, nothing changed) at another.
    const version = (await runCli(['get', id], ws.dir)).json.asset.version as number;
    const stale = await runCli(
      ['update', id, '--metadata', '{"title":"Stale"}', '--if-version', String(version - 1)],
      ws.dir,
    );
    assert.equal(stale.code, 4, stale.stderr);
    assert.equal(stale.json.code, 'version_conflict');
    assert.equal((ws.json(`data/assets/${assetPath}.asset.json`).meta as { title: string }).title, 'T');
    const current = await runCli(
      ['update', id, '--metadata', '{"title":"Fresh"}', '--if-version', String(version)],
      ws.dir,
    );
    assert.equal(current.code, 0, current.stderr);
    assert.equal(current.json.items[0].version, version + 1);
    const misused = await runCli(['update', id, '--add-tags', 'z', '--if-version', '1'], ws.dir);
    assert.equal(misused.code, 2);
    assert.match(misused.json.message, /--if-version goes with --metadata/);
    const garbage = await runCli(['update', id, '--metadata', '{}', '--if-version', 'two'], ws.dir);
    assert.equal(garbage.code, 2);
    assert.match(garbage.json.message, /--if-version takes a whole number; got two/);
    // An asset named by its path, as get takes it.
    const byPath = await runCli(['update', assetPath, '--add-tags', 'by-path'], ws.dir);
    assert.equal(byPath.code, 0, byPath.stderr);
    assert.equal(byPath.json.items[0].id, id);
    assert.ok(byPath.json.items[0].tags.includes('by-path'));
  });

  test('remove keeps the file; --delete-file deletes it', async () => {
    const res = await runCli(['remove', id], ws.dir);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.json.file_deleted, false);
    assert.ok(ws.exists(`data/assets/${assetPath}`));
    assert.ok(!ws.exists(`data/assets/${assetPath}.asset.json`));
    ws.file('in/gone.txt', 'delete me');
    const reg = await runCli(['register', 'in/gone.txt'], ws.dir);
    const del = await runCli(['remove', `data/assets/${reg.json.asset.path}`, '--delete-file'], ws.dir);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.json.id, reg.json.asset_id, 'named by its file path');
    assert.equal(del.json.file_deleted, true);
    assert.ok(!ws.exists(`data/assets/${reg.json.asset.path}`));
  });

  test('remove takes several ids: unknown ones are listed and make the exit code 1', async () => {
    ws.file('in/many-1.txt', 'many 1');
    ws.file('in/many-2.txt', 'many 2');
    const reg = await runCli(['register', 'in/many-1.txt', 'in/many-2.txt'], ws.dir);
    assert.equal(reg.code, 0, reg.stderr);
    const ids = (reg.json.items as Array<{ asset_id: string }>).map((i) => i.asset_id);
    const res = await runCli(['remove', ...ids, 'ffffffffffffffff', '--delete-file', '--no-trash'], ws.dir);
    assert.equal(res.code, 1, res.stderr);
    assert.equal(typeof res.json.change_id, 'number');
    assert.deepEqual(res.json, {
      ok: false,
      removed: 2,
      missing: ['ffffffffffffffff'],
      files_deleted: 2,
      files_kept: [],
      trash: null, // --no-trash: deleted for good
      change_id: res.json.change_id,
    });
    for (const item of reg.json.items as Array<{ asset: { path: string } }>) {
      assert.ok(!ws.exists(`data/assets/${item.asset.path}`));
    }
    const trash = await runCli(['trash', '--json'], ws.dir);
    assert.ok(
      !trash.json.batches.some((b: { change_id: number }) => b.change_id === res.json.change_id),
      'nothing went to the trash',
    );
    const undone = await runCli(['undo', String(res.json.change_id), '--json'], ws.dir);
    assert.deepEqual(
      undone.json.failed.map((f: { code: string }) => f.code),
      ['file_missing', 'file_missing'],
      'nothing to bring back',
    );
    const again = await runCli(['remove', ...ids], ws.dir);
    assert.equal(again.code, 1);
    assert.deepEqual(again.json.missing, ids);
  });

  test('--no-copy outside the assets root exits 2', async () => {
    ws.file('in/outside.txt', 'outside');
    const res = await runCli(['register', 'in/outside.txt', '--no-copy'], ws.dir);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /assets root/);
  });
});

describe('paths by flag and environment', () => {
  test('--assets-root and --db-path, and the same through the environment', async () => {
    const other = makeWorkspace();
    try {
      other.file('f.txt', 'flagged');
      const flagged = await runCli(
        [
          'register',
          'f.txt',
          '--assets-root',
          'store/files',
          '--db-path',
          'state/reg.db',
          '--project-id',
          'p1',
        ],
        other.dir,
      );
      assert.equal(flagged.code, 0, flagged.stderr);
      assert.equal(flagged.json.asset.project_id, 'p1');
      assert.ok(other.exists('store/files/generic/f.txt'));
      assert.ok(other.exists('state/reg.db'));
      assert.ok(!other.exists('config/comfyvn.sqlite'));
      const env = {
        ASSET_REGISTRY_ASSETS_ROOT: 'store/files',
        ASSET_REGISTRY_DB_PATH: 'state/reg.db',
        ASSET_REGISTRY_PROJECT_ID: 'p1',
      };
      const found = await runCli(['get', flagged.json.asset_id], other.dir, env);
      assert.equal(found.code, 0, found.stderr);
      const notInDefault = await runCli(['get', flagged.json.asset_id], other.dir, {
        ...env,
        ASSET_REGISTRY_PROJECT_ID: 'default',
      });
      assert.equal(notInDefault.code, 3);
    } finally {
      other.cleanup();
    }
  });
});

describe('paths that cannot be what they name', () => {
  // Each was an internal error (exit 1, the system call's own words) before.
  test('a root that is a file, a database that is a folder or no database, an --out through a file, names too long: exit 2 saying which', async () => {
    const other = makeWorkspace();
    try {
      other.file('data/assets/plain.txt', 'plain');
      const long = 'n'.repeat(300);
      const cases: Array<[string[], number, RegExp]> = [
        [
          ['search', '--assets-root', 'data/assets/plain.txt'],
          2,
          /The assets root .*plain\.txt is a file, not a folder/,
        ],
        [['search', '--db-path', 'data'], 2, /The registry database .*data is a folder: give a file's path/],
        [['search', '--db-path', 'data/assets/plain.txt'], 2, /plain\.txt is not a SQLite database/],
        [
          ['search', '--thumbs-root', long],
          2,
          /^error: The thumbnails root is longer than the file system allows/m,
        ],
        [
          ['credits', '--out', 'data/assets/plain.txt/x.csv'],
          2,
          /--out .* leads through .*plain\.txt, a file/,
        ],
        [['credits', '--out', 'data'], 2, /^error: --out data is a folder/m],
        [
          ['get', 'data/assets/plain.txt/x'],
          3,
          /No asset has the id or the path data\/assets\/plain\.txt\/x/,
        ],
        [['get', long], 3, /No asset has the id or the path n+ /],
      ];
      for (const [args, code, message] of cases) {
        const res = await runCli(args, other.dir);
        assert.equal(res.code, code, `${args.join(' ')}: ${res.stderr}`);
        assert.match(res.stderr, message);
      }
      assert.equal(fs.readFileSync(path.join(other.assets, 'plain.txt'), 'utf8'), 'plain');
    } finally {
      other.cleanup();
    }
  });
});

describe("rebuild under the reference wrappers' flag names", () => {
  test('--assets-dir, --thumbs-dir, --no-thumb-wait and --from-disk work as the product names do', async () => {
    const other = makeWorkspace();
    try {
      other.file('library/art/hero.png', await makeImage(64, 48, 'png'));
      other.file('library/notes.txt', 'notes');
      const run = await runCli(
        ['rebuild', '--from-disk', '--assets-dir', 'library', '--thumbs-dir', 'previews', '--no-thumb-wait'],
        other.dir,
      );
      assert.equal(run.code, 0, run.stderr);
      const summary = run.json.summary;
      assert.equal(summary.assets_root, path.join(other.dir, 'library'));
      assert.equal(summary.thumb_root, path.join(other.dir, 'previews'));
      assert.equal(summary.created, 2);
      assert.ok(other.exists('library/art/hero.png.asset.json'));
      assert.ok(!other.exists('data/assets/art'), 'nothing under the default root');
      // Not waited for: the thumbnail was still queued when the summary was made.
      assert.equal(summary.previews_pending, 1);

      // Waiting (the default), the same folders by their product names: the previews are made.
      fs.rmSync(path.join(other.dir, 'previews'), { recursive: true, force: true });
      const waited = await runCli(
        ['rebuild', '--assets-root', 'library', '--thumbs-root', 'previews'],
        other.dir,
      );
      assert.equal(waited.code, 0, waited.stderr);
      assert.equal(waited.json.summary.previews_pending, 0);
      assert.equal(waited.json.summary.unchanged, 2);
      assert.equal(
        fs.readdirSync(path.join(other.dir, 'previews')).filter((f) => f.endsWith('.png')).length,
        2,
      );
    } finally {
      other.cleanup();
    }
  });

  test('one folder named twice, differently, exits 2 saying so', async () => {
    const res = await runCli(['rebuild', '--assets-dir', 'a', '--assets-root', 'b'], ws.dir);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--assets-dir and --assets-root name different folders/);
    assert.ok(!ws.exists('a') && !ws.exists('b'), 'nothing was scanned or made');
  });

  test('--verbose lists every problem file, not only the first 20', async () => {
    const other = makeWorkspace();
    try {
      for (let i = 0; i < 25; i++) {
        other.file(`data/assets/docs/note-${i}.txt`, `note ${i}`);
        other.file(`data/assets/docs/note-${i}.txt.asset.json`, '{ not json');
      }
      const quiet = await runCli(['rebuild', '--no-wait-for-thumbs'], other.dir);
      assert.equal(quiet.json.summary.problems.length, 20);
      assert.equal(quiet.json.summary.problems_total, 25);
      assert.match(quiet.stderr, /… and 5 more problems \(--verbose lists them all\)/);
      // Sidecars the rebuild could not read: their metadata is not in the registry, so a script
      // running it must notice.
      assert.equal(quiet.code, 1);
      // A fresh registry, so the sidecars are read (and found broken) again.
      fs.rmSync(path.join(other.dir, 'config'), { recursive: true });
      const verbose = await runCli(['rebuild', '--no-wait-for-thumbs', '--verbose'], other.dir);
      assert.equal(verbose.json.summary.problems.length, 25);
      assert.equal((verbose.stderr.match(/^problem: docs\/note-\d+\.txt: /gm) ?? []).length, 25);
      assert.doesNotMatch(verbose.stderr, /more problems/);
    } finally {
      other.cleanup();
    }
  });

  test('files kept missing by --no-remove-stale are reported, exit 0; a file skipped fails, exit 1', async () => {
    const other = makeWorkspace();
    try {
      other.file('data/assets/docs/kept.txt', 'kept');
      other.file('data/assets/docs/gone.txt', 'gone');
      const first = await runCli(['rebuild', '--no-wait-for-thumbs'], other.dir);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.json.summary.problems_total, 0);
      fs.rmSync(path.join(other.dir, 'data/assets/docs/gone.txt'));
      const kept = await runCli(['rebuild', '--no-wait-for-thumbs', '--no-remove-stale'], other.dir);
      assert.equal(kept.code, 0, kept.stderr);
      assert.equal(kept.json.summary.missing_files, 1);
      assert.equal(kept.json.summary.problems_total, 1);
      assert.match(kept.stderr, /^problem: docs\/gone\.txt: registered as \w+, but the file is missing$/m);
      // A name whose sidecar's name would not fit the file system: skipped.
      other.file(`data/assets/docs/${'n'.repeat(250)}.txt`, 'long');
      const skipped = await runCli(['rebuild', '--no-wait-for-thumbs', '--no-remove-stale'], other.dir);
      assert.equal(skipped.json.summary.skipped, 1, skipped.stderr);
      assert.equal(skipped.code, 1);
    } finally {
      other.cleanup();
    }
  });
});

describe('CLI and server share one registry', () => {
  test('a file registered by the CLI while the server runs is served over HTTP at once', async () => {
    const shared = makeWorkspace();
    const server = await startServer(shared.dir);
    try {
      shared.file('in/live.txt', 'live bytes');
      const res = await runCli(['register', 'in/live.txt', '--tags', 'live'], shared.dir);
      assert.equal(res.code, 0, res.stderr);
      const got = await api(server.url, 'GET', `/api/assets/${res.json.asset_id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.asset.tags, ['live']);
      assert.ok(fs.existsSync(path.join(shared.assets, 'generic', 'live.txt')));
    } finally {
      await server.stop();
      shared.cleanup();
    }
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { AssetRecord } from '../domain/asset.js';
import { isSkippedName, typeForPath } from '../domain/asset-paths.js';
import { AppError } from '../domain/errors.js';
import { parseMetadataInput } from '../domain/metadata.js';
import { wantsJson, withCommonOptions, withService, printJson, type CommonOptions } from './common.js';
import { describeAsset } from './format.js';
import { countBar } from './progress.js';
import { splitList } from '../domain/lists.js';
import { hasPreview } from '../previews/kinds.js';
import { statIfThere } from '../files/if-there.js';

interface RegisterOptions extends CommonOptions {
  type?: string;
  dest?: string;
  tags?: string;
  license?: string;
  origin?: string;
  metadata?: string;
  copy: boolean;
  onConflict: 'error' | 'rename';
  previews: boolean;
}

/** One file to register: where it is, and the folder it lands in when it came from a folder. */
interface Source {
  path: string;
  folder?: string;
}

/**
 * The files of the paths given: a file as it is; a folder's files (hidden ones and OS junk left
 * out, as the rebuild does; symlinked folders not followed), each to land in the folder's name and
 * sub-folders under `dest` (the root by default), as the studio's "Upload folder…" puts them.
 */
function sources(
  paths: readonly string[],
  dest: string | undefined,
): Array<Source | { path: string; error: string }> {
  return paths.flatMap((given) => {
    const stat = statIfThere(given);
    if (!stat?.isDirectory()) return [{ path: given }];
    const found: Source[] = [];
    const walk = (dir: string, folder: string): void => {
      const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        if (isSkippedName(entry.name)) continue;
        const child = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(child, `${folder}/${entry.name}`);
        else if (entry.isFile() || (entry.isSymbolicLink() && statIfThere(child)?.isFile()))
          found.push({ path: child, folder });
      }
    };
    const top = path.basename(path.resolve(given));
    walk(given, dest ? path.posix.join(dest, top) : top);
    return found.length
      ? found
      : [
          {
            path: given,
            error: `${given} holds no files to register (hidden files and OS junk are left out)`,
          },
        ];
  });
}

export function registerCommand(): Command {
  return withCommonOptions(new Command('register'))
    .description(
      'register files (POST /api/assets/register): copied into the assets root unless --no-copy; ' +
        'with several, each is registered on its own and the ones that fail are listed; a folder ' +
        'brings its files with their sub-folders, under --dest or the root',
    )
    .argument('<paths...>', 'files or folders to register')
    .option('--type <type>', 'asset type: the default folder (e.g. images, audio)')
    .option('--dest <dest>', 'destination under the assets root: a folder, or a file name (one file only)')
    .option('--tags <a,b>', 'comma-separated tags')
    .option('--license <license>', 'licence, e.g. CC-BY-4.0')
    .option('--origin <origin>', 'where the file comes from')
    .option('--metadata <json>', 'more metadata as a JSON object')
    .option('--no-copy', 'register in place (the file must already be under the assets root)')
    .option('--on-conflict <mode>', 'when the destination holds another file: error or rename', 'error')
    .option('--no-previews', 'do not make previews now (a running server or the next rebuild makes them)')
    .action(async (paths: string[], options: RegisterOptions, command: Command) => {
      const files = sources(paths, options.dest);
      if (
        (files.length > 1 || files.some((f) => 'folder' in f)) &&
        options.dest &&
        path.posix.extname(options.dest) &&
        !options.dest.endsWith('/')
      ) {
        command.error(`error: --dest ${options.dest} names one file; with several files give a folder`, {
          exitCode: 2,
        });
      }
      const metadata = parseMetadataInput(options.metadata);
      if (options.tags) metadata.tags = splitList(options.tags);
      if (options.license) metadata.license = options.license;
      if (options.origin) metadata.origin = options.origin;
      await withService(options, async (service) => {
        const registry = service.project();
        const registerOne = (file: Source | { path: string; error: string }) => {
          if ('error' in file) throw new AppError(400, 'bad_request', file.error);
          const name = path.basename(file.path);
          return registry.register({
            path: file.path,
            // From a folder: typed as a rebuild would type the file where it lands.
            assetType:
              options.type ?? (file.folder === undefined ? null : typeForPath(`${file.folder}/${name}`)),
            destPath: file.folder === undefined ? (options.dest ?? null) : `${file.folder}/`,
            metadata,
            copy: options.copy,
            onConflict: options.onConflict === 'rename' ? 'rename' : 'error',
            provenance: { source: 'cli.register' },
            cwd: process.cwd(),
          });
        };
        /** Makes the previews of these assets (when asked) and answers them as they are then. */
        const withPreviews = async (records: AssetRecord[]): Promise<AssetRecord[]> => {
          const pending = records.filter((record) => hasPreview(record.path)).map((record) => record.uid);
          if (!options.previews || !pending.length) return records;
          service.previews.start();
          await service.previews.waitFor(registry.projectId, pending);
          return records.map((record) => registry.get(record.uid) ?? record);
        };

        const [only] = files;
        if (files.length === 1 && only && !('folder' in only) && !('error' in only)) {
          const result = await registerOne(only);
          const [record] = await withPreviews([result.record]);
          const asset = registry.serialize(record as AssetRecord);
          const { resources } = result;
          if (wantsJson(options))
            printJson({
              ok: true,
              asset_id: asset.id,
              created: result.created,
              asset,
              ...(resources ? { resources } : {}),
            });
          else
            process.stdout.write(
              `${result.created ? 'registered' : 'already registered, metadata merged'}\n${describeAsset(asset)}\n` +
                (resources?.copied.map((rel) => `copied with it: ${rel}\n`).join('') ?? '') +
                (resources?.not_copied.map((n) => `not copied: ${n.uri}: ${n.reason}\n`).join('') ?? ''),
            );
          return;
        }

        // Several: each on its own, so one that fails does not stop the others.
        const bar = countBar('files');
        const outcomes: Array<
          { path: string; created: boolean; record: AssetRecord } | { path: string; error: unknown }
        > = [];
        for (const [i, file] of files.entries()) {
          try {
            const result = await registerOne(file);
            outcomes.push({ path: file.path, created: result.created, record: result.record });
          } catch (error) {
            outcomes.push({ path: file.path, error });
          }
          bar.update(i + 1, files.length);
        }
        bar.stop();
        const registered = await withPreviews(outcomes.flatMap((o) => ('record' in o ? [o.record] : [])));
        const failed = outcomes.filter((o) => 'error' in o).length;
        if (wantsJson(options)) {
          let next = 0;
          printJson({
            ok: failed === 0,
            registered: outcomes.length - failed,
            failed,
            items: outcomes.map((o) => {
              if ('error' in o) {
                const error = o.error instanceof AppError ? o.error : undefined;
                return {
                  path: o.path,
                  ok: false,
                  code: error?.code ?? 'internal_error',
                  message: o.error instanceof Error ? o.error.message : String(o.error),
                };
              }
              const asset = registry.serialize(registered[next++] as AssetRecord);
              return { path: o.path, ok: true, asset_id: asset.id, created: o.created, asset };
            }),
          });
        } else {
          for (const o of outcomes) {
            process.stdout.write(
              'error' in o
                ? `failed: ${o.path}: ${o.error instanceof Error ? o.error.message : String(o.error)}\n`
                : `${o.created ? 'registered' : 'already registered'}: ${o.path} -> ${o.record.path} (${o.record.uid})\n`,
            );
          }
          process.stdout.write(`Registered ${outcomes.length - failed} of ${outcomes.length} files.\n`);
        }
        if (failed) process.exitCode = 1;
      });
    });
}

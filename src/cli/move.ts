import { Command } from 'commander';
import { badRequest } from '../domain/errors.js';
import type { ResourcesMoved } from '../registry/model-resources.js';
import type { AssetRegistry } from '../registry/registry.js';
import { assetIds } from './asset-ref.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { undoHint } from './history.js';
import { countBar } from './progress.js';

interface MoveOptions extends CommonOptions {
  to?: string;
  path?: string;
  leaveResources?: boolean;
}

/** The lines saying what became of the files the moved models name. */
function resourceLines(registry: AssetRegistry, resources: ResourcesMoved | undefined): string {
  if (!resources) return '';
  const pathOf = (id: string): string => registry.get(id)?.path ?? id;
  return (
    resources.moved.map((m) => `moved with ${pathOf(m.model)}: ${m.path}\n`).join('') +
    resources.not_moved.map((n) => `left by ${pathOf(n.model)}: ${n.uri}: ${n.reason}\n`).join('')
  );
}

export function moveCommand(): Command {
  return withCommonOptions(new Command('move'))
    .description(
      'move assets into a folder (POST /api/assets/move), or move or rename one (POST /api/assets/{id}/move); ' +
        'ids, metadata and previews are kept, and a file already at a target is never overwritten',
    )
    .argument('<ids...>', 'asset ids or paths (under the assets root, or file paths under it)')
    .option('--to <folder>', 'the folder to move them into (relative to the assets root), names kept')
    .option('--path <path>', "one asset's new path (relative to the assets root, same extension)")
    .option(
      '--leave-resources',
      'move 3D models alone: by default a model moved to another folder takes along the files it names ' +
        'inside its folder (buffers, textures, .mtl) when no model that stays uses them',
    )
    .action(async (given: string[], options: MoveOptions) => {
      if ((options.to === undefined) === (options.path === undefined))
        throw badRequest('Say where to: --to <folder> for the assets given, or --path <new path> for one.');
      await withService(options, async (service) => {
        const registry = service.project();
        const ids = assetIds(registry, service.paths.assetsRoot, given);
        if (options.path !== undefined) {
          if (ids.length !== 1)
            throw badRequest(`--path renames one asset; ${ids.length} were given. Use --to <folder>.`);
          const [id] = ids as [string];
          const from = registry.require(id).path;
          const { record, changeId, resources } = await registry.move(id, options.path, {
            leaveResources: options.leaveResources,
          });
          if (wantsJson(options))
            printJson({
              ok: true,
              asset: registry.serialize(record),
              change_id: changeId,
              ...(resources ? { resources } : {}),
            });
          else
            process.stdout.write(
              `moved ${id}: ${from} → ${record.path}\n${resourceLines(registry, resources)}${undoHint([changeId])}`,
            );
          return;
        }
        const destination = registry.folderDestination(options.to ?? '');
        const bar = wantsJson(options) ? undefined : countBar('assets');
        const { changeId, ...report } = await registry.moveMany(
          ids,
          destination,
          `Move to ${destination.folder}`,
          (done, total) => bar?.update(done, total),
          { leaveResources: options.leaveResources },
        );
        bar?.stop();
        if (wantsJson(options))
          printJson({ ok: !report.missing.length && !report.failed.length, ...report, change_id: changeId });
        else {
          process.stdout.write(
            `moved ${report.moved.length} assets` +
              (report.unchanged.length ? ` (${report.unchanged.length} already there)` : '') +
              '\n' +
              report.failed.map((f) => `not moved: ${f.id} (${f.path}): ${f.message}\n`).join('') +
              report.missing.map((id) => `not found: ${id}\n`).join('') +
              resourceLines(registry, report.resources) +
              undoHint([changeId]),
          );
        }
        // What could not be done makes the exit code 1, as for remove.
        if (report.missing.length || report.failed.length) process.exitCode = 1;
      });
    });
}

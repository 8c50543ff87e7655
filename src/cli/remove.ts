import { Command } from 'commander';
import { assetIds } from './asset-ref.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { removalReport } from '../registry/registry.js';
import { removalSummary } from '../domain/changes.js';
import { undoHint } from './history.js';
import { countBar } from './progress.js';

interface RemoveOptions extends CommonOptions {
  deleteFile?: boolean;
}

export function removeCommand(): Command {
  return withCommonOptions(new Command('remove'))
    .description(
      'remove assets from the registry (DELETE /api/assets/{id}, or POST /api/assets/remove for several); ' +
        'their files stay unless --delete-file',
    )
    .argument('<ids...>', 'asset ids or paths (under the assets root, or file paths under it)')
    .option('--delete-file', 'also delete the files from the assets root')
    .action(async (given: string[], options: RemoveOptions) => {
      await withService(options, async (service) => {
        const registry = service.project();
        const ids = assetIds(registry, service.paths.assetsRoot, given);
        const deleteFile = Boolean(options.deleteFile);
        if (ids.length === 1) {
          const [id] = ids as [string];
          const result = await registry.remove(id, { deleteFile });
          const out = {
            ok: true,
            removed: true,
            id,
            file_deleted: result.fileDeleted,
            ...(result.fileKeptReason ? { file_kept_reason: result.fileKeptReason } : {}),
            change_id: result.changeId,
          };
          if (wantsJson(options)) printJson(out);
          else
            process.stdout.write(
              `removed ${id}${result.fileDeleted ? ' and its file' : ''}\n${undoHint([result.changeId])}`,
            );
          return;
        }
        const bar = wantsJson(options) ? undefined : countBar('assets');
        const report = removalReport(
          await registry.removeMany(
            ids,
            {
              deleteFiles: deleteFile,
              change: { kind: 'remove', subject: 'record', summary: removalSummary(ids.length) },
            },
            (done, total) => bar?.update(done, total),
          ),
        );
        bar?.stop();
        if (wantsJson(options)) {
          printJson({ ok: !report.missing.length, ...report });
        } else {
          process.stdout.write(
            `removed ${report.removed} assets${deleteFile ? ` (${report.files_deleted} files deleted)` : ''}\n` +
              report.missing.map((id) => `not found: ${id}\n`).join('') +
              report.files_kept.map((k) => `file kept for ${k.id}: ${k.reason}\n`).join('') +
              undoHint([report.change_id]),
          );
        }
        // Like register with several paths: what could not be done makes the exit code 1.
        if (report.missing.length) process.exitCode = 1;
      });
    });
}

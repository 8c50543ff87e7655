import { Command } from 'commander';
import { assetIds } from './asset-ref.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { removalReport, removedFileReport } from '../registry/registry.js';
import { removalSummary } from '../domain/changes.js';
import { undoHint } from './history.js';
import { countBar } from './progress.js';

interface RemoveOptions extends CommonOptions {
  deleteFile?: boolean;
  /** false with --no-trash */
  trash: boolean;
}

export function removeCommand(): Command {
  return withCommonOptions(new Command('remove'))
    .description(
      'remove assets from the registry (DELETE /api/assets/{id}, or POST /api/assets/remove for several); ' +
        'their files stay unless --delete-file',
    )
    .argument('<ids...>', 'asset ids or paths (under the assets root, or file paths under it)')
    .option(
      '--delete-file',
      'also delete the files from the assets root (into its trash, .trash, until emptied: `undo` brings them back)',
    )
    .option(
      '--no-trash',
      'with --delete-file: delete the files for good, not into the trash (undo cannot bring them back)',
    )
    .action(async (given: string[], options: RemoveOptions) => {
      await withService(options, async (service) => {
        const registry = service.project();
        const ids = assetIds(registry, service.paths.assetsRoot, given);
        const deleteFile = Boolean(options.deleteFile);
        if (ids.length === 1) {
          const [id] = ids as [string];
          const result = await registry.remove(id, { deleteFile, trash: options.trash });
          const out = {
            ok: true,
            removed: true,
            id,
            ...removedFileReport(result),
            change_id: result.changeId,
          };
          const file = result.trashed
            ? `; its file is in the trash: ${result.trashed}`
            : result.fileDeleted
              ? ' and deleted its file'
              : '';
          if (wantsJson(options)) printJson(out);
          else
            process.stdout.write(
              `removed ${id}${file}\n` +
                (result.fileKeptReason ? `file kept: ${result.fileKeptReason}\n` : '') +
                undoHint([result.changeId]),
            );
          return;
        }
        const bar = wantsJson(options) ? undefined : countBar('assets');
        const report = removalReport(
          await registry.removeMany(
            ids,
            {
              deleteFiles: deleteFile,
              trash: options.trash,
              change: { kind: 'remove', subject: 'record', summary: removalSummary(ids.length, deleteFile) },
            },
            (done, total) => bar?.update(done, total),
          ),
        );
        bar?.stop();
        if (wantsJson(options)) {
          printJson({ ok: !report.missing.length, ...report });
        } else {
          process.stdout.write(
            `removed ${report.removed} assets` +
              (deleteFile
                ? ` (${report.files_deleted} files deleted${report.trash ? `, kept in ${report.trash}` : ''})`
                : '') +
              '\n' +
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

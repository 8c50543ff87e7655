import { Command } from 'commander';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
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
    .argument('<ids...>', 'asset ids')
    .option('--delete-file', 'also delete the files from the assets root')
    .action(async (ids: string[], options: RemoveOptions) => {
      await withService(options, async (service) => {
        const registry = service.project();
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
          };
          if (wantsJson(options)) printJson(out);
          else process.stdout.write(`removed ${id}${result.fileDeleted ? ' and its file' : ''}\n`);
          return;
        }
        const bar = wantsJson(options) ? undefined : countBar('assets');
        const { removed, missing } = await registry.removeMany(
          ids,
          { deleteFiles: deleteFile },
          (done, total) => bar?.update(done, total),
        );
        bar?.stop();
        const filesKept = removed.flatMap((r) =>
          r.fileKeptReason ? [{ id: r.uid, reason: r.fileKeptReason }] : [],
        );
        const filesDeleted = removed.filter((r) => r.fileDeleted).length;
        if (wantsJson(options)) {
          printJson({
            ok: !missing.length,
            removed: removed.length,
            missing,
            files_deleted: filesDeleted,
            files_kept: filesKept,
          });
        } else {
          process.stdout.write(
            `removed ${removed.length} assets${deleteFile ? ` (${filesDeleted} files deleted)` : ''}\n` +
              missing.map((id) => `not found: ${id}\n`).join('') +
              filesKept.map((k) => `file kept for ${k.id}: ${k.reason}\n`).join(''),
          );
        }
        // Like register with several paths: what could not be done makes the exit code 1.
        if (missing.length) process.exitCode = 1;
      });
    });
}

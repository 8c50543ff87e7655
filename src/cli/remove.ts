import { Command } from 'commander';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';

interface RemoveOptions extends CommonOptions {
  deleteFile?: boolean;
}

export function removeCommand(): Command {
  return withCommonOptions(new Command('remove'))
    .description(
      'remove an asset from the registry (DELETE /api/assets/{id}); the file stays unless --delete-file',
    )
    .argument('<id>', 'asset id')
    .option('--delete-file', 'also delete the file from the assets root')
    .action(async (id: string, options: RemoveOptions) => {
      await withService(options, async (service) => {
        const result = await service.project().remove(id, { deleteFile: Boolean(options.deleteFile) });
        const out = {
          ok: true,
          removed: true,
          id,
          file_deleted: result.fileDeleted,
          ...(result.fileKeptReason ? { file_kept_reason: result.fileKeptReason } : {}),
        };
        if (wantsJson(options)) printJson(out);
        else process.stdout.write(`removed ${id}${result.fileDeleted ? ' and its file' : ''}\n`);
      });
    });
}

/**
 * `trash` and `trash empty`: the files deleted through the registry, kept so that their removal
 * can be undone (GET and DELETE /api/trash; see files/trash.ts).
 */
import { Command } from 'commander';
import { TRASH_DIR } from '../files/trash.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { wholeNumber } from './filters.js';

interface EmptyOptions extends CommonOptions {
  olderThan?: string;
}

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const files = (n: number): string => `${n} file${n === 1 ? '' : 's'}`;

function emptyCommand(): Command {
  return withCommonOptions(new Command('empty'))
    .description(
      'delete the trashed files for good (DELETE /api/trash): their removals can no longer be undone',
    )
    .option('--older-than <days>', 'only batches deleted more than this many days ago')
    .action(async (options: EmptyOptions) => {
      const days =
        options.olderThan === undefined
          ? undefined
          : wholeNumber('older-than', options.olderThan, 0, 100_000);
      await withService(options, (service) => {
        const emptied = service.trash.empty(days);
        if (wantsJson(options)) printJson({ ok: true, ...emptied });
        else
          process.stdout.write(
            `deleted ${files(emptied.files)} (${megabytes(emptied.bytes)}) from the trash\n`,
          );
        return Promise.resolve();
      });
    });
}

export function trashCommand(): Command {
  return withCommonOptions(new Command('trash'))
    .description(
      `the files deleted through the registry, kept in ${TRASH_DIR} under the assets root so that ` +
        '`undo` can bring them back (GET /api/trash)',
    )
    .addCommand(emptyCommand())
    .action(async (options: CommonOptions) => {
      await withService(options, (service) => {
        const { trash } = service;
        const batches = trash.list();
        if (wantsJson(options)) {
          printJson({
            ok: true,
            keep_days: trash.keepDays,
            batches: batches.map((b) => ({
              name: b.name,
              change_id: b.changeId,
              deleted_at: b.deletedAt,
              files: b.files,
              bytes: b.bytes,
            })),
          });
          return Promise.resolve();
        }
        const total = batches.reduce((n, b) => n + b.files, 0);
        const bytes = batches.reduce((n, b) => n + b.bytes, 0);
        process.stdout.write(
          `${files(total)} (${megabytes(bytes)}) in ${trash.root}, each kept ${trash.keepDays} days\n` +
            batches
              .map(
                (b) =>
                  `${b.deletedAt}  ${files(b.files).padStart(10)}  ${megabytes(b.bytes).padStart(10)}  ` +
                  `${b.changeId === null ? '' : `change #${b.changeId}  `}${b.name}\n`,
              )
              .join('') +
            (total ? 'Undo a removal to bring its files back; `trash empty` deletes them for good.\n' : ''),
        );
        return Promise.resolve();
      });
    });
}

/**
 * `trash` and `trash empty`: the files deleted through the registry, kept so that their removal
 * can be undone (GET and DELETE /api/trash; see files/trash.ts).
 */
import { Command } from 'commander';
import { TRASH_DIR, trashListing } from '../files/trash.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { wholeNumber } from './filters.js';
import { AppError } from '../domain/errors.js';

interface EmptyOptions extends CommonOptions {
  olderThan?: string;
  batch?: string;
}

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const files = (n: number): string => `${n} file${n === 1 ? '' : 's'}`;

function emptyCommand(): Command {
  return withCommonOptions(new Command('empty'))
    .description(
      'delete the trashed files for good (DELETE /api/trash): their removals can no longer be undone',
    )
    .option('--older-than <days>', 'only batches deleted more than this many days ago')
    .option('--batch <name>', 'only this batch (one removal; `trash` lists them)')
    .action(async (options: EmptyOptions) => {
      const days =
        options.olderThan === undefined
          ? undefined
          : wholeNumber('older-than', options.olderThan, 0, 100_000);
      await withService(options, (service) => {
        const emptied =
          options.batch === undefined ? service.trash.empty(days) : service.trash.emptyBatch(options.batch);
        if (!emptied)
          throw new AppError(
            404,
            'trash_batch_not_found',
            `No batch ${JSON.stringify(options.batch)} in the trash: \`trash\` lists them.`,
          );
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
        const listing = trashListing(service.trash);
        if (wantsJson(options)) {
          printJson({ ok: true, ...listing });
          return Promise.resolve();
        }
        process.stdout.write(
          `${files(listing.files)} (${megabytes(listing.bytes)}) in ${service.trash.root}, each kept ${listing.keep_days} days\n` +
            listing.batches
              .map(
                (b) =>
                  `${b.deleted_at}  ${files(b.files).padStart(10)}  ${megabytes(b.bytes).padStart(10)}  ` +
                  `${b.change_id === null ? '' : `change #${b.change_id}  `}${b.name}\n`,
              )
              .join('') +
            (listing.files
              ? 'Undo a removal to bring its files back; `trash empty` deletes them for good.\n'
              : ''),
        );
        return Promise.resolve();
      });
    });
}

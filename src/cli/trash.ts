/**
 * `trash`, `trash empty` and `trash restore`: the files deleted through the registry, kept so that
 * their removal can be undone (GET and DELETE /api/trash; see files/trash.ts), and the orphaned
 * sidecars enforce took away, put back on request.
 */
import { Command } from 'commander';
import { TRASH_DIR, trashBatchNotFound, trashListing } from '../files/trash.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { wholeNumber } from './filters.js';

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
        if (!emptied) throw trashBatchNotFound(options.batch);
        if (wantsJson(options)) printJson({ ok: true, ...emptied });
        else
          process.stdout.write(
            `deleted ${files(emptied.files)} (${megabytes(emptied.bytes)}) from the trash\n`,
          );
        return Promise.resolve();
      });
    });
}

function restoreCommand(): Command {
  return withCommonOptions(new Command('restore'))
    .description(
      'put a batch of orphaned sidecars back where they were, each where no file is now ' +
        '(POST /api/trash/{name}/restore); a removal comes back by `undo` of its change',
    )
    .argument('<batch>', 'the batch (`trash` lists them)')
    .action(async (batch: string, options: CommonOptions) => {
      await withService(options, async (service) => {
        const { restored, kept } = await service.restoreOrphans(batch);
        if (wantsJson(options)) printJson({ ok: kept.length === 0, name: batch, restored, kept });
        else {
          process.stdout.write(`put back ${files(restored.length)}\n`);
          for (const k of kept) process.stdout.write(`kept in the trash: ${k.path}: ${k.reason}\n`);
        }
        if (kept.length) process.exitCode = 4; // (as a conflict: a file is where one would go)
      });
    });
}

/** What made a batch, as the listing says it before its name. */
const batchLabel = (b: { kind: string; change_id: number | null }): string =>
  b.kind === 'removal'
    ? `change #${b.change_id}  `
    : b.kind === 'orphaned_sidecars'
      ? 'orphaned sidecars  '
      : '';

export function trashCommand(): Command {
  return withCommonOptions(new Command('trash'))
    .description(
      `the files deleted through the registry, kept in ${TRASH_DIR} under the assets root so that ` +
        '`undo` can bring them back (GET /api/trash)',
    )
    .addCommand(emptyCommand())
    .addCommand(restoreCommand())
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
                  `${batchLabel(b)}${b.name}\n`,
              )
              .join('') +
            (listing.files
              ? 'Undo a removal to bring its files back (`trash restore <batch>` for orphaned sidecars); ' +
                '`trash empty` deletes them for good.\n'
              : ''),
        );
        return Promise.resolve();
      });
    });
}

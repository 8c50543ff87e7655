import { Command, Option } from 'commander';
import { logger } from '../logging.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { rebuildBar } from './progress.js';

interface RebuildOptions extends CommonOptions {
  removeStale: boolean;
  waitForThumbs: boolean;
  assetsDir?: string;
  thumbsDir?: string;
  thumbWait: boolean;
  verbose?: boolean;
}

/**
 * The earlier implementation's rebuild wrappers named some flags differently (reference §7.2,
 * §7.3): scripts written for them run unchanged. `--assets-dir` and `--thumbs-dir` stand for
 * `--assets-root` and `--thumbs-root`; naming one folder twice, differently, is an error.
 */
function applyReferenceNames(command: Command): void {
  const options = command.opts<RebuildOptions>();
  for (const [alias, name, aliasFlag, flag] of [
    ['assetsDir', 'assetsRoot', '--assets-dir', '--assets-root'],
    ['thumbsDir', 'thumbsRoot', '--thumbs-dir', '--thumbs-root'],
  ] as const) {
    const value = options[alias];
    if (value === undefined) continue;
    if (command.getOptionValueSource(name) === 'cli' && options[name] !== value) {
      command.error(`error: ${aliasFlag} and ${flag} name different folders: give one of them`, {
        exitCode: 2,
      });
    }
    command.setOptionValueWithSource(name, value, 'cli');
  }
}

export function rebuildCommand(): Command {
  return withCommonOptions(new Command('rebuild'))
    .description(
      'scan the assets root and bring the registry, sidecars and previews in line with it; exits 1 ' +
        'while problems remain (files kept missing by --no-remove-stale aside)',
    )
    .option('--no-remove-stale', 'keep records whose file is gone (they are reported)')
    .option('--no-wait-for-thumbs', 'do not wait for the previews to be made')
    .option('--verbose', 'list every problem file (not only the first 20) and log debug messages')
    .option('--assets-dir <dir>', 'same as --assets-root (the name the reference wrapper used)')
    .option('--thumbs-dir <dir>', 'same as --thumbs-root (the name the reference wrapper used)')
    .option('--no-thumb-wait', 'same as --no-wait-for-thumbs (the name the reference module used)')
    .addOption(new Option('--from-disk', 'accepted for scripts written for the reference module').hideHelp())
    .hook('preAction', applyReferenceNames)
    .action(async (options: RebuildOptions) => {
      if (options.verbose) logger.level = 'debug';
      await withService(options, async (service) => {
        const bar = rebuildBar();
        const summary = await service
          .project()
          .rebuild({
            removeStale: options.removeStale,
            waitForThumbs: options.waitForThumbs && options.thumbWait,
            onProgress: bar.update,
            ...(options.verbose ? { problemLimit: Number.POSITIVE_INFINITY } : {}),
          })
          .finally(() => bar.stop());
        if (wantsJson(options)) printJson({ ok: true, summary });
        else {
          process.stdout.write(
            `Processed ${summary.processed} assets (${summary.skipped} skipped, ${summary.removed} removed) in ${summary.seconds} s: ` +
              `${summary.created} new, ${summary.updated} changed, ${summary.moved} moved, ${summary.unchanged} unchanged.\n` +
              `Orphaned sidecars: ${summary.orphaned_sidecars}. Missing thumbnails: ${summary.missing_thumbnails}.\n`,
          );
          // (As the reference logged them: the first ten, and what to do.)
          for (const rel of summary.orphaned_sidecar_paths)
            process.stdout.write(`Orphaned sidecar without matching asset: ${rel}\n`);
          if (summary.orphaned_sidecars)
            process.stdout.write('`enforce --remove-orphans` moves orphaned sidecars into the trash.\n');
        }
        // (A problem of the whole root, such as an empty one, names no path.)
        for (const p of summary.problems)
          process.stderr.write(`problem: ${p.path ? `${p.path}: ` : ''}${p.error}\n`);
        const unlisted = summary.problems_total - summary.problems.length;
        if (unlisted > 0)
          process.stderr.write(`… and ${unlisted} more problems (--verbose lists them all)\n`);
        // The registry is not in line with the tree while a problem remains (a file skipped, a
        // sidecar or folder not read, a path moved as it was read): a script must notice. Files
        // kept missing because the user asked (`--no-remove-stale`) are reported, not a failure.
        if (summary.problems_total > summary.missing_files) process.exitCode = 1;
      });
    });
}

import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import { logger } from '../logging.js';
import type { RebuildProgress } from '../registry/rebuild.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';

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

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/** A bar for files and bytes with rate and ETA; on a non-terminal, a line every few seconds. */
function progressBar(): { update: (p: RebuildProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      format: '{phase} |{bar}| {value}/{total} files | {done}/{all} MB | {rate} MB/s | ETA {eta_formatted}',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    update(p) {
      const payload = {
        phase: p.phase.padEnd(8),
        done: mb(p.bytes_done),
        all: mb(p.bytes_total),
        rate: (p.bytes_done / 1024 / 1024 / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1),
      };
      if (!running) {
        bar.start(Math.max(1, p.files_total), p.files_done, payload);
        running = true;
      }
      bar.setTotal(Math.max(1, p.files_total));
      bar.update(p.files_done, payload);
    },
    stop: () => bar.stop(),
  };
}

export function rebuildCommand(): Command {
  return withCommonOptions(new Command('rebuild'))
    .description('scan the assets root and bring the registry, sidecars and previews in line with it')
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
        const bar = progressBar();
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
        }
        for (const p of summary.problems) process.stderr.write(`problem: ${p.path}: ${p.error}\n`);
        if (summary.skipped) process.exitCode = 1;
      });
    });
}

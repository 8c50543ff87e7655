/**
 * `previews`: the preview queue (GET /api/previews): its counts, the project's failed previews with
 * their reasons and its 3D models lacking files they name; `--retry-failed` queues those again and `--make` makes what is queued or missing
 * in this process, with a progress bar (what `rebuild --no-wait-for-thumbs` left for later). Exits
 * 1 while previews of the project have failed (or `--make` ran out of time), so a pipeline can
 * stop on a file nobody can see.
 */
import { Command } from 'commander';
import { logger } from '../logging.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { wholeNumber } from './filters.js';
import { countBar } from './progress.js';

interface PreviewsOptions extends CommonOptions {
  retryFailed?: boolean;
  make?: boolean;
  timeout: string;
  limit: string;
}

const plural = (n: number, noun: string): string => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;

export function previewsCommand(): Command {
  return withCommonOptions(new Command('previews'))
    .description(
      "the preview queue: counts and the project's failed previews with their reasons; exits 1 while some have failed",
    )
    .option('--retry-failed', 'queue the failed previews again (made by a running server, or with --make)')
    .option('--make', 'make the queued and missing previews now, in this process, with a progress bar')
    .option('--timeout <seconds>', 'with --make: stop waiting after this long', '600')
    .option('--limit <n>', 'how many failures to list (the latest)', '20')
    .action(async (options: PreviewsOptions) => {
      const limit = wholeNumber('limit', options.limit, 0, 1_000_000);
      const timeoutS = wholeNumber('timeout', options.timeout, 1, 7 * 24 * 3600);
      await withService(options, async (service) => {
        const registry = service.project();
        const { store } = service;
        const retried = options.retryFailed ? registry.requeuePreviews([], true) : 0;
        let finished = true;
        if (options.make) {
          // Each failure is listed at the end: not logged as well, between the bar's redraws.
          if (!process.env.LOG_LEVEL) logger.level = 'error';
          const bar = countBar('previews');
          const show = (): void => {
            const counts = store.previewCounts();
            const done = service.previews.currentWave()?.finished ?? 0;
            bar.update(done, done + counts.queued + counts.running);
          };
          const ticker = setInterval(show, 250);
          try {
            service.previews.start();
            finished = await service.previews.idle(timeoutS * 1000);
            await registry.context.sidecars.idle(); // the sidecars that record them
            show();
          } finally {
            clearInterval(ticker);
            bar.stop();
          }
        }
        const counts = store.previewCounts();
        const failedTotal = store.failedPreviewCount(registry.projectId);
        const failed = store.failedPreviews(limit, registry.projectId).map((job) => ({
          uid: job.uid,
          path: job.path,
          error: job.error,
          updated_at: job.updated_at,
        }));
        const left = counts.queued + counts.running;
        const lacking = registry.modelsMissingFiles(limit);
        if (wantsJson(options)) {
          printJson({
            ok: true,
            project_id: registry.projectId,
            counts,
            pictures_to_read: store.picturesToRead(),
            failed_total: failedTotal,
            failed,
            missing_files: lacking,
            ...(options.retryFailed ? { retried } : {}),
            ...(options.make ? { finished } : {}),
          });
        } else {
          const lines = [
            `Queue: ${counts.queued} queued, ${counts.running} running, ${counts.done} made, ${counts.failed} failed.`,
          ];
          if (options.retryFailed) lines.push(`Queued ${plural(retried, 'failed preview')} again.`);
          if (!finished)
            lines.push(
              `Stopped waiting after ${timeoutS} s with ${plural(left, 'preview')} left: a running server makes them, or run this again.`,
            );
          if (failedTotal) {
            lines.push(`${plural(failedTotal, 'preview')} of project ${registry.projectId} failed:`);
            for (const f of failed)
              lines.push(`  ${f.path ?? `${f.uid} (removed)`}: ${f.error ?? 'no reason given'}`);
            if (failedTotal > failed.length)
              lines.push(`  … and ${failedTotal - failed.length} more (--limit)`);
            lines.push(
              'Fix or replace the files (a rebuild queues changed files again), or retry: previews --retry-failed --make',
            );
          }
          if (lacking.total) {
            lines.push(
              `3D models of project ${registry.projectId} lacking files they name: ${lacking.total}`,
            );
            for (const m of lacking.items) lines.push(`  ${m.path}: ${m.missing.join(', ')}`);
            if (lacking.total > lacking.items.length)
              lines.push(`  … and ${lacking.total - lacking.items.length} more (--limit)`);
            lines.push('Put each file back beside its model and rebuild, or move the model to its files.');
          }
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        // (A model lacking files is listed, not a failure: its facts were read.)
        if (failedTotal || !finished) process.exitCode = 1;
      });
    });
}

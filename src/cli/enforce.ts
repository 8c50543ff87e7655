import { Command } from 'commander';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { countBar } from './progress.js';

interface EnforceCliOptions extends CommonOptions {
  fixMissing?: boolean;
  overwrite?: boolean;
  fillMetadata?: boolean;
  removeOrphans?: boolean;
}

export function enforceCommand(): Command {
  return withCommonOptions(new Command('enforce'))
    .description(
      'audit sidecars and metadata (a dry run unless a fix flag is given); exits 1 while problems remain',
    )
    .option('--fix-missing', 'write missing sidecars')
    .option('--overwrite', 'rewrite sidecars that are unparseable or disagree with the registry')
    .option('--fill-metadata', 'fill empty tags from folders and a missing licence with "unknown"')
    .option(
      '--remove-orphans',
      'move the sidecars beside no file (and named by no asset) into the trash under the assets root',
    )
    .action(async (options: EnforceCliOptions) => {
      await withService(options, async (service) => {
        const bar = countBar('assets checked');
        const report = await service
          .project()
          .enforce({
            fixMissing: Boolean(options.fixMissing),
            overwrite: Boolean(options.overwrite),
            fillMetadata: Boolean(options.fillMetadata),
            removeOrphans: Boolean(options.removeOrphans),
            onProgress: bar.update,
          })
          .finally(() => bar.stop());
        if (wantsJson(options)) printJson({ ok: true, report });
        else {
          const lines = [
            report.missing_sidecars.length
              ? `Assets still missing sidecars: ${report.missing_sidecars.join(', ')}`
              : 'All assets have sidecars.',
            ...report.invalid_sidecars.map((s) => `Unparseable sidecar for ${s.uid}: ${s.error}`),
            ...report.mismatched_sidecars.map(
              (s) => `Sidecar of ${s.uid} disagrees with the registry (${s.fields.join(',')})`,
            ),
            ...report.metadata_missing.map((m) => `Metadata missing for ${m.uid} (${m.fields.join(',')})`),
            ...report.missing_files.map((uid) => `File of ${uid} missing from its path (run a rebuild)`),
            ...report.orphaned_sidecars.map((rel) => `Orphaned sidecar (beside no file): ${rel}`),
          ];
          const orphans = report.removed_orphans.length;
          if (orphans)
            lines.push(
              report.orphans_trash
                ? `Moved ${orphans} orphaned sidecar(s) to ${report.orphans_trash}`
                : `Deleted ${orphans} orphaned sidecar(s) (the trash is off)`,
            );
          if (report.repaired_sidecars.length)
            lines.push(`Repaired sidecars for: ${report.repaired_sidecars.join(', ')}`);
          if (report.metadata_fixed.length)
            lines.push(`Repaired metadata for: ${report.metadata_fixed.join(', ')}`);
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        const problems =
          report.missing_sidecars.length +
          report.invalid_sidecars.length +
          report.mismatched_sidecars.length +
          report.metadata_missing.length +
          report.missing_files.length +
          report.orphaned_sidecars.length;
        if (problems) process.exitCode = 1;
      });
    });
}

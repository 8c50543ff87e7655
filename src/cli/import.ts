import path from 'node:path';
import { Command } from 'commander';
import { importZip } from '../registry/import.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { countBar } from './progress.js';

interface ImportOptions extends CommonOptions {
  dest: string;
}

export function importCommand(): Command {
  return withCommonOptions(new Command('import'))
    .description(
      'unpack a zip of assets (an export, a pack) into the assets root and register them with the ' +
        'sidecars in it (POST /api/assets/import); a file already there is never overwritten',
    )
    .argument('<zip>', 'the zip file')
    .option('--dest <folder>', 'the folder under the assets root to unpack into (default: the top)', '')
    .action(async (zipFile: string, options: ImportOptions) => {
      await withService(options, async (service) => {
        const bar = wantsJson(options) ? undefined : countBar('files');
        const report = await importZip(
          service.project(),
          path.resolve(zipFile),
          options.dest,
          (done, total) => bar?.update(done, total),
        );
        bar?.stop();
        if (wantsJson(options)) printJson({ ok: true, ...report });
        else
          process.stdout.write(
            `imported ${report.imported.length} assets from ${zipFile}\n` +
              report.existing.map((p) => `already there, left as it is: ${p}\n`).join('') +
              report.skipped.map((s) => `left out: ${s.name} (${s.reason})\n`).join(''),
          );
      });
    });
}

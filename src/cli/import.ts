import path from 'node:path';
import { Command } from 'commander';
import { importZip, type ImportProgress } from '../registry/import.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { undoHint } from './history.js';
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
        // One bar per phase: the files unpacked, then those registered.
        let phase: ImportProgress['phase'] | undefined;
        let bar: ReturnType<typeof countBar> | undefined;
        const report = await importZip(service.project(), path.resolve(zipFile), options.dest, (p) => {
          if (wantsJson(options)) return;
          if (p.phase !== phase) {
            bar?.stop();
            phase = p.phase;
            bar = countBar(`files ${p.phase === 'unpacking' ? 'unpacked' : 'registered'}`);
          }
          bar?.update(p.files_done, p.files_total);
        });
        bar?.stop();
        if (wantsJson(options)) printJson({ ok: true, ...report });
        else
          process.stdout.write(
            `imported ${report.imported.length} assets from ${zipFile}\n` +
              report.existing.map((p) => `already there, left as it is: ${p}\n`).join('') +
              report.skipped.map((s) => `left out: ${s.name} (${s.reason})\n`).join('') +
              undoHint([report.change_id]),
          );
      });
    });
}

import path from 'node:path';
import { Command, Option } from 'commander';
import { writeFileAtomic } from '../files/atomic-write.js';
import { CREDITS_FORMATS, creditsSheet, type CreditsFormat } from '../registry/credits.js';
import { checkOut, withCommonOptions, withService, type CommonOptions } from './common.js';
import { filterInput, resolveAssetRefs, withFilterOptions, type FilterOptions } from './filters.js';

interface CreditsOptions extends CommonOptions, FilterOptions {
  format: CreditsFormat;
  out?: string;
  force?: boolean;
}

export function creditsCommand(): Command {
  return withFilterOptions(withCommonOptions(new Command('credits')))
    .description(
      'a credits sheet of the assets the filters find (GET /api/assets/credits): licence, path, title, ' +
        'origin, id and hash, licensed assets first by licence, those without one last',
    )
    .addOption(
      new Option('--format <format>', 'csv or md (Markdown)').choices(CREDITS_FORMATS).default('csv'),
    )
    .option('--out <file>', 'write it to this file (by default: standard output)')
    .option('--force', 'replace the file if it exists')
    .action(async (options: CreditsOptions) => {
      const out = options.out && path.resolve(options.out);
      if (out) checkOut(out, options.out as string, options.force);
      await withService(options, async (service) => {
        const registry = service.project();
        const input = resolveAssetRefs(filterInput(options), registry, service.paths.assetsRoot);
        const { sheet, assets } = await creditsSheet(registry, input, options.format);
        if (!out) return void process.stdout.write(sheet);
        await writeFileAtomic(out, sheet);
        process.stderr.write(`wrote the credits of ${assets} assets to ${options.out}\n`);
      });
    });
}

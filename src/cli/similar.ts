import { Command } from 'commander';
import {
  DEFAULT_LIMIT,
  DEFAULT_MAX_DISTANCE,
  MAX_DISTANCE,
  MAX_LIMIT,
  similarReport,
} from '../registry/similar.js';
import { requireAssetId } from './asset-ref.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { wholeNumber } from './filters.js';
import { assetLine } from './format.js';

interface SimilarOptions extends CommonOptions {
  maxDistance: string;
  limit: string;
}

export function similarCommand(): Command {
  return withCommonOptions(new Command('similar'))
    .description(
      'pictures that look like this one: resized, re-encoded or retouched copies (GET /api/assets/{id}/similar)',
    )
    .argument('<id-or-path>', 'asset id, or its path under the assets root (or a file path under it)')
    .option(
      '--max-distance <bits>',
      `how many of the fingerprint's 64 bits may differ (0-${MAX_DISTANCE}; 0: the same picture to the eye)`,
      String(DEFAULT_MAX_DISTANCE),
    )
    .option('--limit <n>', `pictures to list (1-${MAX_LIMIT})`, String(DEFAULT_LIMIT))
    .action(async (given: string, options: SimilarOptions) => {
      const maxDistance = wholeNumber('max-distance', options.maxDistance, 0, MAX_DISTANCE);
      const limit = wholeNumber('limit', options.limit, 1, MAX_LIMIT);
      await withService(options, async (service) => {
        const registry = service.project();
        const id = requireAssetId(registry, service.paths.assetsRoot, given);
        const report = similarReport(registry, service.store, id, { maxDistance, limit });
        if (wantsJson(options)) return printJson(report);
        for (const item of report.items) {
          const note = item.same_bytes ? 'same bytes' : `${item.distance} bits`;
          process.stdout.write(`${note.padStart(10)}  ${assetLine(item)}\n`);
        }
        process.stdout.write(
          report.total
            ? `Showing ${report.items.length} of ${report.total} pictures within ${maxDistance} bits.\n`
            : `No picture within ${maxDistance} bits of this one.\n`,
        );
      });
    });
}

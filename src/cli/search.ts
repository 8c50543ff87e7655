import { Command, Option } from 'commander';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import {
  filterInput,
  resolveAssetRefs,
  wholeNumber,
  withFilterOptions,
  type FilterOptions,
} from './filters.js';
import { assetLine } from './format.js';
import { SORT_FIELDS, SORT_ORDERS, type SortField, type SortOrder } from '../domain/facets.js';

interface SearchOptions extends CommonOptions, FilterOptions {
  limit: string;
  offset: string;
  sort: SortField;
  order: SortOrder;
}

export function searchCommand(): Command {
  return withFilterOptions(withCommonOptions(new Command('search')))
    .description('search assets (GET /api/assets/search); filters combine with AND')
    .option('--limit <n>', 'rows to return (1-500)', '50')
    .option('--offset <n>', 'rows to skip', '0')
    .addOption(
      new Option(
        '--sort <field>',
        'sort by (width, duration: from the preview; the assets without one last in either order)',
      )
        .choices(SORT_FIELDS)
        .default('created'),
    )
    .addOption(new Option('--order <order>', 'order').choices(SORT_ORDERS).default('desc'))
    .action(async (options: SearchOptions) => {
      const limit = wholeNumber('limit', options.limit, 1, 500);
      const offset = wholeNumber('offset', options.offset, 0, Number.MAX_SAFE_INTEGER);
      const filters = filterInput(options);
      await withService(options, async (service) => {
        const registry = service.project();
        const { total, records } = await registry.search({
          ...resolveAssetRefs(filters, registry, service.paths.assetsRoot),
          sort: options.sort,
          order: options.order,
          limit,
          offset,
        });
        const items = registry.serializeAll(records);
        if (wantsJson(options)) printJson({ ok: true, total, items });
        else {
          for (const item of items) process.stdout.write(`${assetLine(item)}\n`);
          process.stdout.write(`Showing ${items.length} of ${total} assets.\n`);
        }
      });
    });
}

import { Command } from 'commander';
import { requireAssetId } from './asset-ref.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { describeAsset } from './format.js';

export function getCommand(): Command {
  return withCommonOptions(new Command('get'))
    .description('show one asset (GET /api/assets/{id}), by its id or its path')
    .argument('<id-or-path>', 'asset id, or its path under the assets root (or a file path under it)')
    .action(async (given: string, options: CommonOptions) => {
      await withService(options, async (service) => {
        const registry = service.project();
        const id = requireAssetId(registry, service.paths.assetsRoot, given);
        const asset = registry.serialize(registry.require(id));
        if (wantsJson(options)) printJson({ ok: true, asset });
        else process.stdout.write(`${describeAsset(asset)}\n`);
      });
    });
}

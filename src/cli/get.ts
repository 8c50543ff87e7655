import { Command } from 'commander';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { describeAsset } from './format.js';

export function getCommand(): Command {
  return withCommonOptions(new Command('get'))
    .description('show one asset (GET /api/assets/{id})')
    .argument('<id>', 'asset id')
    .action(async (id: string, options: CommonOptions) => {
      await withService(options, async (service) => {
        const registry = service.project();
        const asset = registry.serialize(registry.require(id));
        if (wantsJson(options)) printJson({ ok: true, asset });
        else process.stdout.write(`${describeAsset(asset)}\n`);
      });
    });
}

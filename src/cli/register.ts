import { Command } from 'commander';
import { parseMetadataInput } from '../domain/metadata.js';
import {
  splitComma,
  wantsJson,
  withCommonOptions,
  withService,
  printJson,
  type CommonOptions,
} from './common.js';
import { describeAsset } from './format.js';

interface RegisterOptions extends CommonOptions {
  type?: string;
  dest?: string;
  tags?: string;
  license?: string;
  origin?: string;
  metadata?: string;
  copy: boolean;
  onConflict: 'error' | 'rename';
  previews: boolean;
}

export function registerCommand(): Command {
  return withCommonOptions(new Command('register'))
    .description('register a file (POST /api/assets/register): copied into the assets root unless --no-copy')
    .argument('<path>', 'file to register')
    .option('--type <type>', 'asset type: the default folder (e.g. images, audio)')
    .option('--dest <dest>', 'destination under the assets root: a folder, or a file name')
    .option('--tags <a,b>', 'comma-separated tags')
    .option('--license <license>', 'licence, e.g. CC-BY-4.0')
    .option('--origin <origin>', 'where the file comes from')
    .option('--metadata <json>', 'more metadata as a JSON object')
    .option('--no-copy', 'register in place (the file must already be under the assets root)')
    .option('--on-conflict <mode>', 'when the destination holds another file: error or rename', 'error')
    .option('--no-previews', 'do not make previews now (a running server or the next rebuild makes them)')
    .action(async (file: string, options: RegisterOptions) => {
      const metadata = parseMetadataInput(options.metadata);
      if (options.tags) metadata.tags = splitComma(options.tags);
      if (options.license) metadata.license = options.license;
      if (options.origin) metadata.origin = options.origin;
      await withService(options, async (service) => {
        const registry = service.project();
        const result = await registry.register({
          path: file,
          assetType: options.type ?? null,
          destPath: options.dest ?? null,
          metadata,
          copy: options.copy,
          onConflict: options.onConflict === 'rename' ? 'rename' : 'error',
          provenance: { source: 'cli.register' },
          cwd: process.cwd(),
        });
        let record = result.record;
        if (options.previews && record.thumb) {
          service.previews.start();
          await service.previews.waitFor(registry.projectId, [record.uid]);
          record = registry.get(record.uid) ?? record;
        }
        const asset = registry.serialize(record);
        if (wantsJson(options)) printJson({ ok: true, asset_id: record.uid, created: result.created, asset });
        else
          process.stdout.write(
            `${result.created ? 'registered' : 'already registered, metadata merged'}\n${describeAsset(asset)}\n`,
          );
      });
    });
}

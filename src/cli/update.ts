import { Command } from 'commander';
import { assetIds } from './asset-ref.js';
import { badRequest } from '../domain/errors.js';
import { parseMetadataInput } from '../domain/metadata.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { describeAsset } from './format.js';
import { undoHint } from './history.js';
import { countBar } from './progress.js';
import { splitList } from '../domain/lists.js';

interface UpdateOptions extends CommonOptions {
  metadata?: string;
  replace?: boolean;
  addTags?: string;
  removeTags?: string;
  license?: string;
  clearLicense?: boolean;
  ifVersion?: string;
}

export function updateCommand(): Command {
  return withCommonOptions(new Command('update'))
    .description('change metadata of one or more assets (PATCH /api/assets/{id}, POST /api/assets/bulk)')
    .argument('<ids...>', 'asset ids or paths (under the assets root, or file paths under it)')
    .option('--metadata <json>', 'keys to set (merged; null removes a key)')
    .option('--replace', 'with --metadata: replace the whole metadata instead of merging')
    .option('--add-tags <a,b>', 'tags to add')
    .option('--remove-tags <a,b>', 'tags to remove')
    .option('--license <license>', 'licence to apply')
    .option('--clear-license', 'remove the licence')
    .option('--if-version <n>', 'with --metadata: only if the asset is still at this version (else exit 4)')
    .action(async (given: string[], options: UpdateOptions) => {
      const addTags = splitList(options.addTags);
      const removeTags = splitList(options.removeTags);
      const license = options.clearLicense ? null : options.license;
      const bulk = addTags.length > 0 || removeTags.length > 0 || license !== undefined;
      const ifVersion = options.ifVersion === undefined ? undefined : Number(options.ifVersion);
      if (ifVersion !== undefined && !(Number.isInteger(ifVersion) && ifVersion >= 0)) {
        throw badRequest(`--if-version takes a whole number; got ${String(options.ifVersion)}`);
      }
      if (ifVersion !== undefined && !options.metadata) {
        throw badRequest('--if-version goes with --metadata (tag and licence edits apply at any version)');
      }
      if (!options.metadata && !bulk) {
        throw badRequest(
          'Nothing to update: give --metadata, --add-tags, --remove-tags, --license or --clear-license.',
        );
      }
      await withService(options, async (service) => {
        const registry = service.project();
        const ids = assetIds(registry, service.paths.assetsRoot, given);
        const changeIds: Array<number | null> = [];
        if (options.metadata) {
          const metadata = parseMetadataInput(options.metadata);
          for (const id of ids) {
            const mode = options.replace ? 'replace' : 'merge';
            changeIds.push((await registry.updateMetadata(id, metadata, mode, { ifVersion })).changeId);
          }
        }
        let missing: string[] = [];
        if (bulk) {
          const bar = countBar('assets');
          const report = await registry
            .bulkEdit(ids, { addTags, removeTags, license }, bar.update)
            .finally(() => bar.stop());
          missing = report.missing;
          changeIds.push(report.changeId);
        }
        const assets = registry.serializeAll(
          ids.filter((id) => !missing.includes(id)).map((id) => registry.require(id)),
        );
        const recorded = changeIds.filter((id) => id !== null);
        if (wantsJson(options))
          printJson({ ok: true, updated: assets.length, missing, items: assets, change_ids: recorded });
        else {
          for (const asset of assets) process.stdout.write(`${describeAsset(asset)}\n`);
          process.stdout.write(
            `Updated ${assets.length} assets.${missing.length ? ` Unknown: ${missing.join(', ')}` : ''}\n` +
              undoHint(recorded),
          );
        }
        if (missing.length) process.exitCode = 3;
      });
    });
}

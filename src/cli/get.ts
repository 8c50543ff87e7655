import path from 'node:path';
import { Command } from 'commander';
import type { AssetRecord } from '../domain/asset.js';
import { notFound } from '../domain/errors.js';
import { isInside, realpathLoose, toRelPosix } from '../files/safe-path.js';
import type { AssetRegistry } from '../registry/registry.js';
import { printJson, wantsJson, withCommonOptions, withService, type CommonOptions } from './common.js';
import { describeAsset } from './format.js';

/**
 * An asset by its id, else by its path: relative to the assets root (`images/hero.png`), or a
 * file's path from here that lies under the root (`data/assets/images/hero.png`).
 */
function findAsset(registry: AssetRegistry, assetsRoot: string, given: string): AssetRecord {
  const found =
    registry.get(given) ??
    registry.atPath(given.split(path.sep).join('/')) ??
    (isInside(realpathLoose(assetsRoot), realpathLoose(path.resolve(given)))
      ? registry.atPath(toRelPosix(realpathLoose(assetsRoot), realpathLoose(path.resolve(given))))
      : undefined);
  if (!found)
    throw notFound(`No asset has the id or the path ${given} (paths are taken under ${assetsRoot}).`);
  return found;
}

export function getCommand(): Command {
  return withCommonOptions(new Command('get'))
    .description('show one asset (GET /api/assets/{id}), by its id or its path')
    .argument('<id-or-path>', 'asset id, or its path under the assets root (or a file path under it)')
    .action(async (given: string, options: CommonOptions) => {
      await withService(options, async (service) => {
        const registry = service.project();
        const asset = registry.serialize(findAsset(registry, service.paths.assetsRoot, given));
        if (wantsJson(options)) printJson({ ok: true, asset });
        else process.stdout.write(`${describeAsset(asset)}\n`);
      });
    });
}

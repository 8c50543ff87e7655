/**
 * How the CLI's commands name an asset: by its id, or by its path, under the assets root
 * (`images/hero.png`) or as a file path from here that lies under it (`data/assets/images/hero.png`).
 */
import path from 'node:path';
import { notFound } from '../domain/errors.js';
import { isMissing } from '../files/if-there.js';
import { isInside, realpathLoose, toRelPosix } from '../files/safe-path.js';
import type { AssetRegistry } from '../registry/registry.js';

/** The real path of `p`, or undefined for a path no file can have (through a file, too long). */
function realpathOrNot(p: string): string | undefined {
  try {
    return realpathLoose(p);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** The id of the asset `given` names, or undefined when it names none. */
export function assetIdFor(registry: AssetRegistry, assetsRoot: string, given: string): string | undefined {
  if (registry.get(given)) return given;
  const root = realpathLoose(assetsRoot);
  const file = realpathOrNot(path.resolve(given));
  const found =
    registry.atPath(given.split(path.sep).join('/')) ??
    (file && isInside(root, file) ? registry.atPath(toRelPosix(root, file)) : undefined);
  return found?.uid;
}

/** The id of the asset `given` names; a 404 saying where paths are taken when it names none. */
export function requireAssetId(registry: AssetRegistry, assetsRoot: string, given: string): string {
  const id = assetIdFor(registry, assetsRoot, given);
  if (id === undefined)
    throw notFound(`No asset has the id or the path ${given} (paths are taken under ${assetsRoot}).`);
  return id;
}

/** Each of `given` as an id where it names an asset by its path; left as typed otherwise. */
export const assetIds = (registry: AssetRegistry, assetsRoot: string, given: readonly string[]): string[] =>
  given.map((g) => assetIdFor(registry, assetsRoot, g) ?? g);

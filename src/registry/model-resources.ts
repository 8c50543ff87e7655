/**
 * Which files a move of 3D models takes along. A model finds the files it names (a `.gltf`'s
 * buffers and textures, an OBJ's `.mtl`…) relative to itself: moved to another folder alone, it
 * loses them. Each file a moved model names inside its own folder goes to the same place beside
 * the model's new path, when it is an asset of the project and no model that stays names it too.
 */
import { posix } from 'node:path';
import { relatedPath } from '../previews/gltf.js';

/** A model being moved, with the files its facts name (as named) and those missing then. */
export interface MovingModel {
  uid: string;
  path: string;
  to: string;
  resources: readonly string[];
  missing: readonly string[];
}

/** What a move did with the files its models name (`resources` in its answer). */
export interface ResourcesMoved {
  /** Assets moved along with a model, each with its new path (their moves are in the report's `moved`). */
  moved: Array<{ id: string; path: string; model: string }>;
  /** Files a moved model names that stayed where they were, each with why. */
  not_moved: Array<{ model: string; uri: string; reason: string }>;
}

export interface ResourceLookup {
  /** The asset registered at a path (relative to the assets root). */
  atPath(rel: string): { uid: string } | undefined;
  /** The models (other than those moving) whose facts name the file at `rel`. */
  otherModelsNaming(rel: string): Array<{ uid: string; path: string }>;
}

export interface ResourcePlan {
  /** Each asset to move along: where to, and the model it follows (which names it `uri`). */
  targets: Map<string, { to: string; model: string; uri: string }>;
  notMoved: ResourcesMoved['not_moved'];
}

/** Plans the files `models` take along (see the module's comment). */
export function planResourceMoves(models: readonly MovingModel[], lookup: ResourceLookup): ResourcePlan {
  const targets: ResourcePlan['targets'] = new Map();
  const notMoved: ResourcesMoved['not_moved'] = [];
  for (const model of models) {
    const from = posix.dirname(model.path);
    const to = posix.dirname(model.to);
    if (from === to) continue;
    const missing = new Set(model.missing);
    const leave = (uri: string, reason: string): void => {
      notMoved.push({ model: model.uid, uri, reason });
    };
    for (const uri of model.resources) {
      const rel = relatedPath(model.path, uri);
      // (An absolute path or URL: the model finds it, or not, wherever it is.)
      if (rel === undefined) continue;
      const inside = from === '.' ? rel : rel.startsWith(`${from}/`) ? rel.slice(from.length + 1) : undefined;
      if (inside === undefined) {
        const lookedFor = relatedPath(model.to, uri);
        leave(
          uri,
          `${rel} is outside the model's folder, so it stays` +
            (lookedFor === undefined ? '' : `; the model now looks for it at ${lookedFor}`),
        );
        continue;
      }
      if (missing.has(uri)) {
        leave(uri, `${rel} was not there when the model was last read`);
        continue;
      }
      const asset = lookup.atPath(rel);
      if (!asset) {
        leave(uri, `${rel} is not registered (run a rebuild, then move it)`);
        continue;
      }
      const dest = to === '.' ? inside : `${to}/${inside}`;
      const claimed = targets.get(asset.uid);
      if (claimed) {
        if (claimed.to !== dest) leave(uri, `${rel} goes to ${claimed.to} with another model`);
        continue;
      }
      const staying = lookup.otherModelsNaming(rel);
      if (staying.length) {
        leave(uri, `${rel} stays: ${staying.map((m) => m.path).join(', ')} uses it too`);
        continue;
      }
      targets.set(asset.uid, { to: dest, model: model.uid, uri });
    }
  }
  return { targets, notMoved };
}

/**
 * Feature flags and studio settings (reference §8 "General flag storage"): a `features` object of
 * booleans in `<workspace>/comfyvn.json` and `<workspace>/config/comfyvn.json`, the second
 * overriding the first, both layered over the defaults below. Non-boolean values are ignored.
 * Writes go to `config/comfyvn.json` only, atomically, keeping every other key in that file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { badRequest } from '../domain/errors.js';
import { isJsonObject, parseJsonText, type JsonObject } from '../domain/json.js';
import { jsonText, writeFileAtomic } from '../files/atomic-write.js';
import { logger } from '../logging.js';
import { statIfThere } from '../files/if-there.js';

export interface FeatureFlag {
  key: string;
  default: boolean;
  label: string;
  description: string;
}

/** Every flag the product knows; unknown keys in a settings file are kept but not offered. */
export const FEATURE_FLAGS: readonly FeatureFlag[] = [
  {
    key: 'enable_asset_gallery',
    default: false,
    label: 'Asset Gallery',
    description:
      'Show the Asset Gallery dock: browse, filter, tag and license assets in bulk. The REST API works either way.',
  },
];

export type Features = Record<string, boolean>;

export interface SettingsView {
  features: Features;
  flags: Array<FeatureFlag & { value: boolean }>;
  /** Where changes are written, relative to the workspace. */
  file: string;
}

function readFeatures(file: string): Features {
  let raw: unknown;
  try {
    raw = parseJsonText(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      logger.warn({ err, file }, 'settings file unreadable');
    return {};
  }
  const features = isJsonObject(raw) ? raw.features : undefined;
  const out: Features = {};
  if (isJsonObject(features)) {
    for (const [key, value] of Object.entries(features)) if (typeof value === 'boolean') out[key] = value;
  }
  return out;
}

export class SettingsStore {
  /** Layered in order; the last one is where changes are written. */
  readonly files: readonly string[];
  private cache: { stamp: string; features: Features } | undefined;

  constructor(readonly workspace: string) {
    this.files = [path.join(workspace, 'comfyvn.json'), path.join(workspace, 'config', 'comfyvn.json')];
  }

  private get writable(): string {
    return this.files[this.files.length - 1] as string;
  }

  /** Cached until one of the files changes (mtime and size), as the reference did. */
  features(): Features {
    const stamp = this.files
      .map((file) => {
        const st = statIfThere(file);
        return st ? `${st.mtimeMs}:${st.size}` : '-';
      })
      .join('|');
    if (this.cache?.stamp !== stamp) {
      const features: Features = Object.fromEntries(FEATURE_FLAGS.map((f) => [f.key, f.default]));
      for (const file of this.files) Object.assign(features, readFeatures(file));
      this.cache = { stamp, features };
    }
    return { ...this.cache.features };
  }

  view(): SettingsView {
    const features = this.features();
    return {
      features,
      flags: FEATURE_FLAGS.map((flag) => ({ ...flag, value: features[flag.key] ?? flag.default })),
      file: path.relative(this.workspace, this.writable).split(path.sep).join('/'),
    };
  }

  /** Sets the given flags in `config/comfyvn.json`; unknown flag names are refused. */
  async updateFeatures(patch: Features): Promise<SettingsView> {
    const keys = Object.keys(patch);
    if (!keys.length) throw badRequest('Nothing to change: send {"features": {"<flag>": true|false}}.');
    const known = new Set(FEATURE_FLAGS.map((f) => f.key));
    const unknown = keys.filter((k) => !known.has(k));
    if (unknown.length) {
      throw badRequest(`Unknown feature flag ${unknown.join(', ')}; known flags: ${[...known].join(', ')}.`, {
        unknown,
      });
    }
    let doc: JsonObject = {};
    try {
      const raw = parseJsonText(fs.readFileSync(this.writable, 'utf8'));
      if (isJsonObject(raw)) doc = raw;
    } catch (err) {
      // A missing file starts empty; an unparseable one is not silently replaced.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw badRequest(
          `The settings file ${this.writable} is not valid JSON; fix or remove it, then try again.`,
        );
      }
    }
    const features = isJsonObject(doc.features) ? { ...doc.features } : {};
    Object.assign(features, patch);
    doc.features = features;
    await writeFileAtomic(this.writable, jsonText(doc));
    this.cache = undefined;
    return this.view();
  }
}

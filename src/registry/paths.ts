/**
 * Where things live. Defaults are the product document's, relative to the workspace (the
 * current directory): `data/assets`, `config/comfyvn.sqlite`, `cache/thumbs`, project `default`.
 * Each can be set by option and by environment variable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PathOptions {
  workspace?: string;
  assetsRoot?: string;
  dbPath?: string;
  thumbsRoot?: string;
  /** `false` turns the `_meta` mirror off. */
  metaRoot?: string | false;
  projectId?: string;
}

export interface RegistryPaths {
  workspace: string;
  assetsRoot: string;
  dbPath: string;
  thumbsRoot: string;
  metaRoot: string | false;
  /** Copies are staged here (hidden, on the assets root's filesystem) before they are linked into place. */
  stagingDir: string;
  projectId: string;
}

export const ENV = {
  assetsRoot: 'ASSET_REGISTRY_ASSETS_ROOT',
  dbPath: 'ASSET_REGISTRY_DB_PATH',
  thumbsRoot: 'ASSET_REGISTRY_THUMBS_ROOT',
  projectId: 'ASSET_REGISTRY_PROJECT_ID',
  metaRoot: 'ASSET_REGISTRY_META_ROOT',
} as const;

const expandHome = (p: string): string =>
  p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;

export function resolvePaths(options: PathOptions = {}, env: NodeJS.ProcessEnv = process.env): RegistryPaths {
  const workspace = path.resolve(options.workspace ?? process.cwd());
  const pick = (value: string | undefined, envName: string, fallback: string): string =>
    path.resolve(workspace, expandHome(value || env[envName] || fallback));
  const assetsRoot = pick(options.assetsRoot, ENV.assetsRoot, 'data/assets');
  const metaSetting = options.metaRoot ?? env[ENV.metaRoot];
  const metaRoot =
    metaSetting === false || metaSetting === 'off'
      ? false
      : path.resolve(workspace, expandHome(metaSetting || path.join(assetsRoot, '_meta')));
  const paths: RegistryPaths = {
    workspace,
    assetsRoot,
    dbPath: pick(options.dbPath, ENV.dbPath, 'config/comfyvn.sqlite'),
    thumbsRoot: pick(options.thumbsRoot, ENV.thumbsRoot, 'cache/thumbs'),
    metaRoot,
    stagingDir: path.join(assetsRoot, '.staging'),
    projectId: (options.projectId || env[ENV.projectId] || 'default').trim() || 'default',
  };
  fs.mkdirSync(paths.assetsRoot, { recursive: true });
  fs.mkdirSync(paths.thumbsRoot, { recursive: true });
  return paths;
}

/** How a stored path string names a file: relative to the workspace when inside it, else absolute. */
export function displayPath(workspace: string, abs: string): string {
  const rel = path.relative(workspace, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}

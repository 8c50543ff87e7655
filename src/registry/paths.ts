/**
 * Where things live. Defaults are the product document's, relative to the workspace (the
 * current directory): `data/assets`, `config/comfyvn.sqlite`, `cache/thumbs`, project `default`.
 * Each can be set by option and by environment variable.
 */
import os from 'node:os';
import path from 'node:path';
import { ensureFolder } from '../files/ensure-folder.js';
import { TRASH_DAYS_DEFAULT, TRASH_DIR } from '../files/trash.js';

export interface PathOptions {
  workspace?: string;
  assetsRoot?: string;
  dbPath?: string;
  thumbsRoot?: string;
  /** `false` turns the `_meta` mirror off. */
  metaRoot?: string | false;
  projectId?: string;
  /** Days deleted files stay in the trash (0: deleted at once). */
  trashDays?: number;
  /** Gigabytes (10⁹ bytes) the trash may hold (unlimited when unset). */
  trashMaxGb?: number;
}

export interface RegistryPaths {
  workspace: string;
  assetsRoot: string;
  dbPath: string;
  thumbsRoot: string;
  metaRoot: string | false;
  /** Copies are staged here (hidden, on the assets root's filesystem) before they are linked into place. */
  stagingDir: string;
  /** Files deleted through the registry go here (hidden, on the assets root's filesystem): see files/trash.ts. */
  trashDir: string;
  trashDays: number;
  /** Bytes the trash may hold (Infinity: no cap). */
  trashMaxBytes: number;
  projectId: string;
}

export const ENV = {
  assetsRoot: 'ASSET_REGISTRY_ASSETS_ROOT',
  dbPath: 'ASSET_REGISTRY_DB_PATH',
  thumbsRoot: 'ASSET_REGISTRY_THUMBS_ROOT',
  projectId: 'ASSET_REGISTRY_PROJECT_ID',
  metaRoot: 'ASSET_REGISTRY_META_ROOT',
  trashDays: 'ASSET_REGISTRY_TRASH_DAYS',
  trashMaxGb: 'ASSET_REGISTRY_TRASH_MAX_GB',
} as const;

const expandHome = (p: string): string =>
  p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;

export function resolvePaths(options: PathOptions = {}, env: NodeJS.ProcessEnv = process.env): RegistryPaths {
  const workspace = path.resolve(options.workspace ?? process.cwd());
  // A blank setting (empty, or only spaces) is unset, as a request's blank path is: not a folder
  // named by a space.
  const pick = (value: string | undefined, envName: string, fallback: string): string =>
    path.resolve(workspace, expandHome([value, env[envName]].find((v) => v?.trim()) ?? fallback));
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
    trashDir: path.join(assetsRoot, TRASH_DIR),
    trashDays: nonNegative(options.trashDays ?? env[ENV.trashDays]) ?? TRASH_DAYS_DEFAULT,
    trashMaxBytes: (nonNegative(options.trashMaxGb ?? env[ENV.trashMaxGb]) ?? Infinity) * 1e9,
    projectId: (options.projectId || env[ENV.projectId] || 'default').trim() || 'default',
  };
  ensureFolder(paths.assetsRoot, 'The assets root');
  ensureFolder(paths.thumbsRoot, 'The thumbnails root');
  return paths;
}

/** A number setting as given (or its text from the environment); undefined when unset or not a number ≥ 0. */
function nonNegative(given: number | string | undefined): number | undefined {
  const n = typeof given === 'string' && given.trim() !== '' ? Number(given) : given;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** How a stored path string names a file: relative to the workspace when inside it, else absolute. */
export function displayPath(workspace: string, abs: string): string {
  const rel = path.relative(workspace, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}

/** What every CLI command shares: path options, opening the registry, output and exit codes. */
import path from 'node:path';
import { Command, Option } from 'commander';
import { AppError, badRequest, diskFull, isDiskFull } from '../domain/errors.js';
import { statIfThere } from '../files/if-there.js';
import { fileInTheWay, notAFolder, refuseTooLong } from '../files/safe-path.js';
import { ENV } from '../registry/paths.js';
import { RegistryService } from '../registry/service.js';

export interface CommonOptions {
  assetsRoot?: string;
  dbPath?: string;
  thumbsRoot?: string;
  projectId?: string;
  json?: boolean;
}

export function withCommonOptions(command: Command): Command {
  return command
    .addOption(new Option('--assets-root <dir>', 'assets folder').env(ENV.assetsRoot).default('data/assets'))
    .addOption(
      new Option('--db-path <file>', 'registry database').env(ENV.dbPath).default('config/comfyvn.sqlite'),
    )
    .addOption(new Option('--thumbs-root <dir>', 'preview cache').env(ENV.thumbsRoot).default('cache/thumbs'))
    .addOption(new Option('--project-id <id>', 'project').env(ENV.projectId).default('default'))
    .option('--json', 'print JSON (the default when stdout is not a terminal)');
}

export function openService(options: CommonOptions): RegistryService {
  const open: Parameters<typeof RegistryService.open>[0] = {
    onLeaseWait: (lockDir) =>
      process.stderr.write(
        `waiting: another program (the server, or another command) is changing files under the assets root; ` +
          `this command goes on when it is done (its lock: ${lockDir})\n`,
      ),
  };
  if (options.assetsRoot) open.assetsRoot = options.assetsRoot;
  if (options.dbPath) open.dbPath = options.dbPath;
  if (options.thumbsRoot) open.thumbsRoot = options.thumbsRoot;
  if (options.projectId) open.projectId = options.projectId;
  return RegistryService.open(open);
}

/** Runs `fn` with an open registry and always closes it. */
export async function withService<T>(
  options: CommonOptions,
  fn: (service: RegistryService) => Promise<T>,
): Promise<T> {
  const service = openService(options);
  try {
    return await fn(service);
  } finally {
    await service.close();
  }
}

export const wantsJson = (options: CommonOptions): boolean => Boolean(options.json) || !process.stdout.isTTY;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Exit codes: 0 done, 1 failed, 2 bad input, 3 not found, 4 conflict, 5 not allowed. */
export function exitCodeFor(error: unknown): number {
  if (!(error instanceof AppError)) return 1;
  if (error.status === 404) return 3;
  if (error.status === 409) return 4;
  if (error.status === 401 || error.status === 403) return 5;
  if (error.status >= 400 && error.status < 500) return 2;
  return 1;
}

export function reportError(thrown: unknown, json: boolean): void {
  const error = !(thrown instanceof AppError) && isDiskFull(thrown) ? diskFull(thrown as Error) : thrown;
  const code = error instanceof AppError ? error.code : 'internal_error';
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    const details = error instanceof AppError ? error.details : undefined;
    process.stdout.write(
      `${JSON.stringify({ ok: false, code, message, ...(details ? { details } : {}) }, null, 2)}\n`,
    );
  }
  process.stderr.write(`error: ${message}\n`);
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * An `--out` file that can be written: not too long, not a folder, not under a file, and not there
 * already unless `--force` says to replace it.
 */
export function checkOut(out: string, given: string, force: boolean | undefined): void {
  refuseTooLong(out, `--out ${given}`);
  const there = statIfThere(out);
  if (there?.isDirectory()) throw badRequest(`--out ${given} is a folder: give a file's path in it.`);
  if (there && !force)
    throw new AppError(409, 'file_exists', `${given} exists: choose another --out, or add --force.`);
  const blocker = fileInTheWay(path.dirname(out));
  if (blocker) throw notAFolder(`--out ${given} leads through ${blocker}, a file`);
}

import { Command, Option } from 'commander';
import { badRequest } from '../domain/errors.js';
import { logger } from '../logging.js';
import { collect, openService, withCommonOptions, type CommonOptions } from './common.js';

interface ServeOptions extends CommonOptions {
  host: string;
  port: string;
  token?: string;
  allowedHost?: string[];
  importRoot?: string[];
  maxUploadMb: string;
  watch?: boolean;
}

/** `ASSET_REGISTRY_WATCH=1|true|yes|on` turns the live folder on, like `--watch`. */
const envFlag = (value: string | undefined): boolean =>
  ['1', 'true', 'yes', 'on'].includes((value ?? '').trim().toLowerCase());

export function serveCommand(): Command {
  return withCommonOptions(new Command('serve'))
    .description('serve the REST API, the event stream and the studio')
    .addOption(
      new Option('--host <host>', 'address to listen on').env('ASSET_REGISTRY_HOST').default('127.0.0.1'),
    )
    .addOption(new Option('--port <port>', 'port').env('ASSET_REGISTRY_PORT').default('8001'))
    .addOption(
      new Option('--token <token>', 'API token required on every change').env('ASSET_REGISTRY_TOKEN'),
    )
    .option('--allowed-host <name>', 'accept this Host header besides loopback names (repeat)', collect)
    .option(
      '--import-root <dir>',
      'a folder register may read sources from (repeat; default: workspace + assets root)',
      collect,
    )
    .option('--max-upload-mb <n>', 'largest accepted upload in MiB', '2048')
    .option(
      '--watch',
      'live folder: register files added, changed, moved or removed under the assets root while serving ' +
        '(env: ASSET_REGISTRY_WATCH=1; ASSET_REGISTRY_WATCH_POLL_MS=<ms> polls instead of OS notifications)',
    )
    .action(async (options: ServeOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw badRequest(`--port must be 0-65535; got ${options.port}`);
      const watch = Boolean(options.watch) || envFlag(process.env.ASSET_REGISTRY_WATCH);
      const pollMs = Number(process.env.ASSET_REGISTRY_WATCH_POLL_MS ?? '') || undefined;
      // Loaded here, not at the top: the server's modules (fastify and its plugins) take most of a
      // second to load, which every other command would pay for nothing.
      const { closeOnSignals, startServer } = await import('../server/serve.js');
      const service = openService(options);
      const importRoots = options.importRoot?.length
        ? [...options.importRoot, service.paths.assetsRoot]
        : undefined;
      const server = await startServer({
        service,
        host: options.host,
        port,
        token: options.token,
        allowedHosts: options.allowedHost ?? [],
        ...(importRoots ? { importRoots } : {}),
        maxUploadBytes: Number(options.maxUploadMb) * 1024 * 1024,
        watch: watch ? (pollMs ? { pollIntervalMs: pollMs } : true) : false,
      });
      logger.info(
        { url: server.url, assets_root: service.paths.assetsRoot, db: service.paths.dbPath },
        'serving',
      );
      if (watch) process.stderr.write(`Watching ${service.paths.assetsRoot} for changes (live folder)\n`);
      process.stderr.write(`Asset Registry listening on ${server.url} (API docs: ${server.url}/docs)\n`);
      closeOnSignals(server.close);
    });
}

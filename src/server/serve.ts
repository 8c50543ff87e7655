/** Starts the HTTP server over an open registry and stops it cleanly on SIGINT/SIGTERM. */
import { AppError } from '../domain/errors.js';
import { logger } from '../logging.js';
import { FolderWatcher, type WatchOptions } from '../registry/watch.js';
import { buildApp, type App, type AppOptions } from './app.js';
import { isLoopbackHost } from './security.js';

export interface ServeOptions extends AppOptions {
  host: string;
  port: number;
  /** Live folder: follow changes under the assets root (the default project's registry). */
  watch?: boolean | WatchOptions;
}

export async function startServer(
  options: ServeOptions,
): Promise<{ app: App; url: string; watcher: FolderWatcher | undefined; close: () => Promise<void> }> {
  const exposed = !isLoopbackHost(options.host);
  if (exposed && !options.token) {
    throw new AppError(
      400,
      'token_required',
      `Listening on ${options.host} exposes the registry beyond this machine: set an API token with --token ` +
        '(or ASSET_REGISTRY_TOKEN) first.',
    );
  }
  const allowedHosts = [
    ...(options.allowedHosts ?? []),
    ...(exposed && options.host !== '0.0.0.0' && options.host !== '::' ? [options.host] : []),
  ];
  const watcher = options.watch
    ? new FolderWatcher(
        options.service.project(),
        options.service.hooks,
        options.watch === true ? {} : options.watch,
      )
    : undefined;
  const app = await buildApp({
    ...options,
    allowedHosts,
    ...(watcher ? { liveFolder: () => watcher.state } : {}),
  });
  options.service.events.follow();
  options.service.previews.start();
  options.service.project().expireTrash(); // (and after each removal that deletes files)
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  // Not awaited: reading a big tree takes seconds (/health says `starting` meanwhile); the
  // catch-up pass covers the gap.
  watcher?.start().catch((err: unknown) => logger.error({ err }, 'live folder: could not start watching'));
  const close = async (): Promise<void> => {
    // The watcher first: a batch still running finishes before the registry closes.
    await watcher?.close();
    await app.close();
    await options.service.close();
  };
  return { app, url, watcher, close };
}

export function closeOnSignals(close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    close()
      .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

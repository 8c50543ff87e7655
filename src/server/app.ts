/**
 * The Fastify application: security guards, request ids, the error envelope, OpenAPI docs at
 * /docs, the asset routes, the event stream, and an OPTIONS answer (with `Allow`) on every route.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { logger } from '../logging.js';
import type { RegistryService } from '../registry/service.js';
import type { LiveFolderState } from '../registry/watch.js';
import { SettingsStore } from '../settings/settings.js';
import { installErrorHandlers, sendFrameworkError } from './errors.js';
import { JobBoard } from './jobs.js';
import { installJsonBodyParser } from './json-body.js';
import { registerAssetRoutes } from './routes/assets.js';
import { registerChangeRoutes } from './routes/changes.js';
import { registerEventRoutes } from './routes/events.js';
import { registerExportRoutes } from './routes/export.js';
import { registerMaintenanceRoutes } from './routes/maintenance.js';
import { registerPreviewRoutes } from './routes/previews.js';
import { registerSettingsRoutes } from './routes/settings.js';
import { findStudioBuild, registerStudio } from './studio.js';
import { registerTrashRoutes } from './routes/trash.js';
import { registerProjectRoutes } from './routes/projects.js';
import { registerUploadRoute } from './routes/upload.js';
import { installSecurity } from './security.js';

export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface AppOptions {
  service: RegistryService;
  token?: string | undefined;
  allowedHosts?: readonly string[];
  /** Folders register may read sources from; default: the workspace and the assets root. */
  importRoots?: readonly string[];
  maxUploadBytes?: number;
  /** The built studio (index.html and assets); default: dist/web beside the server code. */
  webRoot?: string | undefined;
  /** JSON body limit. */
  bodyLimit?: number;
  version?: string;
  /** The live folder's state for `/health` (`serve --watch`); absent when it is off. */
  liveFolder?: () => LiveFolderState;
}

const VERSION = '0.1.0';

/** A request id from the client is echoed if it is sane; otherwise we make one. */
function requestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[\w.:@/+=-]{1,128}$/.test(value) ? value : randomUUID();
}

// Query strings are text, so they are coerced ("50" → 50, "a" → ["a"]); JSON bodies are not:
// a wrong type in a body is the caller's mistake and gets a 422 naming the field.
const queryAjv = new Ajv({
  coerceTypes: 'array',
  useDefaults: true,
  removeAdditional: true,
  allErrors: false,
});
const bodyAjv = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: true, allErrors: false });
for (const ajv of [queryAjv, bodyAjv]) ajv.addKeyword('example').addKeyword('consumes');

/**
 * A validator that also refuses numbers no route can use: infinite (`1e309` in a query or a JSON
 * body) or beyond the integers a double holds exactly (an offset of 1e20). Ajv lets both through:
 * its range checks skip non-finite numbers, and a query string coerced to Infinity is not checked
 * again; an inexact integer made a loop that steps by subtraction spin forever.
 */
function withSafeNumbers(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown) => {
    if (!validate(data)) {
      checked.errors = validate.errors;
      return false;
    }
    const at = unsafeNumberAt(data, '');
    checked.errors = at === undefined ? null : [unsafeNumberError(at)];
    return at === undefined;
  }) as ValidateFunction;
  return checked;
}

/** The path of the first infinite or inexact number in a validated value, if any. */
function unsafeNumberAt(value: unknown, at: string): string | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? undefined : at;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = unsafeNumberAt(item, `${at}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

const unsafeNumberError = (instancePath: string): ErrorObject => ({
  instancePath,
  schemaPath: '#',
  keyword: 'maximum',
  params: { comparison: '<=', limit: Number.MAX_SAFE_INTEGER },
  message: `must be a finite number between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`,
});

// Typed as Fastify's logger interface so the instance keeps its default logger generics.
const baseLogger: FastifyBaseLogger = logger;

export async function buildApp(options: AppOptions): Promise<App> {
  const { service } = options;
  const app = Fastify({
    loggerInstance: baseLogger,
    logController: new LogController({
      disableRequestLogging: process.env.LOG_REQUESTS !== '1',
      requestIdLogLabel: 'request_id',
    }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    genReqId: (req) => requestId(req.headers['x-request-id']),
    frameworkErrors: sendFrameworkError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(({ schema, httpPart }) =>
    withSafeNumbers((httpPart === 'body' ? bodyAjv : queryAjv).compile(schema)),
  );
  // The API speaks JSON (and multipart for uploads): plain text is a 415 that says so.
  app.removeContentTypeParser('text/plain');
  installJsonBodyParser(app);
  installErrorHandlers(app);
  installSecurity(app, { allowedHosts: options.allowedHosts ?? [], token: options.token });

  app.addHook('onRequest', async (request) => {
    (request as { startedAt?: bigint }).startedAt = process.hrtime.bigint();
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    const started = (request as { startedAt?: bigint }).startedAt;
    if (started) reply.header('x-process-time', (Number(process.hrtime.bigint() - started) / 1e9).toFixed(6));
    return payload;
  });

  // Every API route also answers OPTIONS with its methods (the smoke check probes POST routes so).
  const methodsByUrl = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') && route.url !== '/health') return;
    const methods = methodsByUrl.get(route.url) ?? new Set<string>();
    for (const m of [route.method].flat()) methods.add(m);
    methodsByUrl.set(route.url, methods);
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Asset Registry & Gallery API',
        version: options.version ?? VERSION,
        description:
          "Index, deduplicate, tag and license a studio's asset files. Errors: {ok:false, code, message, details?, request_id}.",
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyMultipart, { limits: { fileSize: options.maxUploadBytes ?? 2 * 1024 ** 3 } });
  await app.register(fastifyStatic, { root: service.paths.assetsRoot, serve: false });

  app.get(
    '/health',
    {
      schema: {
        tags: ['server'],
        summary: 'Liveness, and whether the live folder (serve --watch) sees changes yet',
      },
    },
    async () => ({
      ok: true,
      version: options.version ?? VERSION,
      live_folder: options.liveFolder?.() ?? 'off',
    }),
  );
  const jobs = new JobBoard();
  registerAssetRoutes(app, {
    service,
    jobs,
    importRoots: options.importRoots ?? [service.paths.workspace, service.paths.assetsRoot],
  });
  registerChangeRoutes(app, service, jobs);
  registerTrashRoutes(app, service);
  registerProjectRoutes(app, service);
  registerUploadRoute(app, service, jobs, options.maxUploadBytes ?? 2 * 1024 ** 3);
  registerEventRoutes(app, service);
  registerExportRoutes(app, service);
  registerPreviewRoutes(app, service);
  registerMaintenanceRoutes(app, service, jobs);
  registerSettingsRoutes(app, service, new SettingsStore(service.paths.workspace));
  await registerStudio(app, options.webRoot ?? findStudioBuild());

  for (const [url, methods] of methodsByUrl) {
    if (methods.has('OPTIONS')) continue;
    const allow = [...methods, 'OPTIONS'].join(', ');
    app.route({
      method: 'OPTIONS',
      url,
      schema: { hide: true },
      handler: async (_request, reply) => reply.code(204).header('allow', allow).send(),
    });
  }
  return app;
}

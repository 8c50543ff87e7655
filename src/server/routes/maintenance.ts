/**
 * `POST /api/assets/rebuild` and `POST /api/assets/enforce`. A rebuild runs as a job: progress
 * goes to the hook stream (`rebuild_progress`) and `GET /api/jobs/{id}`; the request blocks
 * until it is done unless it says `wait: false`. Path overrides must stay inside the server's
 * workspace (the reference let any client scan or write anywhere, §11.19).
 */
import os from 'node:os';
import path from 'node:path';
import { Type } from 'typebox';
import { AppError, badRequest, notFound } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/json.js';
import { isInside, realpathLoose, realpathWithin } from '../../files/safe-path.js';
import { SERVER_REBUILD_BATCH, type RebuildProgress, type RebuildSummary } from '../../registry/rebuild.js';
import { RegistryService } from '../../registry/service.js';
import type { App } from '../app.js';
import { accepted, jobEvent, jobSummaryEvent, type Job, type JobBoard } from '../jobs.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const RebuildBody = Type.Object({
  assets_root: Type.Optional(NullableString),
  db_path: Type.Optional(NullableString),
  thumbs_root: Type.Optional(NullableString),
  project_id: Type.Optional(NullableString),
  remove_stale: Type.Optional(Type.Boolean({ default: true })),
  wait_for_thumbs: Type.Optional(Type.Boolean({ default: true })),
  wait: Type.Optional(
    Type.Boolean({ default: true, description: 'false: answer 202 at once with the job id' }),
  ),
});
const EnforceBody = Type.Object({
  fix_missing: Type.Optional(Type.Boolean({ default: true })),
  overwrite: Type.Optional(Type.Boolean({ default: false })),
  fill_metadata: Type.Optional(Type.Boolean({ default: true })),
  remove_orphans: Type.Optional(
    Type.Boolean({
      default: false,
      description:
        'Move the orphaned sidecars (`*.asset.json` beside no file, whose path no asset names) into the trash',
    }),
  ),
  project_id: Type.Optional(Type.String()),
  wait: Type.Optional(
    Type.Boolean({ default: true, description: 'false: answer 202 at once with the job id' }),
  ),
});

export function registerMaintenanceRoutes(app: App, service: RegistryService, jobs: JobBoard): void {
  let running: Job<RebuildProgress, RebuildSummary> | undefined;
  const workspace = realpathLoose(service.paths.workspace);

  /**
   * Blank → the server's own path; otherwise resolved under the workspace (`~` is the home
   * folder, as on the command line, not a folder named `~`), or a 400.
   */
  const confined = (value: string | null | undefined, field: string, fallback: string): string => {
    const given = value?.trim();
    if (!given) return fallback;
    if (given.includes('\0')) throw badRequest(`${field} must not contain NUL characters.`);
    const home = given === '~' || given.startsWith('~/') ? path.join(os.homedir(), given.slice(1)) : given;
    const abs = path.resolve(service.paths.workspace, home);
    if (!isInside(workspace, realpathWithin(abs, field))) {
      throw badRequest(
        `${field} must be inside the server's workspace (${service.paths.workspace}); got ${value}.`,
      );
    }
    return abs;
  };

  app.post(
    '/api/assets/rebuild',
    {
      schema: {
        tags: ['maintenance'],
        summary: 'Rescan the assets root into the registry',
        description:
          'A job (`wait: false` answers 202; progress as `rebuild_progress` events). Assets whose files are ' +
          'gone are removed as one change, which an undo puts back once the files are (`remove_stale: false` ' +
          'only reports them); an assets root that holds nothing at all (a drive not mounted) removes none: ' +
          '`root_empty` is true and the first problem says why.',
        body: RebuildBody,
      },
    },
    async (request, reply) => {
      const body = request.body;
      const paths = service.paths;
      const assetsRoot = confined(body.assets_root, 'assets_root', paths.assetsRoot);
      const dbPath = confined(body.db_path, 'db_path', paths.dbPath);
      const thumbsRoot = confined(body.thumbs_root, 'thumbs_root', paths.thumbsRoot);
      if (running) {
        throw new AppError(
          409,
          'rebuild_running',
          `A rebuild is already running (job ${running.id}); follow GET /api/jobs/${running.id}.`,
          {
            job_id: running.id,
          },
        );
      }
      const own =
        assetsRoot === paths.assetsRoot && dbPath === paths.dbPath && thumbsRoot === paths.thumbsRoot;
      const target = own
        ? service
        : RegistryService.open({
            workspace: paths.workspace,
            assetsRoot,
            dbPath,
            thumbsRoot,
            metaRoot: path.join(assetsRoot, '_meta'),
          });
      const registry = target.project(body.project_id);
      const { job, settled } = jobs.run<RebuildProgress, RebuildSummary>(
        'rebuild',
        { phase: 'scan', files_done: 0, files_total: 0, bytes_done: 0, bytes_total: 0 },
        (report) =>
          registry.rebuild({
            removeStale: body.remove_stale ?? true,
            waitForThumbs: body.wait_for_thumbs ?? true,
            batchFiles: SERVER_REBUILD_BATCH,
            onProgress: report,
          }),
        (changed) =>
          service.hooks.emit(
            'rebuild_progress',
            jobSummaryEvent(changed, (summary) => summary as unknown as JsonObject),
            registry.projectId,
          ),
      );
      running = job;
      const work = settled
        .catch((err: unknown) => request.log.error({ err }, 'rebuild failed'))
        .finally(async () => {
          running = undefined;
          if (!own) await target.close();
        });
      if (body.wait === false) {
        return accepted(reply, job);
      }
      await work;
      if (job.status === 'failed')
        throw new AppError(500, 'rebuild_failed', `Rebuild failed: ${job.error}`, { job_id: job.id });
      return { ok: true, job_id: job.id, summary: job.summary };
    },
  );

  app.get('/api/jobs', { schema: { tags: ['maintenance'], summary: 'Recent jobs' } }, async () => ({
    ok: true,
    items: jobs.recent(20),
  }));

  app.get(
    '/api/jobs/:id',
    {
      schema: {
        tags: ['maintenance'],
        summary: 'A job (a rebuild, a bulk edit): status, progress, summary',
        params: Type.Object({ id: Type.String() }),
      },
    },
    async (request) => {
      const job = jobs.get(request.params.id);
      if (!job) throw notFound(`No job ${request.params.id} (jobs are kept until the server restarts).`);
      return { ok: true, job };
    },
  );

  app.post(
    '/api/assets/enforce',
    {
      schema: {
        tags: ['maintenance'],
        summary: 'Audit (and repair) sidecars and metadata',
        description:
          'Runs as a job: progress as `enforce_progress` events and at `GET /api/jobs/{id}` (its summary is the ' +
          'report). With `wait: false` the answer is a 202 with the job id at once.',
        body: EnforceBody,
      },
    },
    async (request, reply) => {
      const body = request.body;
      const registry = service.project(body.project_id);
      const { job, settled } = jobs.run(
        'enforce',
        { checked: 0, total: registry.context.store.assetCount(registry.projectId) },
        (report) =>
          registry.enforce({
            fixMissing: body.fix_missing ?? true,
            overwrite: body.overwrite ?? false,
            fillMetadata: body.fill_metadata ?? true,
            removeOrphans: body.remove_orphans ?? false,
            onProgress: (checked, total) => report({ checked, total }),
          }),
        (changed) =>
          service.hooks.emit(
            'enforce_progress',
            {
              ...jobEvent(changed),
              ...(changed.summary ? { report: changed.summary as unknown as JsonObject } : {}),
            },
            registry.projectId,
          ),
      );
      if (body.wait === false) {
        return accepted(reply, job);
      }
      return { ok: true, job_id: job.id, report: await settled };
    },
  );
}

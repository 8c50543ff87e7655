/**
 * `/api/changes`: the edits made through the registry (bulk edits, tag renames, single edits,
 * undos), newest first, and undoing one (see domain/changes.ts). An undo runs as a job like a
 * bulk edit, with `bulk_progress` events.
 */
import type { Static } from 'typebox';
import { assetChangePayload, changePayload, readableStates } from '../../domain/changes.js';
import type { HookPayloads } from '../../hooks/bus.js';
import type { AssetRegistry, EditReport, UndoReport } from '../../registry/registry.js';
import type { RegistryService } from '../../registry/service.js';
import { CHANGES_KEPT } from '../../store/change-log.js';
import type { App } from '../app.js';
import { accepted, jobSummaryEvent, type JobBoard } from '../jobs.js';
import {
  AssetChangesQuery,
  ChangeParams,
  ChangeQuery,
  ChangesQuery,
  IdParams,
  ProjectQuery,
  UndoBody,
} from '../schemas.js';

type EditSummary = NonNullable<HookPayloads['bulk_progress']['summary']>;

/**
 * Runs an edit of many assets as a job with `bulk_progress` events (a bulk edit, a tag rename, an
 * undo); `report()` gives the registry's report once it is done.
 */
export function editJob<Report extends EditReport | UndoReport>(
  service: RegistryService,
  jobs: JobBoard,
  kind: 'bulk_edit' | 'tag_rename' | 'undo',
  registry: AssetRegistry,
  total: number,
  work: (onProgress: (done: number, total: number) => void) => Promise<Report>,
) {
  let report: Report | undefined;
  const { job, settled } = jobs.run<{ done: number; total: number }, EditSummary>(
    kind,
    { done: 0, total },
    async (progress) => {
      const done = await work((n, all) => progress({ done: n, total: all }));
      report = done;
      const { missing, changeId: change_id } = done;
      return 'undone' in done
        ? {
            updated: done.restored.length,
            missing,
            change_id,
            changed_since: done.changedSince,
            failed: done.failed,
          }
        : { updated: done.updated.length, missing, change_id };
    },
    (changed) =>
      service.hooks.emit(
        'bulk_progress',
        jobSummaryEvent(changed, (summary) => summary),
        registry.projectId,
      ),
  );
  // (`settled` as it is: a promise made from it would reject unhandled when nobody waits.)
  return { job, settled, report: () => report };
}

export function registerChangeRoutes(app: App, service: RegistryService, jobs: JobBoard): void {
  const tags = ['changes'];

  app.get(
    '/api/changes',
    {
      schema: {
        tags,
        summary:
          'The edits made (bulk edits, tag renames, single edits, moves, removals, undos), newest first',
        description:
          `The newest ${CHANGES_KEPT} changes of the project are kept. \`undoable\`: not undone yet, and it changed something. ` +
          '`before` (an id) pages to older ones.',
        querystring: ChangesQuery,
      },
    },
    async (request) => {
      const q = request.query;
      const registry = service.project(q.project_id);
      const rows = service.store.changes.list(registry.projectId, q.limit ?? 50, q.before);
      return { ok: true, items: rows.map(changePayload) };
    },
  );

  app.get(
    '/api/changes/:id',
    {
      schema: {
        tags,
        summary: 'One change, with what it did to each asset (the keys it changed, before and after)',
        params: ChangeParams,
        querystring: ChangeQuery,
      },
    },
    async (request) => {
      const registry = service.project(request.query.project_id);
      const row = registry.change(request.params.id);
      const items = service.store.changes.items(row.id, '', request.query.limit ?? 100);
      const paths = new Map(registry.getMany(items.map((i) => i.uid)).map((r) => [r.uid, r.path]));
      return {
        ok: true,
        change: changePayload(row),
        items: items.map((item) => ({
          id: item.uid,
          path: paths.get(item.uid) ?? null,
          before: readableStates(item.before),
          after: readableStates(item.after),
        })),
      };
    },
  );

  app.get(
    '/api/assets/:id/changes',
    {
      schema: {
        tags,
        summary:
          "One asset's history: the changes that touched it, newest first, with its values before and after",
        description:
          'Each item is a change (as `GET /api/changes` lists it) with `before` and `after` for this asset.',
        params: IdParams,
        querystring: AssetChangesQuery,
      },
    },
    async (request) => {
      const registry = service.project(request.query.project_id);
      const found = registry.assetHistory(request.params.id, request.query.limit ?? 50);
      return {
        ok: true,
        items: found.map(({ change, item }) => assetChangePayload(change, item.before, item.after)),
      };
    },
  );

  const undo = async (
    registry: AssetRegistry,
    id: number | undefined,
    body: Static<typeof UndoBody>,
    reply: Parameters<typeof accepted>[0],
  ) => {
    // (A change that cannot be undone is a 404 or 409 at once, not a failed job.)
    const target = registry.changeToUndo(id);
    const { job, settled, report } = editJob(
      service,
      jobs,
      'undo',
      registry,
      body.ids ? new Set(body.ids).size : target.assets,
      (progress) => registry.undo(target.id, progress, body.ids),
    );
    if (body.wait === false) return accepted(reply, job);
    const summary = await settled;
    return { ok: true, job_id: job.id, undone: report()?.undone ?? target.id, ...summary };
  };

  // `POST …/undo` with no body at all is a plain undo (no options to give).
  const noBodyIsEmpty = async (request: { body: unknown }): Promise<void> => {
    request.body ??= {};
  };

  app.post(
    '/api/changes/:id/undo',
    {
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        summary: 'Undo a change: each asset it touched gets its earlier values back',
        description:
          'Only where the keys it changed still hold what it set: an asset edited since is left as it is and ' +
          'listed in `changed_since`. The undo is a change of its own (`change_id`): undoing it redoes. A job ' +
          'with `bulk_progress` events; `wait: false` answers 202. 409 `already_undone` for a change undone before. ' +
          "`ids` takes back only those assets' part (one asset's, from its history); the change stays undoable.",
        params: ChangeParams,
        querystring: ProjectQuery,
        body: UndoBody,
      },
    },
    async (request, reply) =>
      undo(service.project(request.query.project_id), request.params.id, request.body, reply),
  );

  app.post(
    '/api/changes/undo',
    {
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        summary: 'Undo the newest change that is not undone (and not itself an undo)',
        querystring: ProjectQuery,
        body: UndoBody,
      },
    },
    async (request, reply) => undo(service.project(request.query.project_id), undefined, request.body, reply),
  );
}

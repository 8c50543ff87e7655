/**
 * `/api/trash`: the files deleted through the registry (`delete_file`, `delete_files`), kept in
 * the hidden `.trash` folder of the assets root so that their removal can be undone, and
 * emptying it (see files/trash.ts).
 */
import type { RegistryService } from '../../registry/service.js';
import type { App } from '../app.js';
import { batchPayload, trashBatchNotFound, trashListing } from '../../files/trash.js';
import { EmptyTrashQuery, TrashBatchParams, TrashBatchQuery } from '../schemas.js';

const noBatch = (name: string): never => {
  throw trashBatchNotFound(name);
};

export function registerTrashRoutes(app: App, service: RegistryService): void {
  const tags = ['trash'];
  const { trash } = service;

  app.get(
    '/api/trash',
    {
      schema: {
        tags,
        summary: 'The deleted files kept in the trash: one batch per removal, newest first',
        description:
          '`folder` is under the assets root. Undoing a removal that deleted files brings them back from here. `keep_days`: how long a ' +
          'batch is kept (ASSET_REGISTRY_TRASH_DAYS; 0 deletes files at once).',
      },
    },
    async () => ({ ok: true, ...trashListing(trash) }),
  );

  app.get(
    '/api/trash/:name',
    {
      schema: {
        tags,
        summary: 'One batch of the trash (one removal) with its files: their paths as they were, and sizes',
        params: TrashBatchParams,
        querystring: TrashBatchQuery,
      },
    },
    async (request) => {
      const batch = trash.batch(request.params.name) ?? noBatch(request.params.name);
      const limit = request.query.limit ?? 100;
      return {
        ok: true,
        ...batchPayload(batch),
        items: batch.paths.slice(0, limit),
        truncated: batch.paths.length > limit,
      };
    },
  );

  app.post(
    '/api/trash/:name/restore',
    {
      schema: {
        tags,
        summary: 'Put a batch of orphaned sidecars back where they were (a removal comes back by its undo)',
        description:
          'Each sidecar goes back only where no file is now; the others stay in the batch and are listed in `kept` ' +
          'with the reason. A batch that a removal made answers 409 `restore_by_undo`: undo that change ' +
          '(`POST /api/changes/{id}/undo`), which brings the files back with their assets.',
        params: TrashBatchParams,
      },
    },
    async (request) => ({
      ok: true,
      name: request.params.name,
      ...(await service.restoreOrphans(request.params.name)),
    }),
  );

  app.delete(
    '/api/trash/:name',
    {
      schema: {
        tags,
        summary: 'Delete one batch of the trash for good (its removal can no longer be undone)',
        params: TrashBatchParams,
      },
    },
    async (request) => ({
      ok: true,
      ...(trash.emptyBatch(request.params.name) ?? noBatch(request.params.name)),
    }),
  );

  app.delete(
    '/api/trash',
    {
      schema: {
        tags,
        summary: 'Empty the trash (every batch, or those older than older_than_days)',
        description:
          'The files are deleted for good: the removals that put them there can no longer be undone.',
        querystring: EmptyTrashQuery,
      },
    },
    async (request) => {
      const { batches, files, bytes } = trash.empty(request.query.older_than_days);
      return { ok: true, batches, files, bytes };
    },
  );
}

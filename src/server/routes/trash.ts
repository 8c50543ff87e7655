/**
 * `/api/trash`: the files deleted through the registry (`delete_file`, `delete_files`), kept in
 * the hidden `.trash` folder of the assets root so that their removal can be undone, and
 * emptying it (see files/trash.ts).
 */
import type { RegistryService } from '../../registry/service.js';
import type { App } from '../app.js';
import { EmptyTrashQuery } from '../schemas.js';
import { trashListing } from '../../files/trash.js';

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

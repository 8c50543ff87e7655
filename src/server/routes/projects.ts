/**
 * `/api/projects`: the projects of the registry (each asset belongs to one, `project_id`), so a
 * client can offer them; every other route takes `project_id` to work in one.
 */
import type { RegistryService } from '../../registry/service.js';
import type { App } from '../app.js';

export function registerProjectRoutes(app: App, service: RegistryService): void {
  app.get(
    '/api/projects',
    {
      schema: {
        tags: ['assets'],
        summary: 'The projects that hold assets, with how many each',
        description:
          "`default` is the server's own project (the one a request without `project_id` works in): listed first, even when empty; the others by name.",
      },
    },
    async () => {
      const fallback = service.paths.projectId;
      const counts = service.store.projectCounts();
      const own = counts.find((p) => p.id === fallback) ?? { id: fallback, assets: 0 };
      // The default first, then the others by name.
      return { ok: true, default: fallback, items: [own, ...counts.filter((p) => p !== own)] };
    },
  );
}

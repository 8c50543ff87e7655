/**
 * Downloading a selection as one zip. The ids are POSTed (a selection may hold 100,000: too many
 * for a URL) and the answer is a link that lasts 15 minutes; the browser downloads it as any
 * file (streamed to disk with its own progress, never held in the page), and a script can too.
 * The link keeps the ids, not the plan: the archive is what the registry and disk hold when it
 * is fetched, and if one of its files has left the disk (or its asset the registry) since, the
 * download is refused before its first byte rather than sent without it (a pack shared as whole
 * that is not).
 */
import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.js';
import { exportArchive, nothingToExport, planExport, type ExportPlan } from '../../registry/export.js';
import type { RegistryService } from '../../registry/service.js';
import { logger } from '../../logging.js';
import type { App } from '../app.js';
import { IDS_BODY_LIMIT, JobIds, ProjectQuery } from '../schemas.js';

const ExportBody = Type.Object({
  ids: JobIds,
  sidecars: Type.Optional(
    Type.Boolean({ default: true, description: "Put each file's sidecar beside it (`<file>.asset.json`)." }),
  ),
});
const TokenParams = Type.Object({ token: Type.String({ pattern: '^[0-9a-f]{32}$' }) });

/** How long a download link lasts, and how many are kept at once (the oldest go first). */
export const EXPORT_LINK_TTL_MS = 15 * 60_000;
const MAX_LINKS = 64;

interface ExportLink {
  projectId: string;
  ids: string[];
  sidecars: boolean;
  name: string;
  expires: number;
}

/** `hero-pack.zip` when every file is in one folder, else `assets-2026-11-27-0915.zip`. */
function archiveName(plan: ExportPlan, now: Date): string {
  const folders = plan.files.map((f) => f.path.split('/').slice(0, -1));
  let common = folders[0] ?? [];
  for (const folder of folders) {
    let same = 0;
    while (same < common.length && folder[same] === common[same]) same++;
    common = common.slice(0, same);
  }
  const stamp = now.toISOString().slice(0, 16).replace('T', '-').replace(':', '');
  return `${common.at(-1) ?? `assets-${stamp}`}.zip`;
}

/** A Content-Disposition for any name: an ASCII fallback, and the name itself (RFC 6266). */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function registerExportRoutes(app: App, service: RegistryService): void {
  const links = new Map<string, ExportLink>();
  const forgetOld = (now: number): void => {
    for (const [token, link] of links) if (link.expires <= now) links.delete(token);
    for (const token of links.keys()) {
      if (links.size < MAX_LINKS) break;
      links.delete(token);
    }
  };

  app.post(
    '/api/assets/export',
    {
      bodyLimit: IDS_BODY_LIMIT,
      schema: {
        tags: ['assets'],
        summary: 'Prepare a zip of assets to download',
        description:
          'Answers with `url`, a link (15 minutes) to the zip: each file at its path under the assets root, ' +
          'with its sidecar unless `sidecars: false`, stored uncompressed (the size is known up front). ' +
          'Unknown ids are listed in `unknown`, assets whose file is not on disk in `missing`; both are left ' +
          'out. The files a 3D model names (buffers, textures, material libraries) come with it, listed in ' +
          '`resources`. A 404 when none can be exported.',
        body: ExportBody,
        querystring: ProjectQuery,
      },
    },
    async (request) => {
      const registry = service.project(request.query.project_id);
      const sidecars = request.body.sidecars ?? true;
      const ids = [...new Set(request.body.ids)];
      // What the link will send, counted; its sidecars are read when it is fetched, not now.
      const plan = await planExport(registry, ids, { sidecars: false });
      if (!plan.files.length) throw nothingToExport(plan, ids.length, registry.projectId);
      const now = Date.now();
      forgetOld(now);
      const token = randomBytes(16).toString('hex');
      const link: ExportLink = {
        projectId: registry.projectId,
        // (The files models name come with them again when it is fetched.)
        ids: plan.files.flatMap((f) => (f.id ? [f.id] : [])),
        sidecars,
        name: archiveName(plan, new Date(now)),
        expires: now + EXPORT_LINK_TTL_MS,
      };
      links.set(token, link);
      return {
        ok: true,
        url: `/api/assets/export/${token}`,
        name: link.name,
        files: plan.files.length,
        bytes: plan.bytes,
        sidecars,
        unknown: plan.unknown,
        missing: plan.missing,
        resources: plan.resources,
        expires_at: new Date(link.expires).toISOString(),
      };
    },
  );

  // GET sends the archive; HEAD its headers, with the length a GET would send. (Fastify's own HEAD
  // route would read the whole archive to throw it away, and leave its length at 0 if not sent.)
  for (const method of ['GET', 'HEAD'] as const) {
    app.route({
      method,
      url: '/api/assets/export/:token',
      exposeHeadRoute: false,
      schema: {
        tags: ['assets'],
        summary: method === 'GET' ? 'Download a prepared zip of assets' : 'The headers of a prepared zip',
        params: TokenParams,
      },
      handler: async (request, reply) => {
        const link = links.get(request.params.token);
        if (!link || link.expires <= Date.now())
          throw new AppError(
            404,
            'export_expired',
            'This download link is unknown or has expired (links last 15 minutes): prepare the download again.',
          );
        const plan = await planExport(service.project(link.projectId), link.ids, { sidecars: link.sidecars });
        const gone = [...plan.missing.map((m) => m.path), ...plan.unknown];
        if (gone.length)
          throw new AppError(
            409,
            'export_changed',
            `${gone.slice(0, 5).join(', ')}${gone.length > 5 ? ` and ${gone.length - 5} more` : ''} ` +
              `left the disk or the registry since this download was prepared: prepare it again (what is ` +
              'not on disk is then listed as missing, and left out).',
            { missing: plan.missing, unknown: plan.unknown },
          );
        const { stream, size } = exportArchive(plan);
        // A file changed while it was being sent: the download is cut short (its length will not match).
        stream.on('error', (err) => logger.warn({ err, name: link.name }, 'export cut short'));
        reply
          .header('content-type', 'application/zip')
          .header('content-disposition', attachment(link.name))
          .header('content-length', await size)
          .header('cache-control', 'no-store');
        if (method === 'GET') return reply.send(stream);
        stream.destroy(); // closes the file yazl began to read
        return reply.send();
      },
    });
  }
}

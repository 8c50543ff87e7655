/**
 * Serving previews (content-addressed ETags; immutable caching when the URL carries the hash)
 * and the preview queue's status and re-queue routes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.js';
import { previewVersion, type AssetRecord } from '../../domain/asset.js';
import {
  animationName,
  previewKind,
  takesPoster,
  thumbnailName,
  waveformName,
} from '../../previews/kinds.js';
import { relatedPath } from '../../previews/gltf.js';
import { resolveUnder } from '../../files/safe-path.js';
import { isJsonObject } from '../../domain/json.js';
import type { RegistryService } from '../../registry/service.js';
import type { App } from '../app.js';
import { applyRange } from '../range-header.js';
import { IDS_BODY_LIMIT, IdParams, PosterQuery } from '../schemas.js';
import { statIfThere } from '../../files/if-there.js';

/** The largest poster frame accepted (a 4K frame as PNG is ~10 MB; a JPEG far less). */
const POSTER_BODY_LIMIT = 16 * 1024 * 1024;

const ThumbQuery = Type.Object({
  size: Type.Optional(Type.Union([Type.Literal(256), Type.Literal(512)], { default: 256 })),
  v: Type.Optional(Type.String()),
  project_id: Type.Optional(Type.String()),
});
const VersionedQuery = Type.Object({
  v: Type.Optional(Type.String()),
  project_id: Type.Optional(Type.String()),
});
const RelatedQuery = Type.Object({
  path: Type.String({ minLength: 1, maxLength: 4096, description: 'A URI as the model names it' }),
  project_id: Type.Optional(Type.String()),
});
const RequeueBody = Type.Object({
  ids: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100_000 })),
  failed: Type.Optional(Type.Boolean({ description: 'Re-queue every failed preview.' })),
  project_id: Type.Optional(Type.String()),
});

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.json': 'application/json; charset=utf-8',
};

function requireReady(record: AssetRecord, kind: 'thumbnail' | 'waveform'): void {
  const own = previewKind(record.path);
  // (A video's thumbnail is its poster frame, a model's a picture of it, once the studio has set one.)
  if (takesPoster(own) && kind === 'thumbnail' && !record.thumb) {
    throw new AppError(
      404,
      'no_preview',
      `Asset ${record.uid} (${record.path}) has no poster yet: the studio sets one when it shows the ${own}.`,
    );
  }
  if (own !== kind && !(takesPoster(own) && kind === 'thumbnail')) {
    throw new AppError(404, 'no_preview', `Asset ${record.uid} (${record.path}) has no ${kind}.`);
  }
  if (record.previewStatus !== 'done') {
    const status = record.previewStatus ?? 'not queued';
    throw new AppError(
      404,
      'preview_not_ready',
      `The ${kind} of ${record.uid} is ${status}${record.previewError ? `: ${record.previewError}` : ''}.` +
        (status === 'failed' ? ' Fix the file, then POST /api/previews/requeue.' : ' Try again shortly.'),
      { status, error: record.previewError ?? null },
    );
  }
}

export function registerPreviewRoutes(app: App, service: RegistryService): void {
  const tags = ['previews'];

  const sendPreview = (
    record: AssetRecord,
    name: string,
    etag: string,
    versioned: boolean,
    ifNoneMatch: string | undefined,
    reply: import('fastify').FastifyReply,
  ) => {
    const file = path.join(service.paths.thumbsRoot, name);
    if (!fs.existsSync(file)) {
      // The preview cache was cleared (or this file deleted): the preview is made again, so the
      // gallery heals by itself instead of showing holes until someone requeues it.
      service.project(record.projectId).requeuePreviews([record.uid], false);
      throw new AppError(
        404,
        'preview_missing',
        `The preview file of ${record.uid} was missing (a cleared preview cache?); it is being made ` +
          'again: try again shortly.',
      );
    }
    reply
      .header('etag', etag)
      .header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (ifNoneMatch === etag) return reply.code(304).send();
    return reply.type(MIME[path.extname(name)] ?? 'application/octet-stream').send(fs.createReadStream(file));
  };

  app.get(
    '/api/assets/:id/thumbnail',
    {
      schema: { tags, summary: 'Image thumbnail (256 or 512 px)', params: IdParams, querystring: ThumbQuery },
    },
    async (request, reply) => {
      const registry = service.project(request.query.project_id);
      const record = registry.require(request.params.id);
      requireReady(record, 'thumbnail');
      const size = request.query.size ?? 256;
      const version = previewVersion(record);
      const etag = `"${version}-${size}"`;
      const versioned = request.query.v === version;
      return sendPreview(
        record,
        thumbnailName(record.uid, size, record.path),
        etag,
        versioned,
        request.headers['if-none-match'],
        reply,
      );
    },
  );

  // A frame is a few hundred KB; the 512 px poster is made from it.
  app.addContentTypeParser(
    ['image/png', 'image/jpeg', 'image/webp'],
    { parseAs: 'buffer', bodyLimit: POSTER_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
  app.put(
    '/api/assets/:id/poster',
    {
      bodyLimit: POSTER_BODY_LIMIT,
      schema: {
        tags,
        summary:
          "Set a video's poster frame or a 3D model's picture (its thumbnail): a PNG, JPEG or WebP image",
        description:
          'No server-side video decoder or 3D renderer is needed: the studio draws a frame of the video (a view ' +
          'of the model) in the browser and sends it here (`at`: seconds into the video, 0 for a model; `hash`: ' +
          'the bytes it was drawn from, so a picture of a file changed since is refused with 409 `stale_poster`). ' +
          "Resized to the 256 and 512 px thumbnails (a model's as PNGs, keeping its transparent background); " +
          'kept while the bytes stay the same. 409 `not_a_video` for other files.',
        params: IdParams,
        querystring: PosterQuery,
        consumes: ['image/png', 'image/jpeg', 'image/webp'],
      },
    },
    async (request) => {
      const registry = service.project(request.query.project_id);
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError(
          415,
          'unsupported_media_type',
          'Send the poster frame as the body, with Content-Type image/png, image/jpeg or image/webp.',
        );
      }
      const record = await registry.setPoster(request.params.id, request.body, {
        at: request.query.at,
        hash: request.query.hash,
      });
      return { ok: true, asset: registry.serialize(record) };
    },
  );

  app.get(
    '/api/assets/:id/waveform',
    { schema: { tags, summary: 'Audio waveform JSON', params: IdParams, querystring: VersionedQuery } },
    async (request, reply) => {
      const registry = service.project(request.query.project_id);
      const record = registry.require(request.params.id);
      requireReady(record, 'waveform');
      const etag = `"${record.hash.slice(0, 16)}-waveform"`;
      const versioned = request.query.v === record.hash.slice(0, 16);
      return sendPreview(
        record,
        waveformName(record.uid),
        etag,
        versioned,
        request.headers['if-none-match'],
        reply,
      );
    },
  );

  app.get(
    '/api/assets/:id/animation',
    {
      schema: {
        tags,
        summary: "An animation's frames played back: an animated WebP fitted in 512 px",
        description:
          'For an animated GIF or WebP and an Aseprite sprite (`metadata.preview.frames` > 1), once its preview is ' +
          'made: its frames with their own delays, looping. At most 500 frames, and 100 million source pixels ' +
          '(`metadata.preview.animation.frames` says how many play). 404 `no_animation` for a still picture.',
        params: IdParams,
        querystring: VersionedQuery,
      },
    },
    async (request, reply) => {
      const registry = service.project(request.query.project_id);
      const record = registry.require(request.params.id);
      requireReady(record, 'thumbnail');
      const preview = record.meta.preview;
      if (!isJsonObject(preview) || !isJsonObject(preview.animation))
        throw new AppError(404, 'no_animation', `Asset ${record.uid} (${record.path}) is not an animation.`);
      const version = previewVersion(record);
      return sendPreview(
        record,
        animationName(record.uid),
        `"${version}-animation"`,
        request.query.v === version,
        request.headers['if-none-match'],
        reply,
      );
    },
  );

  app.get(
    '/api/assets/:id/related',
    {
      schema: {
        tags,
        summary: "A file a 3D model refers to (a .gltf's buffer or texture), for viewers to load it",
        description:
          '`path`: the URI as the model names it (`metadata.preview.resources`), relative to its folder. Only ' +
          'those a model names are served, and only from inside the assets root. 404 `not_a_resource` for ' +
          'other names, 404 `file_missing` when the file is not there.',
        params: IdParams,
        querystring: RelatedQuery,
      },
    },
    async (request, reply) => {
      const registry = service.project(request.query.project_id);
      const record = registry.require(request.params.id);
      const uri = request.query.path;
      const preview = record.meta.preview;
      const named =
        isJsonObject(preview) && Array.isArray(preview.resources) && preview.resources.includes(uri);
      if (previewKind(record.path) !== 'model' || !named)
        throw new AppError(
          404,
          'not_a_resource',
          `${record.path} names no resource ${JSON.stringify(uri)}: ask for one of its metadata.preview.resources.`,
        );
      const rel = relatedPath(record.path, uri);
      if (rel === undefined)
        throw new AppError(
          404,
          'file_missing',
          `${record.path} names ${JSON.stringify(uri)}, which is not a file beside it inside the assets root: ` +
            'put the file in the assets folder and name it relative to the model.',
        );
      const { abs } = resolveUnder(service.paths.assetsRoot, rel, 'path');
      const stat = statIfThere(abs);
      if (!stat?.isFile())
        throw new AppError(
          404,
          'file_missing',
          `${rel}, which ${record.path} names, is not in the assets root: put it back beside the model.`,
        );
      applyRange(request, reply, stat.size);
      return reply.sendFile(rel);
    },
  );

  app.get(
    '/api/previews',
    {
      schema: {
        tags,
        summary: 'Preview queue: counts, recent failures, and the 3D models missing files they name',
      },
    },
    async () => ({
      ok: true,
      // The project routes use without a project_id (the studio's): its failures can be opened there.
      project_id: service.project().projectId,
      counts: service.store.previewCounts(),
      // This server's previews finished since its queue was last idle, and over how many seconds.
      wave: service.previews.currentWave(),
      // Pictures of an older registry still to get their fingerprint and colours (background work).
      pictures_to_read: service.store.picturesToRead(),
      // The project's 3D models that lack files they name (moved away, never copied in).
      missing_files: service.project().modelsMissingFiles(20),
      failed: service.store.failedPreviews(20).map((job) => ({
        project_id: job.project_id,
        uid: job.uid,
        path: job.path,
        error: job.error,
        updated_at: job.updated_at,
      })),
    }),
  );

  app.post(
    '/api/previews/requeue',
    {
      bodyLimit: IDS_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Queue previews again: for the given ids, every failed one, and every missing one',
        body: RequeueBody,
      },
    },
    async (request) => {
      const registry = service.project(request.body.project_id);
      const queued = registry.requeuePreviews(request.body.ids ?? [], request.body.failed ?? false);
      return { ok: true, queued, counts: service.store.previewCounts() };
    },
  );
}

/** `/api/assets/*`: thin adapters from HTTP to the registry service. */
import path from 'node:path';
import type { Static } from 'typebox';
import type { AssetPayload } from '../../domain/asset-payload.js';
import { COLOR_NAMES, MEDIA_BOUND_KEYS, type ColorName } from '../../domain/facets.js';
import { AppError, badRequest } from '../../domain/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { splitList } from '../../domain/lists.js';
import { removalSummary } from '../../domain/changes.js';
import { parseMetadataInput, type BulkEdit } from '../../domain/metadata.js';
import type { ProvenanceInput } from '../../domain/provenance.js';
import {
  removalReport,
  removedFileReport,
  type AssetRegistry,
  type SearchInput,
} from '../../registry/registry.js';
import type { RegistryService } from '../../registry/service.js';
import { hasPreview } from '../../previews/kinds.js';
import { similarReport } from '../../registry/similar.js';
import { creditsSheet, MAX_CREDITED } from '../../registry/credits.js';
import type { App } from '../app.js';
import { applyRange } from '../range-header.js';
import { accepted, jobSummaryEvent, type JobBoard } from '../jobs.js';
import { editJob } from './changes.js';
import {
  IDS_BODY_LIMIT,
  BulkBody,
  DeleteQuery,
  IdParams,
  IdsQuery,
  FoldersQuery,
  LookupBody,
  MoveBody,
  MoveOneBody,
  ProjectQuery,
  RegisterBody,
  RemoveBody,
  TagRenameBody,
  SearchQuery,
  SimilarQuery,
  UpdateBody,
  CreditsQuery,
} from '../schemas.js';
import { statIfThere } from '../../files/if-there.js';

export interface AssetRouteOptions {
  service: RegistryService;
  /** Where a bulk edit that does not wait runs. */
  jobs: JobBoard;
  /** Folders `POST /api/assets/register` may read sources from. */
  importRoots: readonly string[];
}

/** A colour of the `color` filter, or a 400 naming the colours there are. */
function colorName(name: string): ColorName {
  const found = COLOR_NAMES.find((known) => known === name.toLowerCase());
  if (!found)
    throw badRequest(
      `color: "${name}" is not one of the colours pictures are searched by: ${COLOR_NAMES.join(', ')}.`,
    );
  return found;
}

/** The registry's search input from the query string (`tags`/`tag` and `q`/`text` merged). */
function searchInput(q: Static<typeof IdsQuery> & Partial<Static<typeof SearchQuery>>): SearchInput {
  return {
    type: q.type,
    tags: [...splitList(q.tags), ...splitList(q.tag)],
    license: q.license,
    unlicensed: q.unlicensed === 'true',
    text: q.q ?? q.text,
    hash: q.hash,
    duplicates: q.duplicates || undefined,
    bounds: Object.fromEntries(MEDIA_BOUND_KEYS.map((key) => [key, q[key]])),
    folder: q.folder,
    orientation: q.orientation || undefined,
    colors: splitList(q.color).map(colorName),
    transparent: q.transparent ? q.transparent === 'true' : undefined,
    similarTo: q.similar_to,
    maxDistance: q.max_distance,
    sort: q.sort,
    order: q.order,
    limit: q.limit ?? 50,
    offset: q.offset ?? 0,
  };
}

/**
 * The top-level keys of a serialized asset (`serializeAsset`): what `fields=` may name. Listed
 * against the payload's type, so a key added to it and not here (or named here and not there)
 * fails the type check.
 */
const ITEM_FIELDS: ReadonlySet<string> = new Set(
  Object.keys({
    id: true,
    uid: true,
    type: true,
    hash: true,
    bytes: true,
    tags: true,
    license: true,
    origin: true,
    version: true,
    created_at: true,
    updated_at: true,
    project_id: true,
    metadata: true,
    links: true,
    sidecar: true,
    path: true,
    urls: true,
    copies: true,
    thumb: true,
    preview: true,
    thumbnails: true,
    preview_status: true,
    preview_error: true,
    colors: true,
  } satisfies Record<keyof AssetPayload, true>),
);

/**
 * `fields=` of the search route, parsed into [key] or [key, sub] paths. Unknown keys are a 400, so
 * a typo does not silently return items without the field the client counts on.
 */
export function parseFields(spec: string): string[][] {
  const paths = splitList(spec).map((name) => name.split('.'));
  for (const parts of paths) {
    const [key = '', sub] = parts;
    if (parts.length > 2 || !ITEM_FIELDS.has(key) || sub === '') {
      throw badRequest(
        `Unknown field "${parts.join('.')}" in fields: use item keys (${[...ITEM_FIELDS].join(', ')}) or key.subkey.`,
      );
    }
  }
  if (!paths.length) throw badRequest('fields is empty: name at least one item field, or leave it out.');
  return paths;
}

/** The chosen fields of one item, in the order named; `key.sub` keeps `{ key: { sub } }`. */
export function projectItem(item: JsonObject, paths: readonly string[][]): JsonObject {
  const out: JsonObject = {};
  for (const [key = '', sub] of paths) {
    if (!(key in item)) continue;
    const value = item[key] as JsonValue;
    if (sub === undefined) {
      out[key] = value;
      continue;
    }
    if (!isJsonObject(value) || !(sub in value)) continue;
    const into = out[key];
    // A whole object asked for next to one of its keys (`urls,urls.waveform`) stays whole.
    if (paths.some((p) => p.length === 1 && p[0] === key)) continue;
    out[key] = { ...(isJsonObject(into) ? into : {}), [sub]: value[sub] as JsonValue };
  }
  return out;
}

/** "Select all" over a filter returns at most this many ids. */
const MAX_IDS = 200_000;

export function registerAssetRoutes(app: App, { service, jobs, importRoots }: AssetRouteOptions): void {
  const tags = ['assets'];

  app.post(
    '/api/assets/register',
    {
      schema: {
        tags,
        summary: 'Register a file (copied into the assets root, or in place)',
        body: RegisterBody,
      },
    },
    async (request) => {
      const body = request.body;
      const metadata = parseMetadataInput(body.metadata);
      const registry = service.project(body.project_id);
      const result = await registry.register({
        path: body.path,
        assetType: body.asset_type ?? null,
        destPath: body.dest_path ?? null,
        metadata,
        copy: body.copy ?? true,
        provenance: { source: 'api.register', ...((body.provenance ?? {}) as ProvenanceInput) },
        licenseTag: typeof metadata.license === 'string' ? metadata.license : null,
        onConflict: body.on_conflict ?? 'error',
        allowedSourceRoots: importRoots,
      });
      let record = result.record;
      if (body.wait && hasPreview(record.path)) {
        await service.previews.waitFor(registry.projectId, [record.uid]);
        // And the sidecar that records them: a client may read it as soon as this answers.
        await registry.settleSidecars([record.uid]);
        record = registry.get(record.uid) ?? record;
      }
      return {
        ok: true,
        asset_id: record.uid,
        created: result.created,
        asset: registry.serialize(record),
        ...(result.resources ? { resources: result.resources } : {}),
      };
    },
  );

  app.get(
    '/api/assets/search',
    { schema: { tags, summary: 'Search assets (filters combine with AND)', querystring: SearchQuery } },
    async (request, reply) => {
      // The last event this answer may not show yet (read before the search): a client that starts
      // its event stream later asks for what came after it (`/api/events?since=`), so nothing
      // that happened in between is missed.
      void reply.header('x-event-seq', String(service.events.latestSeq()));
      const q = request.query;
      const fields = q.fields === undefined ? undefined : parseFields(q.fields);
      const registry = service.project(q.project_id);
      const input = searchInput(q);
      const { total, records } = await registry.search(input);
      const items = registry.serializeAll(records);
      const tagFilters = input.tags ?? [];
      const terms = [input.text ?? []].flat();
      const limit = input.limit ?? 50;
      return {
        ok: true,
        total,
        items: fields ? items.map((item) => projectItem(item, fields)) : items,
        filters: {
          type: q.type ?? null,
          tags: tagFilters,
          license: q.license ?? null,
          unlicensed: q.unlicensed === 'true',
          // One term as the reference echoed it; several as a list.
          q: terms.length > 1 ? terms : (terms[0] ?? null),
          hash: q.hash ?? null,
          duplicates: q.duplicates || null,
          ...Object.fromEntries(MEDIA_BOUND_KEYS.map((key) => [key, q[key] ?? null])),
          folder: q.folder?.trim() ? q.folder : null,
          orientation: q.orientation || null,
          color: input.colors?.length ? input.colors : null,
          transparent: input.transparent ?? null,
          limit,
          offset: q.offset ?? 0,
          sort: q.sort ?? 'created',
          order: q.order ?? 'desc',
        },
        debug: q.include_debug
          ? {
              hooks: service.hooks.describe(),
              assets_root: service.paths.assetsRoot,
              thumb_root: service.paths.thumbsRoot,
              project_id: registry.projectId,
            }
          : null,
      };
    },
  );

  app.get(
    '/api/assets/ids',
    {
      schema: {
        tags,
        summary: `Every id matching a search (same filters and order), up to ${MAX_IDS}: "select all" of a filter`,
        querystring: IdsQuery,
      },
    },
    async (request) => {
      const registry = service.project(request.query.project_id);
      const input = searchInput(request.query);
      const ids = await registry.searchIds(input, MAX_IDS);
      return { ok: true, total: ids.length, truncated: ids.length === MAX_IDS, ids };
    },
  );

  app.get(
    '/api/assets/credits',
    {
      schema: {
        tags,
        summary: 'A credits sheet of the assets a search finds: licence, path, title, origin, id, hash',
        description:
          'The search filters, and `format`: `csv` (RFC 4180, the default) or `md` (Markdown, a section per ' +
          `licence). Licensed assets first, by licence; those without one last; by path within. Up to ${MAX_CREDITED} assets.`,
        querystring: CreditsQuery,
      },
    },
    async (request, reply) => {
      const registry = service.project(request.query.project_id);
      const format = request.query.format ?? 'csv';
      const { sheet } = await creditsSheet(registry, searchInput(request.query), format);
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .header('content-type', format === 'md' ? 'text/markdown; charset=utf-8' : 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="credits-${stamp}.${format}"`)
        .send(sheet);
    },
  );

  app.get(
    '/api/assets/facets',
    {
      schema: {
        tags,
        summary: 'Filter options with counts: types, licences and the most used tags',
        querystring: ProjectQuery,
      },
    },
    async (request) => {
      const registry = service.project(request.query.project_id);
      return { ok: true, ...registry.facets() };
    },
  );

  app.get(
    '/api/assets/folders',
    {
      schema: {
        tags,
        summary: 'The folders right below a folder that hold assets (to browse with the folder filter)',
        querystring: FoldersQuery,
      },
    },
    async (request) => {
      const q = request.query;
      return {
        ok: true,
        ...service.project(q.project_id).subfolders(q.parent, q.limit ?? 500, q.counts ?? false),
      };
    },
  );

  app.post(
    '/api/assets/lookup',
    {
      schema: {
        tags,
        summary: 'Several assets by id, in the order asked (e.g. for Copy Debug JSON)',
        body: LookupBody,
        querystring: ProjectQuery,
      },
    },
    async (request) => {
      const registry = service.project(request.query.project_id);
      const records = registry.getMany(request.body.ids);
      const found = new Set(records.map((r) => r.uid));
      return {
        ok: true,
        items: registry.serializeAll(records),
        missing: request.body.ids.filter((id) => !found.has(id)),
      };
    },
  );

  /** A bulk edit run as a job with `bulk_progress` events (see {@link editJob}). */
  const bulkEditJob = (
    kind: 'bulk_edit' | 'tag_rename',
    registry: AssetRegistry,
    ids: readonly string[],
    edit: BulkEdit,
  ) =>
    editJob(service, jobs, kind, registry, new Set(ids).size, (progress) =>
      registry.bulkEdit(ids, edit, progress),
    );

  app.post(
    '/api/assets/bulk',
    {
      bodyLimit: IDS_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Add/remove tags and apply/clear a licence on many assets in one call',
        description:
          'Runs as a job: progress as `bulk_progress` events and at `GET /api/jobs/{id}`. With `wait: false` ' +
          'the answer is a 202 with the job id at once; by default it comes when every sidecar is written.',
        body: BulkBody,
        querystring: ProjectQuery,
      },
    },
    async (request, reply) => {
      const body = request.body;
      const addTags = splitList(body.add_tags);
      const removeTags = splitList(body.remove_tags);
      const license = body.clear_license ? null : body.license;
      if (!addTags.length && !removeTags.length && license === undefined) {
        throw badRequest('No bulk edits specified: give add_tags, remove_tags, license or clear_license.');
      }
      const registry = service.project(request.query.project_id);
      const { job, settled, report } = bulkEditJob('bulk_edit', registry, body.ids, {
        addTags,
        removeTags,
        license,
      });
      if (body.wait === false) return accepted(reply, job);
      const summary = await settled;
      return { ok: true, job_id: job.id, ...summary, items: registry.serializeAll(report()?.updated ?? []) };
    },
  );

  app.post(
    '/api/tags/rename',
    {
      schema: {
        tags: ['tags'],
        summary: 'Rename a tag on every asset that has it (or merge it into another)',
        description:
          'The tag keeps its place in each list; where an asset has the new name already, the two merge. A ' +
          'bulk edit of the assets with the tag: a job with `bulk_progress` events, `wait: false` for a 202. ' +
          'A 404 when no asset has the tag.',
        body: TagRenameBody,
        querystring: ProjectQuery,
      },
    },
    async (request, reply) => {
      const registry = service.project(request.query.project_id);
      const { from, to, ids } = await registry.tagRename(request.body.from, request.body.to);
      const { job, settled } = bulkEditJob('tag_rename', registry, ids, { renameTag: { from, to } });
      if (request.body.wait === false) return accepted(reply, job);
      return { ok: true, job_id: job.id, from, to, ...(await settled) };
    },
  );

  app.post(
    '/api/assets/remove',
    {
      bodyLimit: IDS_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Remove many assets from the registry (and their files, with delete_files: true)',
        description:
          'Runs as a job: progress as `remove_progress` events and at `GET /api/jobs/{id}`; each asset ' +
          'also as `asset_removed`. With `wait: false` the answer is a 202 with the job id at once.',
        body: RemoveBody,
        querystring: ProjectQuery,
      },
    },
    async (request, reply) => {
      const body = request.body;
      const registry = service.project(request.query.project_id);
      const { job, settled } = jobs.run(
        'remove',
        { done: 0, total: new Set(body.ids).size },
        async (report) =>
          removalReport(
            await registry.removeMany(
              body.ids,
              {
                deleteFiles: body.delete_files ?? false,
                trash: body.trash ?? true,
                change: {
                  kind: 'remove',
                  subject: 'record',
                  summary: removalSummary(new Set(body.ids).size, body.delete_files ?? false),
                },
              },
              (done, total) => report({ done, total }),
            ),
          ),
        (changed) =>
          service.hooks.emit(
            'remove_progress',
            jobSummaryEvent(changed, ({ removed, missing, files_deleted, change_id }) => ({
              removed,
              missing,
              files_deleted,
              change_id,
            })),
            registry.projectId,
          ),
      );
      if (body.wait === false) return accepted(reply, job);
      return { ok: true, job_id: job.id, ...(await settled) };
    },
  );

  app.post(
    '/api/assets/move',
    {
      bodyLimit: IDS_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Move many assets into a folder (ids, metadata and previews kept)',
        description:
          "Each file moves into `folder` under its own name, with its sidecar; a type that was its folder's " +
          'follows it. A file already at a target is never overwritten: that asset is listed in `failed` with ' +
          'why, and the others move. Runs as a job: progress as `move_progress` events and at ' +
          '`GET /api/jobs/{id}`; each asset also as `asset_moved` and `asset_meta_updated`. A 3D model ' +
          'takes along the files it names (see `leave_resources`), listed in `resources`. With ' +
          '`wait: false` the answer is a 202 with the job id at once.',
        body: MoveBody,
        querystring: ProjectQuery,
      },
    },
    async (request, reply) => {
      const body = request.body;
      const registry = service.project(request.query.project_id);
      const destination = registry.folderDestination(body.folder);
      const { job, settled } = jobs.run(
        'move',
        { done: 0, total: new Set(body.ids).size },
        async (report) => {
          const { changeId, ...moves } = await registry.moveMany(
            body.ids,
            destination,
            `Move to ${destination.folder}`,
            (done, total) => report({ done, total }),
            { leaveResources: body.leave_resources },
          );
          return { ...moves, change_id: changeId };
        },
        (changed) =>
          service.hooks.emit(
            'move_progress',
            jobSummaryEvent(changed, ({ moved, failed, missing, change_id }) => ({
              moved: moved.length,
              failed: failed.length,
              missing,
              change_id,
            })),
            registry.projectId,
          ),
      );
      if (body.wait === false) return accepted(reply, job);
      return { ok: true, job_id: job.id, ...(await settled) };
    },
  );

  app.post(
    '/api/assets/:id/move',
    {
      schema: {
        tags,
        summary: "Move or rename one asset's file (its id, metadata and previews kept)",
        description:
          'A 409 when a file or another asset is already at `path` (nothing is overwritten), a 400 when ' +
          'the extension would change or the path leaves the assets root. A 3D model moved to another folder ' +
          'takes along the files it names (see `leave_resources`), listed in `resources`.',
        params: IdParams,
        querystring: ProjectQuery,
        body: MoveOneBody,
      },
    },
    async (request) => {
      const registry = service.project(request.query.project_id);
      const { record, changeId, resources } = await registry.move(request.params.id, request.body.path, {
        leaveResources: request.body.leave_resources,
      });
      return {
        ok: true,
        asset: registry.serialize(record),
        change_id: changeId,
        ...(resources ? { resources } : {}),
      };
    },
  );

  app.get(
    '/api/assets/:id',
    { schema: { tags, summary: 'One asset', params: IdParams, querystring: ProjectQuery } },
    async (request) => {
      const registry = service.project(request.query.project_id);
      return { ok: true, asset: registry.serialize(registry.require(request.params.id)) };
    },
  );

  app.get(
    '/api/assets/:id/similar',
    {
      schema: {
        tags,
        summary: 'Pictures that look like this one (resized, re-encoded or retouched copies), nearest first',
        params: IdParams,
        querystring: SimilarQuery,
      },
    },
    async (request) =>
      similarReport(service.project(request.query.project_id), service.store, request.params.id, {
        maxDistance: request.query.max_distance,
        limit: request.query.limit,
      }),
  );

  app.patch(
    '/api/assets/:id',
    {
      schema: {
        tags,
        summary: 'Update metadata: merge the given keys (null removes one), or replace it whole',
        params: IdParams,
        querystring: ProjectQuery,
        body: UpdateBody,
      },
    },
    async (request) => {
      const metadata = parseUpdateMetadata(request.body.metadata);
      const registry = service.project(request.query.project_id);
      const { record, changeId } = await registry.updateMetadata(
        request.params.id,
        metadata,
        request.body.mode ?? 'merge',
        {
          ifVersion: request.body.if_version,
        },
      );
      return { ok: true, asset: registry.serialize(record), change_id: changeId };
    },
  );

  app.delete(
    '/api/assets/:id',
    {
      schema: {
        tags,
        summary: 'Remove an asset from the registry (and its file, with delete_file=true)',
        params: IdParams,
        querystring: DeleteQuery,
      },
    },
    async (request) => {
      const registry = service.project(request.query.project_id);
      const result = await registry.remove(request.params.id, {
        deleteFile: request.query.delete_file ?? false,
        trash: request.query.trash ?? true,
      });
      return {
        ok: true,
        removed: true,
        id: request.params.id,
        ...removedFileReport(result),
        change_id: result.changeId,
      };
    },
  );

  app.get(
    '/api/assets/:id/file',
    { schema: { tags, summary: 'Download the file', params: IdParams, querystring: ProjectQuery } },
    async (request, reply) => {
      const registry = service.project(request.query.project_id);
      const record = registry.require(request.params.id);
      // (Left to the static plugin, a missing file was a "No route" 404.)
      const stat = statIfThere(registry.absolutePath(record));
      if (!stat?.isFile()) {
        throw new AppError(
          404,
          'file_missing',
          `The file of asset ${record.uid} (${record.path}) is not in the assets root any more: put it ` +
            'back, or run a rebuild to bring the registry in line with the disk.',
        );
      }
      applyRange(request, reply, stat.size);
      return reply.download(record.path, path.basename(record.path));
    },
  );

  app.get(
    '/api/assets/:id/sidecar',
    { schema: { tags, summary: 'The parsed sidecar file', params: IdParams, querystring: ProjectQuery } },
    async (request) => {
      const registry = service.project(request.query.project_id);
      const { path: file, sidecar } = registry.readSidecar(request.params.id);
      return { ok: true, uid: request.params.id, path: file, sidecar };
    },
  );

  app.get(
    '/api/assets/:id/provenance',
    {
      schema: {
        tags,
        summary: 'Provenance records, newest first',
        params: IdParams,
        querystring: ProjectQuery,
      },
    },
    async (request) => {
      const registry = service.project(request.query.project_id);
      return { ok: true, items: registry.provenance(request.params.id) };
    },
  );
}

function parseUpdateMetadata(raw: unknown): JsonObject {
  if (raw === undefined) throw badRequest('metadata is required: the keys to change.');
  return parseMetadataInput(raw);
}

/**
 * `POST /api/assets/upload` and `/api/assets/import`: multipart, streamed to disk (never held in
 * memory), size-limited, the file name reduced to a safe base name; then registered like any
 * copied file, or unpacked as a zip of assets (registry/import.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../domain/errors.js';
import { parseMetadataInput } from '../../domain/metadata.js';
import { stagingName } from '../../files/leftovers.js';
import { importZip, type ImportProgress } from '../../registry/import.js';
import type { RegistryService } from '../../registry/service.js';
import type { App } from '../app.js';
import { accepted, jobSummaryEvent, type JobBoard } from '../jobs.js';
import { releaseBuffersWhileReading } from '../release-buffers.js';

/** An import's progress events, at most this often (the end is always told). */
const IMPORT_EVENT_EVERY_MS = 250;

/** Keeps only a base name with no path separators, control characters or leading dots. */
export function sanitiseFileName(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  const cleaned = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 200);
  return cleaned || 'upload.bin';
}

interface Received {
  file: string;
  name: string;
  size: number;
  mimetype: string;
  fields: Record<string, string>;
}

/** The multipart request's one "file" part streamed into `tmpDir`, and its fields. */
async function receiveFile(
  request: FastifyRequest,
  tmpDir: string,
  maxUploadBytes: number,
): Promise<Received> {
  if (!request.isMultipart()) {
    throw new AppError(
      415,
      'unsupported_media_type',
      'Uploads must be sent as multipart/form-data with a "file" part.',
    );
  }
  const fields: Record<string, string> = {};
  let uploaded: Omit<Received, 'fields'> | undefined;
  for await (const part of request.parts({ limits: { fileSize: maxUploadBytes, files: 1, fields: 20 } })) {
    if (part.type === 'field') {
      fields[part.fieldname] = typeof part.value === 'string' ? part.value : JSON.stringify(part.value ?? '');
      continue;
    }
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw badRequest(`Unexpected file part "${part.fieldname}"; send the file as the "file" part.`);
    }
    const name = sanitiseFileName(part.filename);
    fs.mkdirSync(tmpDir, { recursive: true });
    const file = path.join(tmpDir, name);
    releaseBuffersWhileReading(part.file);
    await pipeline(part.file, fs.createWriteStream(file, { flags: 'wx' }));
    if (part.file.truncated) {
      throw new AppError(
        413,
        'payload_too_large',
        `The file is larger than this server's upload limit of ${maxUploadBytes} bytes.`,
      );
    }
    uploaded = { file, name, size: fs.statSync(file).size, mimetype: part.mimetype };
  }
  if (!uploaded) throw badRequest('No file received: send it as the multipart part named "file".');
  return { ...uploaded, fields };
}

/** A multipart `wait` field: absent or "true" waits for the job's end, "false" answers 202 at once. */
function waitField(value: string | undefined): boolean {
  if (value === undefined || value === 'true') return true;
  if (value === 'false') return false;
  throw badRequest(`wait must be "true" or "false"; got "${value}".`);
}

export function registerUploadRoute(
  app: App,
  service: RegistryService,
  jobs: JobBoard,
  maxUploadBytes: number,
): void {
  const stagingFor = (kind: 'upload' | 'import'): string =>
    path.join(service.paths.stagingDir, stagingName(kind));

  app.post(
    '/api/assets/upload',
    {
      schema: {
        tags: ['assets'],
        summary:
          'Upload a file (multipart/form-data: file, asset_type, dest_path, metadata, on_conflict, session)',
        description:
          'Uploads that give the same `session` (any text up to 100 characters: the studio sends one per drop) ' +
          'are recorded as one change, "Upload N files" (`change_id`), which undo takes back, their files to the ' +
          'trash. Without a session an upload is not recorded, like a registration.',
        consumes: ['multipart/form-data'],
      },
    },
    async (request) => {
      const tmpDir = stagingFor('upload');
      try {
        const { fields, ...uploaded } = await receiveFile(request, tmpDir, maxUploadBytes);
        const metadata = parseMetadataInput(fields.metadata);
        const onConflict = fields.on_conflict === 'rename' ? 'rename' : 'error';
        const session = fields.session?.trim();
        if (session && session.length > 100)
          throw badRequest(`session must be at most 100 characters; got ${session.length}.`);
        const registry = service.project(fields.project_id);
        const result = await registry.register({
          path: uploaded.file,
          assetType: fields.asset_type || null,
          destPath: fields.dest_path || null,
          metadata,
          copy: true,
          sourceIsStaged: true,
          onConflict,
          licenseTag: typeof metadata.license === 'string' ? metadata.license : null,
          provenance: {
            source: typeof metadata.source === 'string' ? metadata.source : 'api.upload',
            inputs: { filename: uploaded.name, content_type: uploaded.mimetype, size_bytes: uploaded.size },
          },
        });
        // A session's new assets are one change (a drop of many files); a script's uploads without
        // one are not recorded, like its registrations (they would push real edits out of the history).
        const changeId =
          session && result.created
            ? registry.recordUpload(session, result.record.uid, result.record.path)
            : null;
        return {
          ok: true,
          asset_id: result.record.uid,
          created: result.created,
          asset: registry.serialize(result.record),
          change_id: changeId,
        };
      } finally {
        fs.rmSync(tmpDir, { recursive: true, force: true });
      }
    },
  );

  app.post(
    '/api/assets/import',
    {
      schema: {
        tags: ['assets'],
        summary: 'Import a zip of assets (multipart/form-data: file, dest): unpacked and registered',
        description:
          'Each file lands under `dest` (the top of the assets root by default) at its path in the archive, ' +
          'its sidecar (`<file>.asset.json`, as an export writes it) with it, and is registered with that ' +
          'metadata. A file already there is never overwritten: it is listed in `existing`. Hidden files, OS ' +
          'junk and `_meta` are listed in `skipped`. A name leading out of the root refuses the whole archive. ' +
          'Runs as a job once the upload is in: `wait=false` (a form field) answers 202 with its id, its ' +
          'progress (`phase` unpacking then registering, `files_done`, `files_total`) and then its report at ' +
          '`GET /api/jobs/{id}`, and as `import_progress` events.',
        consumes: ['multipart/form-data'],
      },
    },
    async (request, reply) => {
      const tmpDir = stagingFor('import');
      const removeUpload = (): void => fs.rmSync(tmpDir, { recursive: true, force: true });
      let handedToJob = false;
      try {
        const { fields, file } = await receiveFile(request, tmpDir, maxUploadBytes);
        const wait = waitField(fields.wait);
        const registry = service.project(fields.project_id);
        const progress: ImportProgress = { phase: 'unpacking', files_done: 0, files_total: 0 };
        let announced = 0;
        const { job, settled } = jobs.run(
          'import',
          progress,
          (report) => importZip(registry, file, fields.dest ?? '', report).finally(removeUpload),
          (changed) => {
            // A file at a time while unpacking: a quarter second apart is enough to follow it (each
            // event is a row of the event log), and the end is always told.
            const now = Date.now();
            if (changed.status === 'running' && now - announced < IMPORT_EVENT_EVERY_MS) return;
            announced = now;
            service.hooks.emit(
              'import_progress',
              jobSummaryEvent(changed, ({ imported, existing, skipped, change_id }) => ({
                imported: imported.length,
                existing: existing.length,
                skipped: skipped.length,
                change_id,
              })),
              registry.projectId,
            );
          },
        );
        handedToJob = true;
        if (!wait) return accepted(reply, job);
        return { ok: true, job_id: job.id, ...(await settled) };
      } finally {
        if (!handedToJob) removeUpload();
      }
    },
  );
}

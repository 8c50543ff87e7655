/**
 * `POST /api/assets/upload`: multipart, streamed to disk (never held in memory), size-limited,
 * the file name reduced to a safe base name, then registered like any copied file.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError, badRequest } from '../../domain/errors.js';
import { parseMetadataInput } from '../../domain/metadata.js';
import type { RegistryService } from '../../registry/service.js';
import type { App } from '../app.js';
import { releaseBuffersWhileReading } from '../release-buffers.js';

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

export function registerUploadRoute(app: App, service: RegistryService, maxUploadBytes: number): void {
  app.post(
    '/api/assets/upload',
    {
      schema: {
        tags: ['assets'],
        summary: 'Upload a file (multipart/form-data: file, asset_type, dest_path, metadata, on_conflict)',
        consumes: ['multipart/form-data'],
      },
    },
    async (request) => {
      if (!request.isMultipart()) {
        throw new AppError(
          415,
          'unsupported_media_type',
          'Uploads must be sent as multipart/form-data with a "file" part.',
        );
      }
      const fields: Record<string, string> = {};
      const tmpDir = path.join(service.paths.stagingDir, `upload-${randomBytes(8).toString('hex')}`);
      let uploaded: { file: string; name: string; size: number; mimetype: string } | undefined;
      try {
        for await (const part of request.parts({
          limits: { fileSize: maxUploadBytes, files: 1, fields: 20 },
        })) {
          if (part.type === 'field') {
            fields[part.fieldname] =
              typeof part.value === 'string' ? part.value : JSON.stringify(part.value ?? '');
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
        const metadata = parseMetadataInput(fields.metadata);
        const onConflict = fields.on_conflict === 'rename' ? 'rename' : 'error';
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
        return {
          ok: true,
          asset_id: result.record.uid,
          created: result.created,
          asset: registry.serialize(result.record),
        };
      } finally {
        fs.rmSync(tmpDir, { recursive: true, force: true });
      }
    },
  );
}

/**
 * The product's error envelope: `{ok:false, code, message, details?, request_id}` with a 4xx
 * that says what to fix; unexpected faults are logged and answered 500 without internals.
 */
import { randomUUID } from 'node:crypto';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import { AppError, diskFull, isDiskFull } from '../domain/errors.js';
import { drainRefusedBody } from './body-limit.js';

export interface ErrorEnvelope {
  ok: false;
  code: string;
  message: string;
  details?: unknown;
  request_id: string;
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details?: unknown,
) {
  const body: ErrorEnvelope = { ok: false, code, message, request_id: String(reply.request.id) };
  if (details !== undefined) body.details = details;
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Errors the router raises before a route is chosen (Fastify's `frameworkErrors`): a URL whose
 * percent-encoding is broken, and a path parameter longer than the router takes (100 characters;
 * an id is 16 to 64). Without this they were answered in Fastify's own shape, not the envelope.
 */
export function sendFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void (error.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? sendError(
        reply,
        414,
        'uri_too_long',
        'A part of the URL path (an id, a name) is longer than the 100 characters any of them can be: check the link.',
      )
    : sendError(
        reply,
        400,
        'bad_request',
        'The URL path is not valid: a "%" must start an escape of two hex digits (write "%25" for "%" itself).',
      ));
}

const FASTIFY_CODES: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'Send the body as application/json (or multipart/form-data for uploads).',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_PARTS_LIMIT: { status: 413, code: 'payload_too_large' },
  FST_FILES_LIMIT: { status: 413, code: 'payload_too_large' },
  FST_FIELDS_LIMIT: { status: 413, code: 'payload_too_large' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'Uploads must be sent as multipart/form-data with a "file" part.',
  },
};

/**
 * Ajv's errors as one sentence, a clause per field. A value outside a list of constants (`sort`,
 * `duplicates`, `mode`) reads as the values allowed, instead of Ajv's "must be equal to constant"
 * once per constant and "must match a schema in anyOf".
 */
export function validationMessage(
  context: string | undefined,
  errors: readonly FastifySchemaValidationError[],
): string {
  const byField = new Map<string, FastifySchemaValidationError[]>();
  for (const error of errors)
    byField.set(error.instancePath, [...(byField.get(error.instancePath) ?? []), error]);
  const clauses = [...byField].map(([at, fieldErrors]) => {
    const where = `${context ?? 'request'}${at}`;
    const allowed = fieldErrors.flatMap((e) =>
      e.keyword === 'const' ? [JSON.stringify(e.params.allowedValue)] : [],
    );
    // (A "type" error beside them: the parameter was repeated, so it came as a list.)
    if (allowed.length && fieldErrors.every((e) => ['const', 'anyOf', 'type'].includes(e.keyword))) {
      const repeated = fieldErrors.some((e) => e.keyword === 'type') ? ', given once' : '';
      return `${where} must be one of ${[...new Set(allowed)].join(', ')}${repeated}`;
    }
    return fieldErrors.map((e) => `${where} ${e.message ?? 'is not valid'}`).join(', ');
  });
  return `Request validation failed: ${clauses.join('; ')}.`;
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const send = (): unknown => answerError(error, request, reply);
    // An error while the body was still coming in (too large, a disk full mid-upload): the rest is
    // read and dropped first (see body-limit), or the connection closes after the answer, which a
    // client reusing it would otherwise wait on for good.
    if (request.raw.complete) return send();
    return drainRefusedBody(request.raw).then(() => {
      if (!request.raw.complete) void reply.header('connection', 'close');
      return send();
    });
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      404,
      'not_found',
      `No route ${request.method} ${request.url.split('?')[0]}. The API is described at /docs.`,
    ),
  );
}

/** The error's answer in the envelope. */
function answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): unknown {
  if (error instanceof AppError) {
    if (error.status >= 500) request.log.error({ err: error }, error.message);
    return sendError(reply, error.status, error.code, error.message, error.details);
  }
  if (error.validation) {
    return sendError(
      reply,
      422,
      'validation_error',
      validationMessage(error.validationContext, error.validation),
      error.validation.map((v) => ({
        location: error.validationContext,
        path: v.instancePath,
        message: v.message,
        params: v.params,
      })),
    );
  }
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) {
    const message =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `The request body is larger than the ${request.routeOptions.bodyLimit ?? 'allowed'} bytes ` +
          `${request.method} ${request.routeOptions.url ?? request.url} takes: send less at once ` +
          '(a long list of ids in parts).'
        : (known.message ?? error.message);
    return sendError(reply, known.status, known.code, message);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return sendError(reply, status, `http_${status}`, error.message);
  if (isDiskFull(error)) {
    request.log.error({ err: error }, 'disk full');
    const full = diskFull(error);
    return sendError(reply, full.status, full.code, full.message);
  }
  const errorId = randomUUID().replace(/-/g, '').slice(0, 16);
  request.log.error({ err: error, error_id: errorId }, 'unhandled error');
  return sendError(reply, 500, 'internal_error', 'Internal server error', { error_id: errorId });
}

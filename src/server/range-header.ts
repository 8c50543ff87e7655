/**
 * A file's Range header read as RFC 9110 (§14.1.2, §14.2) says, before the static plugin's
 * parser sees it: that parser answered 416 (in its own HTML, without Content-Range) both to a
 * header that is not byte ranges at all, which is to be ignored (the whole file, 200), and to a
 * suffix range longer than the file, which asks for all of it (206).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';

/** `first-last` or `first-`, or `-suffix` (the last bytes). */
const BYTE_RANGE = /^(?:(\d+)-(\d*)|-(\d+))$/;

/** One range of a file of `size` bytes as `first-[last]`; null when it is past the end; undefined when invalid. */
function byteRange(spec: string, size: number): string | null | undefined {
  const match = BYTE_RANGE.exec(spec.trim());
  if (!match) return undefined;
  const [, first, last, suffix] = match;
  if (suffix !== undefined)
    return Number(suffix) > 0 && size > 0 ? `${Math.max(0, size - Number(suffix))}-` : null;
  if (last && Number(last) < Number(first)) return undefined;
  return Number(first) < size ? `${first}-${last}` : null;
}

/**
 * Rewrites the request's Range header for a file of `size` bytes into ranges the plugin serves as
 * asked, drops one to be ignored, or refuses one that no byte of the file satisfies (416, with
 * the file's size).
 */
export function applyRange(request: FastifyRequest, reply: FastifyReply, size: number): void {
  const { headers } = request.raw;
  if (headers.range === undefined) return;
  const ranges = /^bytes=(.*)$/i
    .exec(headers.range.trim())?.[1]
    ?.split(',')
    .map((spec) => byteRange(spec, size));
  if (!ranges || ranges.includes(undefined)) {
    delete headers.range;
    return;
  }
  const satisfiable = ranges.filter((range) => typeof range === 'string');
  if (!satisfiable.length) {
    reply.header('content-range', `bytes */${size}`);
    throw new AppError(
      416,
      'range_not_satisfiable',
      `Range: ${headers.range} asks only for bytes past the end of the file, which has ${size}: ` +
        'ask for bytes within it, or leave the header out for the whole file.',
    );
  }
  headers.range = `bytes=${satisfiable.join(',')}`;
}

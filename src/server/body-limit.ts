/**
 * A request body declared bigger than the limit is read to its end and dropped before the 413
 * goes out. Answered at once, the server closes the connection while the client is still
 * sending, and the client sees a broken pipe (EPIPE, "fetch failed") instead of the answer.
 * Multipart uploads have their own limits (`@fastify/multipart`); bodies declared absurdly
 * large are not read at all.
 */
import type { IncomingMessage } from 'node:http';
import { errorCodes, type FastifyInstance } from 'fastify';

/** Bodies over the limit but under this are drained so the client reads its 413. */
const DRAIN_LIMIT = 32 * 1024 * 1024;

export function installBodyLimit(app: FastifyInstance, bodyLimit: number): void {
  app.addHook('onRequest', async (request) => {
    const declared = Number(request.headers['content-length']);
    if (!(declared > bodyLimit) || declared > DRAIN_LIMIT) return;
    if (
      String(request.headers['content-type'] ?? '')
        .toLowerCase()
        .startsWith('multipart/')
    )
      return;
    await drain(request.raw);
    throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
  });
}

function drain(body: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    body
      .on('end', resolve)
      .on('error', () => resolve())
      .on('close', resolve)
      .resume();
  });
}

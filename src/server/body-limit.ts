/**
 * A request body left unread by an error (refused as too large, an upload cut short by a full
 * disk) is read to its end and dropped before the error goes out, whether it declared its length
 * or came chunked. Answered at once, the server closes the connection while the client is still
 * sending, and the client sees a broken pipe (EPIPE, "fetch failed") instead of the answer.
 * Draining is bounded: bodies declared bigger than {@link DRAIN_LIMIT} are not read at all, and a
 * drain stops after that many bytes or {@link DRAIN_MS}, whichever comes first (then the error
 * goes out and the connection closes).
 */
import type { IncomingMessage } from 'node:http';

/** Bodies over the limit but under this are drained so the client reads its 413. */
const DRAIN_LIMIT = 32 * 1024 * 1024;
/** A client that keeps a refused body trickling in gets its answer after this long anyway. */
const DRAIN_MS = 10_000;

/** Reads and drops the rest of a refused request body (bounded); resolves when it is done. */
export function drainRefusedBody(body: IncomingMessage): Promise<void> {
  if (body.complete || body.destroyed || Number(body.headers['content-length']) > DRAIN_LIMIT)
    return Promise.resolve();
  return new Promise((resolve) => {
    let drained = 0;
    const finish = (): void => {
      clearTimeout(timer);
      body.off('data', onData).off('end', finish).off('error', finish).off('close', finish);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      drained += chunk.length;
      if (drained > DRAIN_LIMIT) finish();
    };
    const timer = setTimeout(finish, DRAIN_MS);
    body.unpipe(); // (from a multipart parser that stopped reading at the error)
    body.on('data', onData).on('end', finish).on('error', finish).on('close', finish).resume();
  });
}

/**
 * The JSON body parser. Fastify's default answers every malformed body with one sentence; this
 * one passes on where the text breaks (the JSON parser's message, with its position) and names
 * the keys it refuses: `__proto__` and `constructor.prototype` (refused, as by the default,
 * through secure-json-parse: they could change how the server's objects behave).
 */
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { AppError } from '../domain/errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../domain/json.js';

const invalid = (message: string): AppError => new AppError(400, 'invalid_json', message);

export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (!text.length) {
      done(invalid('The request body is empty; send a JSON object (an empty one is {}).'), undefined);
      return;
    }
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(
        invalid(
          `The request body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep; flatten it.`,
        ),
        undefined,
      );
      return;
    }
    try {
      done(null, secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      const reason = (err as Error).message;
      done(
        invalid(
          /forbidden/.test(reason)
            ? 'The request body has a "__proto__" or "constructor.prototype" key, which is refused: rename it.'
            : `The request body is not valid JSON (${reason}); send a JSON object.`,
        ),
        undefined,
      );
    }
  });
}

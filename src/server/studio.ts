/**
 * The web studio: the Vite build (dist/web) served at `/`. Hashed asset files are immutable;
 * index.html is revalidated so a new build is picked up at the next load. Text files are sent
 * brotli- or gzip-compressed from copies made at build time. Without a build, `/`
 * says how to make one instead of a bare 404.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { App } from './app.js';

/** dist/web, seen from dist/server (built) or src/server (run through tsx). */
export function findStudioBuild(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    process.env.ASSET_REGISTRY_WEB_ROOT,
    path.resolve(here, '../web'),
    path.resolve(here, '../../dist/web'),
  ];
  return candidates.find((dir) => dir && fs.existsSync(path.join(dir, 'index.html')));
}

export async function registerStudio(app: App, webRoot: string | undefined): Promise<void> {
  if (!webRoot) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send(
          'The studio is not built. Run `npm run build` (npm ci does it), then reload. The API is at /docs.\n',
        ),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: webRoot,
    prefix: '/',
    decorateReply: false,
    wildcard: false,
    index: ['index.html'],
    // The build writes .br and .gz copies (web/vite.config.ts); they are sent to browsers that
    // accept them, the plain file to the others.
    preCompressed: true,
    setHeaders: (res, sent) => {
      const file = sent.replace(/\.(br|gz)$/, '');
      const hashed = file.includes(`${path.sep}assets${path.sep}`);
      res.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (file.endsWith('.html')) {
        res.header(
          'content-security-policy',
          // (WebAssembly and workers from blobs: the decoders of compressed 3D models.)
          "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
        );
      }
    },
  });
}

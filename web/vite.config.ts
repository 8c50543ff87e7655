// The studio is built into dist/web, which the server serves at `/`. `npm run dev:web` proxies
// the API to a server on :8001 for hot reload while working on the UI.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { FIRST_REQUESTS } from './src/first-load.js';

const PRELOAD_MARKER = '<!-- first-requests -->';
const escapeAttr = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

/** index.html preloads exactly the URLs main.tsx prefetches (one list, web/src/first-load.ts). */
function firstRequestPreloads(): Plugin {
  return {
    name: 'first-request-preloads',
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        if (!html.includes(PRELOAD_MARKER)) throw new Error(`index.html lacks ${PRELOAD_MARKER}`);
        const links = FIRST_REQUESTS.map(
          (url) => `<link rel="preload" as="fetch" crossorigin href="${escapeAttr(url)}" />`,
        );
        return html.replace(PRELOAD_MARKER, links.join('\n    '));
      },
    },
  };
}

/**
 * Brotli and gzip copies of the text files, made once at build time: the server sends them as
 * they are (@fastify/static `preCompressed`), so nothing is compressed per request.
 */
function precompress(): Plugin {
  return {
    name: 'precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? '';
      for (const file of Object.values(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(file.fileName)) continue;
        const data = Buffer.from(file.type === 'chunk' ? file.code : file.source);
        const target = path.join(dir, file.fileName);
        const br = zlib.brotliCompressSync(data, {
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
          },
        });
        const gz = zlib.gzipSync(data, { level: 9 });
        // Only copies that are smaller; the server falls back to the plain file.
        if (br.length < data.length) fs.writeFileSync(`${target}.br`, br);
        if (gz.length < data.length) fs.writeFileSync(`${target}.gz`, gz);
      }
    },
  };
}

/**
 * The decoders of compressed glTF (three.js's Draco decoder and Basis transcoder, JavaScript and
 * WebAssembly run in workers), served at /decoders/ as the model view asks for them: copied into
 * the build, and served from node_modules by the dev server.
 */
const DECODERS: Record<string, string> = {
  draco: 'node_modules/three/examples/jsm/libs/draco/gltf',
  basis: 'node_modules/three/examples/jsm/libs/basis',
};

function modelDecoders(): Plugin {
  const from = (name: string): string => path.resolve(import.meta.dirname, '..', DECODERS[name] ?? '');
  return {
    name: 'model-decoders',
    writeBundle(options) {
      for (const name of Object.keys(DECODERS))
        fs.cpSync(from(name), path.join(options.dir ?? '', 'decoders', name), {
          recursive: true,
          filter: (file) => !file.endsWith('.md'),
        });
    },
    configureServer(server) {
      server.middlewares.use('/decoders', (req, res, next) => {
        const [name, file] = (req.url ?? '').split('?')[0]!.split('/').filter(Boolean);
        const source = name && file && DECODERS[name] ? path.join(from(name), path.basename(file)) : '';
        if (!source || !fs.existsSync(source)) return next();
        res.setHeader('content-type', source.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        fs.createReadStream(source).pipe(res);
      });
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), firstRequestPreloads(), precompress(), modelDecoders()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    // three.js and its glTF, FBX and OBJ loaders (the 3D model view, ~730 KB, 190 KB gzipped) are a
    // chunk loaded only when a model is shown.
    chunkSizeWarningLimit: 900,
    // Brotli at its best quality takes ~0.5 s of the build on purpose; no warning about it.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8001' } },
});

// The studio is built into dist/web, which the server serves at `/`. `npm run dev:web` proxies
// the API to a server on :8001 for hot reload while working on the UI.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/api': 'http://127.0.0.1:8001' } },
});

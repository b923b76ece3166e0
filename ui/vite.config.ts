// Vite builds the app into dist/, which `weft serve --ui dist` serves at /.
// In development (`npm run dev`) the dev server proxies /api to a running
// `weft serve`: WEFT_URL, or http://127.0.0.1:8080 (what `make run` serves).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.WEFT_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // The chart libraries (vega, vega-lite, vega-embed: about 860 kB, 300 kB
    // gzipped) are one chunk that loads only when a chart is first drawn.
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        // Libraries in their own chunks: they change less often than the app.
        manualChunks: {
          flow: ['@xyflow/react'],
          layout: ['@dagrejs/dagre'],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      // The endpoints' scoring routes (the Test tab's key check, the Consume
      // samples' URLs); /endpoints and /endpoints/{name} themselves are pages.
      '/endpoints': {
        target: api,
        changeOrigin: false,
        bypass: (req) => (req.method === 'GET' && /^\/endpoints(\/[^/?]+)?\/?(\?.*)?$/.test(req.url ?? '') ? req.url : undefined),
      },
      '/v2': { target: api, changeOrigin: false },
    },
    // The sample pipelines live beside the app, in the repository.
    fs: { allow: ['..'] },
  },
});

/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Build into ../static: the Starlette app serves that folder at '/'
// (client-side routes fall back to index.html), GraphQL at '/graphql'. Two entries:
// the UI (index.html) and GraphiQL (graphiql.html, which a browser's GET /graphql
// gets), so no script comes from a CDN.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: '../static',
    emptyOutDir: true,
    // hashed files go to /_app/… so they never collide with the /assets/<key> route
    assetsDir: '_app',
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { main: 'index.html', graphiql: 'graphiql.html' },
      // graphiql's modules start with "use no memo" (a React Compiler hint); dropping
      // it while bundling is harmless, and the warnings hid the real ones.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  worker: {
    format: 'es',
  },
  server: {
    port: 5173,
    proxy: {
      '/graphql': {
        target: 'http://127.0.0.1:3000',
        ws: true,
        changeOrigin: false,
      },
    },
  },
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
  },
});

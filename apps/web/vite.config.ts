// The legacy `node` resolver of import-x (eslint.config.js) crashes when no-cycle walks into vite's
// dependencies (it loads lightningcss/node as a resolver); a config file cannot be part of a cycle anyway.
/* eslint import-x/no-cycle: "off" */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './build/precompress.ts';

/** The Bureau server in development (`npm start`, BUREAU_PORT 8080). */
const bureauServer = 'http://127.0.0.1:8080';

/** Paths the dev server (and `vite preview`) hands to the Bureau server. */
const proxy = {
  '/api/': bureauServer,
  '/auth/': bureauServer,
  '/_matrix/': bureauServer,
  // The documents' real-time editing socket.
  '/collab': { target: bureauServer, ws: true },
  '/.well-known/matrix/': bureauServer,
  '/healthz': bureauServer,
  '/readyz': bureauServer,
};

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Content-hashed files under dist/assets/: the server caches them for a year (immutable).
    assetsDir: 'assets',
    // The CSP (default-src 'self') forbids data: URLs: every asset stays a file.
    assetsInlineLimit: 0,
    // The shell's budget is checked by bundle-budget.test.ts (gzipped); this is Vite's raw-size warning.
    chunkSizeWarningLimit: 400,
  },
  server: { host: '127.0.0.1', proxy },
  preview: { host: '127.0.0.1', proxy },
});

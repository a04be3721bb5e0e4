// Vite only bundles and optimises the client for production. The sources in
// app/ are plain ES modules that browsers load as they are, so the server can
// serve app/ directly when no build exists.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: 'app',
  base: './',
  envDir: here,
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        index: resolve(here, 'app/index.html'),
        workspace: resolve(here, 'app/workspace.html'),
      },
    },
  },
  server: { port: 5173 },
  test: {
    root: here,
    include: ['tests/**/*.test.js'],
    environment: 'node',
  },
});

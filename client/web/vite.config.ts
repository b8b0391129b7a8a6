import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The web client. No framework plugin: Vite's own transformer compiles TSX with
// React's automatic runtime (see tsconfig.json "jsx"), which is all the build needs.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // The Markdown, KaTeX and highlighting chunk (about 600 kB, 180 kB compressed) loads after the room
    // is on screen (client/web/src/components/rich/lazy-rich-text.tsx); the app itself stays under this.
    chunkSizeWarningLimit: 700,
  },
  server: {
    // `npx vite --config client/web/vite.config.ts` during development: the API and the gateway run on :3000.
    proxy: {
      '/auth': 'http://localhost:3000',
      '/sessions': 'http://localhost:3000',
      '/health': 'http://localhost:3000',
      '/socket.io': { target: 'ws://localhost:3000', ws: true },
    },
  },
});

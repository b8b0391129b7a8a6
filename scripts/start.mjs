// `npm start`: builds what is missing or out of date, then serves the whole
// product (API, live gateway, web client) on PORT (default 3000).
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildWeb, ensureServerBuilt, newest } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const serverEntry = join(root, 'dist', 'main.js');
ensureServerBuilt(serverEntry);
const webDir = join(root, 'client', 'web');
const webIndex = join(webDir, 'dist', 'index.html');
if (existsSync(join(webDir, 'vite.config.ts'))) {
  const sources = Math.max(newest(webDir, new Set(['dist', 'node_modules'])), newest(join(root, 'client', 'sdk')), newest(join(root, 'src', 'contract')));
  if (!existsSync(webIndex) || sources > statSync(webIndex).mtimeMs) {
    console.log('Building the web client...');
    buildWeb();
  }
}
await import(pathToFileURL(serverEntry).href);

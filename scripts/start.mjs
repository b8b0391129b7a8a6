// `npm start`: builds what is missing or out of date, then serves the whole
// product (API, live gateway, web client) on PORT (default 3000).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildServer, buildWeb } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir, skip = new Set()) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path, skip) : statSync(path).mtimeMs);
  }
  return latest;
}

const serverEntry = join(root, 'dist', 'main.js');
if (!existsSync(serverEntry) || newest(join(root, 'src')) > statSync(serverEntry).mtimeMs) {
  console.log('Building the server...');
  buildServer();
}
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

// `npm start`: builds what is missing or out of date, then serves the whole
// product (API, live gateway, web client) on PORT (default 3000).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureServerBuilt, ensureWebBuilt } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const serverEntry = join(root, 'dist', 'main.js');
ensureServerBuilt(serverEntry);
ensureWebBuilt();
await import(pathToFileURL(serverEntry).href);

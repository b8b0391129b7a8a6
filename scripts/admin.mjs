// `npm run admin -- grant EMAIL | revoke EMAIL | list`: builds the server if needed,
// then runs the admin command (dist/cli/admin.js) with the server's environment.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServerBuilt } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli', 'admin.js');
ensureServerBuilt(entry);
const result = spawnSync(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);

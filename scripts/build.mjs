// Builds the server (TypeScript -> dist/) and, when present, the web client (client/web -> client/web/dist).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args, label, env = process.env) => {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`build: ${label} failed`);
    process.exit(result.status ?? 1);
  }
};

/** The newest modification time of any file under `dir` (skipping the named entries). */
export function newest(dir, skip = new Set()) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path, skip) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Builds the server when `entry` (a file under dist/) is missing or older than src/. */
export function ensureServerBuilt(entry = join(root, 'dist', 'main.js')) {
  if (existsSync(entry) && newest(join(root, 'src')) <= statSync(entry).mtimeMs) return false;
  console.log('Building the server...');
  buildServer();
  return true;
}

export function buildServer() {
  if (!existsSync(join(root, 'src', 'generated', 'prisma', 'client.ts')))
    run([join(root, 'scripts', 'prisma-generate.mjs')], 'prisma generate');
  run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], 'server build');
}

/** Builds the web client when its bundle is missing or older than its sources (the SDK and the contract included). */
export function ensureWebBuilt() {
  const webDir = join(root, 'client', 'web');
  const webIndex = join(webDir, 'dist', 'index.html');
  if (!existsSync(join(webDir, 'vite.config.ts'))) return false;
  const sources = Math.max(
    newest(webDir, new Set(['dist', 'node_modules'])),
    newest(join(root, 'client', 'sdk')),
    newest(join(root, 'src', 'contract')),
  );
  if (existsSync(webIndex) && sources <= statSync(webIndex).mtimeMs) return false;
  console.log('Building the web client...');
  buildWeb();
  return true;
}

export function buildWeb() {
  const viteConfig = join(root, 'client', 'web', 'vite.config.ts');
  if (!existsSync(viteConfig)) return;
  run(
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', viteConfig, '--logLevel', 'warn'],
    'web client build',
    {
      ...process.env,
      // Always React's production build, even when called from a test runner that sets NODE_ENV=test.
      NODE_ENV: 'production',
    },
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv[2];
  if (only !== 'web') buildServer();
  if (only !== 'server') buildWeb();
}

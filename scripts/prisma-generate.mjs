// Runs `prisma generate` after `npm install`. This machine cannot download
// Prisma's native schema engine and `generate` does not need it, so the CLI is
// pointed at a stand-in that refuses to run (exit 1) instead of trying to fetch one.
// Skips quietly where the CLI is absent (`npm ci --omit=dev` on a server that
// ships a prebuilt dist/ with its generated client).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!existsSync(cli)) {
  console.log('prisma-generate: prisma CLI not installed, skipping');
  process.exit(0);
}
const standInDir = join(root, 'node_modules', '.cache', 'roundtable');
const standIn = join(standInDir, 'no-schema-engine.sh');
mkdirSync(standInDir, { recursive: true });
writeFileSync(standIn, '#!/bin/sh\necho "the native Prisma schema engine is not available here" >&2\nexit 1\n');
chmodSync(standIn, 0o755);

const result = spawnSync(process.execPath, [cli, 'generate'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? standIn,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
process.exit(result.status ?? 1);

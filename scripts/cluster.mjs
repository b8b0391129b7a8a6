// `npm run start:cluster`: Roundtable as several instances on this machine's PostgreSQL and Redis,
// the way a deployment runs it behind a load balancer (docs/SCALING.md). Instances listen on
// 3001, 3002, ...; a small balancer on 3000 hands each new connection to the next one that is up.
// Open http://localhost:3000 (or one instance directly) in two browsers; stop an instance with
// `kill -TERM <pid>` (printed below) and watch its clients move to the other.
//
//   INSTANCES=3 DATABASE_URL=postgresql://user@host/db REDIS_URL=redis://host:6379 npm run start:cluster
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startBalancer } from './balancer.mjs';
import { ensureServerBuilt, ensureWebBuilt } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const instances = Number(process.env.INSTANCES ?? 2);
const basePort = Number(process.env.PORT ?? 3000);
// The local PostgreSQL as this OS user, as psql would connect (the URL names no user).
const databaseUrl =
  process.env.DATABASE_URL ??
  `postgresql://${encodeURIComponent(userInfo().username)}@127.0.0.1:5432/roundtable_cluster`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const dataRoot = process.env.DATA_DIR ?? join(root, 'data', 'cluster');

// One deployment, one signing key: a token from any instance works on all. Kept beside the instances' data.
mkdirSync(dataRoot, { recursive: true, mode: 0o700 });
const secretFile = join(dataRoot, 'jwt-secret');
if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(48).toString('base64url') + '\n', { mode: 0o600 });
const jwtSecret = process.env.JWT_SECRET ?? readFileSync(secretFile, 'utf8').trim();

// The database, created on first use (the first instance applies the migrations).
const target = new URL(databaseUrl);
const name = target.pathname.slice(1);
const admin = new pg.Client({
  connectionString: Object.assign(new URL(databaseUrl), { pathname: '/postgres' }).toString(),
});
await admin.connect();
if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 0) {
  await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  console.log(`created database ${name}`);
}
await admin.end();

const entry = join(root, 'dist', 'main.js');
ensureServerBuilt(entry);
ensureWebBuilt();

const children = [];
function start(i) {
  const port = basePort + 1 + i;
  const child = spawn(process.execPath, [entry], {
    // Each instance its own DATA_DIR: it holds the instance's id, which the tutor's lease names.
    env: {
      LOG_FORMAT: 'pretty',
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      JWT_SECRET: jwtSecret,
      DATA_DIR: join(dataRoot, `instance-${i + 1}`),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${i + 1}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop();
      for (const line of lines) console.log(prefix + line);
    });
  }
  child.on('exit', (code, signal) =>
    console.log(`${prefix}instance ${i + 1} (pid ${child.pid}, port ${port}) exited (${signal ?? code})`),
  );
  console.log(`${prefix}instance ${i + 1}: pid ${child.pid}, http://localhost:${port}`);
  children[i] = child;
}

// The first migrates alone; the others start once it serves.
start(0);
await new Promise((resolve) => {
  const wait = (chunk) => chunk.toString().includes('serving on') && (children[0].stdout.off('data', wait), resolve());
  children[0].stdout.on('data', wait);
  children[0].once('exit', () => process.exit(1));
});
children[0].removeAllListeners('exit');
children[0].on('exit', (code, signal) =>
  console.log(`[1] instance 1 (pid ${children[0].pid}) exited (${signal ?? code})`),
);
for (let i = 1; i < instances; i++) start(i);
const balancer = await startBalancer({
  port: basePort,
  host: '0.0.0.0',
  backends: Array.from({ length: instances }, (_, i) => ({ port: basePort + 1 + i })),
});
console.log(
  `Roundtable cluster: ${instances} instances behind http://localhost:${balancer.port} (PostgreSQL ${target.host}/${name}, Redis ${new URL(redisUrl).host})`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await balancer.close();
    await Promise.all(
      children.map(
        (child) =>
          child.exitCode === null &&
          child.signalCode === null &&
          new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))),
      ),
    );
    process.exit(0);
  });
}

// `npm run bench`: the same workloads against the built Roundtable server
// (node dist/main.js, embedded PGlite unless DATABASE_URL is set, fresh data
// directory) and against a bare Socket.IO relay (bench/bare-server.mjs), each its
// own process, driven from this one. Prints every figure with its ratio to bare.
// Every receiver checks what it got: lost, duplicated and out-of-order deliveries
// are counted and must be 0.
//   npm run bench [-- --quick] [-- --only fanout1000,ack200,...] [-- --no-cluster] [-- --presence-each]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import WebSocket from 'ws';

const root = fileURLToPath(new URL('..', import.meta.url));
const QUICK = process.argv.includes('--quick');
// Join as clients that take one `participant_joined` per arrival (the default of the protocol).
const PRESENCE_EACH = process.argv.includes('--presence-each');
const onlyArg = process.argv.indexOf('--only');
const ONLY = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(',')) : null;
const wanted = (name) => !ONLY || ONLY.has(name);
const N1000 = QUICK ? 300 : 1000;
const ROOM_MESSAGES = 20;
// The streaming scenario: a tutor answer of STREAM_TOKENS tokens over STREAM_SECONDS to 100 participants.
const STREAM_MARK = 'stream-a-long-answer';
const STREAM_TOKENS = 400;
const STREAM_SECONDS = 4;
// The cluster targets: one instance and two instances (participants split) on this machine's
// PostgreSQL, the two sharing Redis, beside the default target (PGlite, or DATABASE_URL). On when
// PostgreSQL and Redis answer (or with --cluster); --no-cluster skips them.
const servicesUp = () =>
  spawnSync('redis-cli', ['ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG' &&
  spawnSync('pg_isready', ['-q', '-h', '127.0.0.1']).status === 0;
const CLUSTER = !process.argv.includes('--no-cluster') && (process.argv.includes('--cluster') || servicesUp());
const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ?? `postgresql://${encodeURIComponent(userInfo().username)}@127.0.0.1:5432/postgres`;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LATE_JOIN_HISTORY = QUICK ? 20_000 : 100_000;

// ---------------------------------------------------------------- helpers
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
};
const ticks = 100; // USER_HZ on Linux
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return 0; // gone meanwhile (a database backend that closed)
  }
}
/** CPU seconds of every server process of a target (two for a two-instance cluster). */
const targetCpu = (target) => (target.pids ?? [target.pid]).reduce((sum, pid) => sum + cpuSeconds(pid), 0);
/** Processes by name (the machine's Redis and PostgreSQL), for what the shared services spend. */
function pidsNamed(name) {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim().startsWith(name);
      } catch {
        return false;
      }
    })
    .map(Number);
}
/** Redis's own CPU seconds (INFO cpu, in microseconds: /proc's 10 ms ticks are too coarse for it). */
function redisCpu() {
  const info = spawnSync('redis-cli', ['-u', REDIS_URL, 'INFO', 'cpu'], { encoding: 'utf8' });
  if (info.status !== 0) return 0;
  const field = (name) => Number(info.stdout.match(new RegExp(`^${name}:([\\d.]+)`, 'm'))?.[1] ?? 0);
  return field('used_cpu_sys') + field('used_cpu_user');
}
const servicesCpu = () => ({
  redis: redisCpu(),
  postgres: pidsNamed('postgres').reduce((s, p) => s + cpuSeconds(p), 0),
});
/**
 * The server's memory after a full collection: both servers run with --expose-gc, and on SIGPWR
 * collect and print process.memoryUsage(). RSS alone moves with garbage and the allocator's whims.
 */
function settledMemory(proc) {
  return new Promise((resolve) => {
    let out = '';
    const on = (chunk) => {
      out += chunk;
      const m = out.match(/memory (\{.*\})/);
      if (m) {
        proc.child.stdout.off('data', on);
        resolve(JSON.parse(m[1]));
      }
    };
    proc.child.stdout.on('data', on);
    process.kill(proc.pid, 'SIGPWR');
  });
}
const liveBytes = (m) => m.heapUsed + m.external;
function rssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}
async function pool(items, concurrency, work) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i], i);
      }
    }),
  );
  return results;
}

/** JSON over HTTP from a chosen loopback source address, so per-address limits see many clients. */
function postJson(base, path, body, { token, from } = {}) {
  const url = new URL(path, base);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          res.statusCode < 300 ? resolve(JSON.parse(text)) : reject(new Error(`${path}: ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** One participant's socket; checks every new_message it receives for order, gaps and duplicates. */
class Participant {
  constructor(url, token) {
    this.url = url;
    this.token = token;
    this.lastSeq = new Map();
    this.lost = 0;
    this.duplicated = 0;
    this.reordered = 0;
    this.received = 0;
    this.onMessage = null;
  }
  connect() {
    this.socket = io(this.url, {
      auth: { token: this.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.socket.on('new_message', (e) => this.deliver(e));
    return new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('connect_error', reject);
    });
  }
  deliver(e) {
    const last = this.lastSeq.get(e.session_id);
    if (last !== undefined) {
      if (e.seq === last) return void this.duplicated++;
      if (e.seq < last) return void this.reordered++;
      if (e.seq > last + 1) this.lost += e.seq - last - 1;
    }
    this.lastSeq.set(e.session_id, e.seq);
    this.received++;
    this.onMessage?.(e);
  }
  async join(sessionId, lastSeq) {
    const ack = await this.socket.timeout(60_000).emitWithAck('join', {
      session_id: sessionId,
      ...(lastSeq !== undefined ? { last_seq: lastSeq } : {}),
      // As the web client joins (bare ignores it): one `participants_changed` for many arrivals.
      ...(PRESENCE_EACH ? {} : { presence: 'batched' }),
    });
    if (!ack.ok) throw new Error(`join: ${JSON.stringify(ack.error)}`);
    if (ack.state) this.lastSeq.set(sessionId, ack.state.seq);
    if (ack.resumed) for (const e of ack.events) if (e.type === 'new_message') this.deliver(e);
    return ack;
  }
  async send(sessionId, content, clientMsgId) {
    const ack = await this.socket
      .timeout(60_000)
      .emitWithAck('message', { session_id: sessionId, content, client_msg_id: clientMsgId });
    if (!ack.ok) throw new Error(`message: ${JSON.stringify(ack.error)}`);
    return ack;
  }
  close() {
    this.socket?.close();
  }
}
/** The same checks over the plain-WebSocket endpoint (/ws/collaborative/:id): JSON frames, one session per connection. */
class WsParticipant extends Participant {
  group = 'ws';
  async connect() {}
  join(sessionId) {
    return new Promise((resolve, reject) => {
      const url = `${this.url.replace('http', 'ws')}/ws/collaborative/${sessionId}?token=${encodeURIComponent(this.token)}`;
      this.ws = new WebSocket(url);
      this.socket = {
        get connected() {
          return true;
        },
      };
      this.ws.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.type === 'session_state') {
          this.lastSeq.set(sessionId, frame.seq);
          resolve(frame);
        } else if (frame.type === 'new_message') this.deliver(frame);
      });
      this.ws.on('close', (code) => {
        this.socket = { connected: false };
        reject(new Error(`closed ${code}`));
      });
      this.ws.on('error', reject);
    });
  }
  close() {
    this.ws?.close();
  }
}
const integrity = (ps, ...runs) => ({
  lost: ps.reduce((s, p) => s + p.lost, 0) + runs.reduce((s, r) => s + (r?.missing ?? 0), 0),
  duplicated: ps.reduce((s, p) => s + p.duplicated, 0),
  reordered: ps.reduce((s, p) => s + p.reordered, 0),
  disconnected: ps.filter((p) => p.socket && !p.socket.connected).length,
});

// ---------------------------------------------------------------- targets
let msgCounter = 0;
const nextMsgId = () => `m${++msgCounter}`;

async function startProcess(args, env, pattern) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = out.match(pattern);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, pid: child.pid };
}
const stopProcess = async (proc) => {
  proc.child.removeAllListeners('exit');
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  await exited;
};

class BareTarget {
  name = 'bare';
  async start() {
    this.proc = await startProcess(['--expose-gc', join(root, 'bench', 'bare-server.mjs')], {}, /listening on (\d+)/);
    this.url = this.proc.url;
    this.pid = this.proc.pid;
  }
  async stop() {
    await stopProcess(this.proc);
  }
  /** Sessions with participants' tokens (the bare relay needs no sign-up). */
  async restart() {}
  async prepare(sessions, perSession) {
    return Array.from({ length: sessions }, (_, s) => ({
      id: `room-${++msgCounter}-${s}`,
      tokens: Array.from({ length: perSession }, () => 'x'),
    }));
  }
  async seed(sessionId, count) {
    const p = new Participant(this.url, 'x');
    await p.connect();
    for (let done = 0; done < count; done += 10_000)
      await p.socket.emitWithAck('seed', { session_id: sessionId, count: Math.min(10_000, count - done) });
    p.close();
  }
}

class RoundtableTarget {
  name = 'roundtable';
  constructor(modelUrl) {
    this.modelUrl = modelUrl;
    this.dataDir = mkdtempSync(join(tmpdir(), 'roundtable-bench-'));
    this.guests = 0;
  }
  serverEnv() {
    return {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: this.dataDir,
      LOG_LEVEL: 'warn',
      DEFAULT_RATE_LIMIT: 'off',
      MAX_PENDING_PER_AUTHOR: '1000',
      MAX_GUESTS_PER_SESSION: '100000',
      OPENAI_BASE_URL: this.modelUrl,
      OPENAI_API_KEY: 'bench',
      AGENT_MODEL: 'bench',
    };
  }
  launch(env) {
    // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server under the workload.
    return startProcess(
      [
        '--expose-gc',
        ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        join(root, 'dist', 'main.js'),
      ],
      env,
      /localhost:(\d+)/,
    );
  }
  async start() {
    this.proc = await this.launch(this.serverEnv());
    this.url = this.proc.url;
    this.pid = this.proc.pid;
    await this.signIn();
  }
  async signIn() {
    if (!this.teacher)
      this.teacher = await postJson(this.url, '/auth/register', {
        email: 'teacher@bench.test',
        password: 'password123',
        display_name: 'Teacher',
      });
    else
      this.teacher = await postJson(this.url, '/auth/login', { email: 'teacher@bench.test', password: 'password123' });
  }
  async stop() {
    await stopProcess(this.proc);
  }
  /** A restart on the same data directory: the state an operator's server is in, without first-start garbage. */
  async restart() {
    await this.stop();
    await this.start();
  }
  cleanup() {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
  async createSession(settings = {}) {
    const { session } = await postJson(
      this.url,
      '/sessions',
      { title: 'bench', agent: { responds_to: 'mentions' }, ...settings },
      { token: this.teacher.access_token },
    );
    return session;
  }
  async prepare(sessions, perSession, settings) {
    const out = [];
    for (let s = 0; s < sessions; s++) {
      const session = await this.createSession(settings);
      const tokens = await pool(Array.from({ length: perSession }), 16, async () => {
        const n = ++this.guests;
        const guest = await postJson(
          this.url,
          '/auth/guest',
          { join_code: session.join_code, display_name: `S${n}` },
          { from: `127.0.1.${(n % 250) + 1}` },
        );
        return guest.access_token;
      });
      out.push({ id: session.id, tokens });
    }
    return out;
  }
  /** Fills a session's history straight into the stopped server's database (100,000 messages would take minutes through the API). */
  async seed(sessionId, count) {
    await this.stop();
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(join(this.dataDir, 'pglite'));
    const [{ last_seq: from }] = (await db.query(`SELECT last_seq FROM sessions WHERE id = $1::uuid`, [sessionId]))
      .rows;
    await db.query(
      `INSERT INTO messages (id, session_id, seq, role, content, author_name, agent_state, created_at)
       SELECT gen_random_uuid(), $1::uuid, $3::int + s, 'user', 'seeded message ' || s, 'Seed', 'skipped', now() FROM generate_series(1, $2::int) s`,
      [sessionId, count, from],
    );
    await db.query(
      `INSERT INTO session_events (session_id, seq, type, visibility, payload)
       SELECT m.session_id, m.seq, 'new_message', 'all', json_build_object('message', json_build_object('id', m.id, 'seq', m.seq, 'role', 'user', 'content', m.content, 'author_id', null, 'author_name', 'Seed', 'timestamp', m.created_at, 'status', 'complete', 'visibility', 'all', 'client_msg_id', null))
       FROM messages m WHERE m.session_id = $1::uuid`,
      [sessionId],
    );
    await db.query(`UPDATE sessions SET last_seq = $2 WHERE id = $1::uuid`, [sessionId, from + count]);
    await db.close();
    await this.start();
  }
}

/**
 * Roundtable on this machine's PostgreSQL (a fresh database): one instance, or several sharing
 * Redis (REDIS_URL) with participants split across them, as behind a load balancer. CPU is the
 * sum over the instances; memory figures are not taken (they are per process).
 */
class PostgresTarget extends RoundtableTarget {
  scenarios = new Set(['fanout100', 'rooms', 'ack200', 'stream', 'relay']);
  constructor(modelUrl, instances) {
    super(modelUrl);
    this.instances = instances;
    this.name = instances > 1 ? `roundtable ×${instances} (PostgreSQL + Redis)` : 'roundtable ×1 (PostgreSQL)';
    this.dataDirs = Array.from({ length: instances }, () => mkdtempSync(join(tmpdir(), 'roundtable-bench-')));
    this.database = `roundtable_bench_${process.pid}_${instances}`;
  }
  async admin(sql) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
  async start() {
    if (!this.databaseUrl) {
      await this.admin(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
      await this.admin(`CREATE DATABASE ${this.database}`);
      this.databaseUrl = Object.assign(new URL(POSTGRES_URL), { pathname: `/${this.database}` }).toString();
    }
    const env = (i) => ({
      ...this.serverEnv(),
      DATA_DIR: this.dataDirs[i],
      DATABASE_URL: this.databaseUrl,
      JWT_SECRET: 'bench-cluster-signing-key-0123456789',
      GUEST_RATE_LIMIT_PER_MINUTE: '100000',
      ...(this.instances > 1 ? { REDIS_URL } : {}),
    });
    // The first applies the migrations; the others start on the migrated database.
    const first = await this.launch(env(0));
    const rest = await Promise.all(Array.from({ length: this.instances - 1 }, (_, i) => this.launch(env(i + 1))));
    this.procs = [first, ...rest];
    this.proc = first;
    this.url = first.url;
    this.pid = first.pid;
    this.pids = this.procs.map((p) => p.pid);
    await this.signIn();
  }
  urlFor(i) {
    return this.procs[i % this.procs.length].url;
  }
  async stop() {
    await Promise.all(this.procs.map((p) => stopProcess(p)));
  }
  cleanup() {
    for (const dir of this.dataDirs) rmSync(dir, { recursive: true, force: true });
    return this.admin(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`).catch(() => undefined);
  }
}

// ---------------------------------------------------------------- scenarios
async function connectAll(target, tokens, concurrency = 50) {
  return pool(tokens, concurrency, async (token, i) => {
    // Split across a cluster's instances (one URL for a single server).
    const p = new Participant(target.urlFor?.(i) ?? target.url, token);
    await p.connect();
    return p;
  });
}

/** Senders send back to back (next after the ack) until `total` messages are sent; waits until every receiver has all. */
async function fanOut(target, participants, sessionId, { senders, total }) {
  const latencies = [];
  const sentAt = new Map();
  const expected = participants.length * total;
  let delivered = 0;
  let done;
  const all = new Promise((r) => (done = r));
  const byGroup = {};
  for (const p of participants) {
    const group = (byGroup[p.group ?? 'socketio'] ??= { latencies: [], delivered: 0, receivers: 0 });
    group.receivers++;
    p.onMessage = (e) => {
      const t = sentAt.get(e.message.client_msg_id);
      if (t !== undefined) {
        latencies.push(performance.now() - t);
        group.latencies.push(performance.now() - t);
      }
      group.delivered++;
      if (++delivered === expected) done();
    };
  }
  const cpu0 = targetCpu(target);
  const started = performance.now();
  let lastDelivery = started;
  for (const p of participants) {
    const inner = p.onMessage;
    p.onMessage = (e) => {
      lastDelivery = performance.now();
      inner(e);
    };
  }
  let sent = 0;
  await Promise.all(
    participants.slice(0, senders).map(async (p) => {
      while (sent < total) {
        sent++;
        const id = nextMsgId();
        sentAt.set(id, performance.now());
        await p.send(sessionId, `fan-out ${id}`, id);
      }
    }),
  );
  await Promise.race([all, sleep(60_000)]);
  const seconds = (lastDelivery - started) / 1000;
  const cpu = targetCpu(target) - cpu0;
  for (const p of participants) p.onMessage = null;
  // What never arrived counts as lost (a gap at the end of a stream shows no gap).
  const groups = Object.fromEntries(
    Object.entries(byGroup).map(([name, g]) => [
      name,
      {
        perReceiverPerSecond: g.delivered / g.receivers / seconds,
        p50: pct(g.latencies, 0.5),
        p99: pct(g.latencies, 0.99),
        delivered: g.delivered,
      },
    ]),
  );
  return {
    deliveredPerSecond: delivered / seconds,
    p50: pct(latencies, 0.5),
    p99: pct(latencies, 0.99),
    cpuPerDeliveryUs: (cpu / delivered) * 1e6,
    delivered,
    expected,
    missing: expected - delivered,
    groups,
  };
}

/** One sender at a fixed rate; delivery latency to everyone. */
async function paced(target, participants, sessionId, { rate, seconds }) {
  const latencies = [];
  const sentAt = new Map();
  for (const p of participants)
    p.onMessage = (e) =>
      sentAt.has(e.message.client_msg_id) && latencies.push(performance.now() - sentAt.get(e.message.client_msg_id));
  const total = rate * seconds;
  const sends = [];
  for (let i = 0; i < total; i++) {
    const id = nextMsgId();
    sentAt.set(id, performance.now());
    sends.push(participants[0].send(sessionId, `paced ${id}`, id));
    await sleep(1000 / rate);
  }
  await Promise.all(sends);
  await sleep(1000);
  for (const p of participants) p.onMessage = null;
  return { p50: pct(latencies, 0.5), p99: pct(latencies, 0.99) };
}

async function runTarget(target, figures) {
  const want = (name) => wanted(name) && (!target.scenarios || target.scenarios.has(name));
  await target.start();
  const measure = async (label, fn) => {
    process.stdout.write(`  ${target.name}: ${label}...`);
    const t0 = performance.now();
    const value = await fn();
    process.stdout.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return value;
  };
  figures.rssAfterStart = rssMb(target.pid);

  if (want('joinstorm') || want('fanout1000')) {
    const [room] = await measure(`sign up ${N1000}`, () => target.prepare(1, N1000));
    await target.restart();
    figures.rssBeforeParticipants = (await settledMemory(target.proc)).rss / 2 ** 20;
    const participants = await measure('join storm', async () => {
      const t0 = performance.now();
      const connected = await connectAll(target, room.tokens, N1000);
      // A server that cannot keep up drops sockets (missed pings): count them and go on with the rest.
      const joined = await Promise.allSettled(connected.map((p) => p.join(room.id)));
      figures.joinStormSeconds = (performance.now() - t0) / 1000;
      figures.joinFailures = joined.filter((r) => r.status === 'rejected').length;
      const ps = connected.filter((_, i) => joined[i].status === 'fulfilled' && connected[i].socket.connected);
      if (ps.length < N1000) {
        connected.forEach((p) => p.close());
        return null;
      }
      // Memory per idle participant: the second half of a class joining a warm server (the first
      // half pays for one-off costs: code paths, caches, the session's live state).
      const half = Math.floor(N1000 / 2);
      ps.slice(half).forEach((p) => p.close());
      await sleep(1000);
      const before = liveBytes(await settledMemory(target.proc));
      const again = await connectAll(target, room.tokens.slice(half), 50);
      await Promise.all(again.map((p) => p.join(room.id)));
      await sleep(1000);
      figures.memoryPerParticipantKb = (liveBytes(await settledMemory(target.proc)) - before) / 1024 / again.length;
      return [...ps.slice(0, half), ...again];
    });
    if (participants && want('fanout1000')) {
      figures.fanout1000 = await measure('fan-out to 1,000', () =>
        fanOut(target, participants, room.id, { senders: 2, total: QUICK ? 60 : 200 }),
      );
      figures.paced1000 = await measure('paced 25 msg/s to 1,000', () =>
        paced(target, participants, room.id, { rate: 25, seconds: 4 }),
      );
    }
    if (participants) {
      figures.integrity1000 = integrity(participants, figures.fanout1000);
      participants.forEach((p) => p.close());
    }
  }

  if (want('fanout100')) {
    const [room] = await target.prepare(1, 100);
    const ps = await connectAll(target, room.tokens);
    await Promise.all(ps.map((p) => p.join(room.id)));
    figures.fanout100 = await measure('fan-out to 100', () =>
      fanOut(target, ps, room.id, { senders: 4, total: QUICK ? 300 : 1000 }),
    );
    figures.integrity100 = integrity(ps, figures.fanout100);
    ps.forEach((p) => p.close());
  }

  // Half of the hundred on the plain-WebSocket endpoint (Roundtable only: the bare relay has none).
  if (want('fanout100ws') && target.name === 'roundtable') {
    const [room] = await target.prepare(1, 100);
    const ps = room.tokens.map((token, i) =>
      i < 50 ? new Participant(target.url, token) : new WsParticipant(target.url, token),
    );
    await pool(ps.slice(0, 50), 50, (p) => p.connect());
    await Promise.all(ps.map((p) => p.join(room.id)));
    figures.fanout100ws = await measure('fan-out to 50 Socket.IO + 50 plain WebSocket', () =>
      fanOut(target, ps, room.id, { senders: 4, total: QUICK ? 300 : 1000 }),
    );
    figures.integrity100ws = integrity(ps, figures.fanout100ws);
    ps.forEach((p) => p.close());
  }

  if (want('rooms')) {
    const rooms = await measure('sign up 100 × 10', () => target.prepare(QUICK ? 30 : 100, 10));
    const all = await Promise.all(
      rooms.map(async (room) => {
        const ps = await connectAll(target, room.tokens, 10);
        await Promise.all(ps.map((p) => p.join(room.id)));
        return { room, ps };
      }),
    );
    figures.rooms = await measure('100 sessions × 10 chatting', async () => {
      const cpu0 = targetCpu(target);
      const services0 = servicesCpu();
      const t0 = performance.now();
      const per = await Promise.all(
        all.map(({ room, ps }) => fanOut(target, ps, room.id, { senders: 2, total: ROOM_MESSAGES })),
      );
      const seconds = (performance.now() - t0) / 1000;
      const delivered = per.reduce((s, r) => s + r.delivered, 0);
      const messages = all.length * ROOM_MESSAGES;
      const services = servicesCpu();
      const lat = per.flatMap((r) => [r.p50]);
      return {
        deliveredPerSecond: delivered / seconds,
        // Messages written and acknowledged per second, every room together (the database's write rate).
        messagesPerSecond: messages / seconds,
        p50: pct(lat, 0.5),
        cpuPerDeliveryUs: ((targetCpu(target) - cpu0) / delivered) * 1e6,
        redisCpuPerMessageUs: ((services.redis - services0.redis) / messages) * 1e6,
        postgresCpuPerMessageUs: ((services.postgres - services0.postgres) / messages) * 1e6,
        missing: per.reduce((s, r) => s + r.missing, 0),
      };
    });
    figures.integrityRooms = integrity(
      all.flatMap((r) => r.ps),
      figures.rooms,
    );
    all.forEach((r) => r.ps.forEach((p) => p.close()));
  }

  if (want('ack200')) {
    const [room] = await target.prepare(1, 10);
    const ps = await connectAll(target, room.tokens);
    await Promise.all(ps.map((p) => p.join(room.id)));
    figures.ack200 = await measure('acks at 200 msg/s', async () => {
      const acks = [];
      const seconds = QUICK ? 3 : 5;
      await Promise.all(
        ps.map(async (p) => {
          const sends = [];
          for (let i = 0; i < 20 * seconds; i++) {
            const t0 = performance.now();
            const id = nextMsgId();
            sends.push(p.send(room.id, `ack ${id}`, id).then(() => acks.push(performance.now() - t0)));
            await sleep(50);
          }
          await Promise.all(sends);
        }),
      );
      return { p50: pct(acks, 0.5), p99: pct(acks, 0.99) };
    });
    figures.integrityAck = integrity(ps);
    ps.forEach((p) => p.close());
  }

  if (want('resume')) {
    const [room] = await target.prepare(1, 200);
    const ps = await connectAll(target, room.tokens);
    await Promise.all(ps.map((p) => p.join(room.id)));
    figures.resume = await measure('50 of 200 resume', async () => {
      const dropped = ps.slice(150);
      const seqs = dropped.map((p) => p.lastSeq.get(room.id));
      dropped.forEach((p) => p.close());
      for (let i = 0; i < 100; i++) {
        const id = nextMsgId();
        await ps[0].send(room.id, `while away ${id}`, id);
      }
      const target_ = ps[0].lastSeq.get(room.id);
      const cpu0 = targetCpu(target);
      const times = await Promise.all(
        dropped.map(async (p, i) => {
          const t0 = performance.now();
          await p.connect();
          p.lastSeq.set(room.id, seqs[i]);
          await p.join(room.id, seqs[i]);
          while (p.lastSeq.get(room.id) < target_) await sleep(1);
          return performance.now() - t0;
        }),
      );
      // The server's CPU for the 50 handshakes, joins and replays (10 ms ticks: compare medians).
      return { p50: pct(times, 0.5), p99: pct(times, 0.99), cpuMs: (targetCpu(target) - cpu0) * 1000 };
    });
    figures.integrityResume = integrity(ps);
    ps.forEach((p) => p.close());
  }

  if (want('agent') && target.name === 'roundtable') {
    figures.agent = await measure('agent turn vs relay', () => agentTurns(target));
  }

  // A tutor answer streamed to 100 participants (split across a cluster's instances): the server's
  // CPU per delta delivered, the cost that dominates a district's load (docs/SCALING.md).
  if (want('stream') && target.name !== 'bare') {
    // Two class sizes, so the cost splits into a part per answer and a part per listener.
    for (const size of [10, 100]) {
      const key = size === 100 ? 'stream' : `stream${size}`;
      figures[key] = await measure(`a long answer streamed to ${size}`, async () => {
        const [room] = await target.prepare(1, size, { agent: { responds_to: 'all' } });
        const ps = await connectAll(target, room.tokens);
        await Promise.all(ps.map((p) => p.join(room.id)));
        // Four answers one after another; the first warms the code paths (the JIT), the other three are measured.
        const one = async () => {
          let deltas = 0;
          const offs = [];
          const answered = ps.map(
            (p) =>
              new Promise((resolve) => {
                const onDelta = () => deltas++;
                p.socket.on('agent_delta', onDelta);
                offs.push(() => p.socket.off('agent_delta', onDelta));
                p.onMessage = (e) => e.message.role === 'assistant' && resolve();
              }),
          );
          const cpu0 = targetCpu(target);
          const redis0 = redisCpu();
          const id = nextMsgId();
          await ps[0].send(room.id, `${STREAM_MARK} ${id}`, id);
          await Promise.all(answered);
          const cpu = targetCpu(target) - cpu0;
          offs.forEach((off) => off());
          return { deltas, cpu, redis: redisCpu() - redis0 };
        };
        await one();
        const runs = [];
        for (let i = 0; i < 3; i++) runs.push(await one());
        const deltas = runs.reduce((a, r) => a + r.deltas, 0);
        const cpu = runs.reduce((a, r) => a + r.cpu, 0);
        const redis = runs.reduce((a, r) => a + r.redis, 0);
        const result = {
          deltasPerAnswer: deltas / ps.length / runs.length,
          cpuPerDeltaDeliveryUs: (cpu / deltas) * 1e6,
          redisCpuPerDeltaUs: (redis / (deltas / ps.length)) * 1e6,
          cpuPerAnswerMs: (cpu * 1000) / runs.length,
        };
        figures[`integrity${key}`] = integrity(ps);
        ps.forEach((p) => p.close());
        await sleep(500);
        return result;
      });
    }
  }

  // Twenty classes of 10 each getting a long answer at the same moment: the cost per answer under
  // load, where the model's chunks for many answers arrive together (one wake-up serves several).
  if (want('stream') && target.name !== 'bare') {
    figures.streamRooms = await measure('20 long answers at once, to 20 classes of 10', async () => {
      const rooms = await target.prepare(20, 10, { agent: { responds_to: 'all' } });
      const classes = await Promise.all(
        rooms.map(async (room) => {
          const ps = await connectAll(target, room.tokens, 10);
          await Promise.all(ps.map((p) => p.join(room.id)));
          return { room, ps };
        }),
      );
      const round = async () => {
        const answered = classes.flatMap(({ ps }) =>
          ps.map((p) => new Promise((resolve) => (p.onMessage = (e) => e.message.role === 'assistant' && resolve()))),
        );
        const cpu0 = targetCpu(target);
        const t0 = performance.now();
        await Promise.all(
          classes.map(({ room, ps }) => {
            const id = nextMsgId();
            return ps[0].send(room.id, `${STREAM_MARK} ${id}`, id);
          }),
        );
        await Promise.all(answered);
        return { cpu: targetCpu(target) - cpu0, seconds: (performance.now() - t0) / 1000 };
      };
      await round(); // warm-up
      const runs = [await round(), await round()];
      const cpu = runs.reduce((a, r) => a + r.cpu, 0);
      figures.integrityStreamRooms = integrity(classes.flatMap((c) => c.ps));
      classes.forEach((c) => c.ps.forEach((p) => p.close()));
      return {
        cpuPerAnswerMs: (cpu * 1000) / (runs.length * classes.length),
        seconds: runs.reduce((a, r) => a + r.seconds, 0) / runs.length,
      };
    });
  }

  // The relay's own cost: everyone on the first instance, the second with nobody on it. What the
  // second spends is what receiving the cluster's event stream costs an instance (per event), and
  // Redis's CPU is what carrying it costs.
  if (want('relay') && target.instances > 1) {
    figures.relay = await measure('relay cost: 100 on one instance, another idle', async () => {
      const [room] = await target.prepare(1, 100);
      const ps = await pool(room.tokens, 50, async (token) => {
        const p = new Participant(target.procs[0].url, token);
        await p.connect();
        return p;
      });
      await Promise.all(ps.map((p) => p.join(room.id)));
      const idle = target.procs[1].pid;
      // What both spend with nothing happening (timers, heartbeats, the lease watchdog), subtracted below.
      const quiet0 = [cpuSeconds(idle), redisCpu(), performance.now()];
      await sleep(4000);
      const quietRate = [
        (cpuSeconds(idle) - quiet0[0]) / ((performance.now() - quiet0[2]) / 1000),
        (redisCpu() - quiet0[1]) / ((performance.now() - quiet0[2]) / 1000),
      ];
      const idle0 = cpuSeconds(idle);
      const redis0 = redisCpu();
      const t0 = performance.now();
      const total = QUICK ? 300 : 1000;
      const result = await fanOut(target, ps, room.id, { senders: 4, total });
      const seconds = (performance.now() - t0) / 1000;
      const figures_ = {
        idleInstanceCpuPerEventUs: ((cpuSeconds(idle) - idle0 - quietRate[0] * seconds) / total) * 1e6,
        redisCpuPerEventUs: ((redisCpu() - redis0 - quietRate[1] * seconds) / total) * 1e6,
        quietInstanceCpuPerSecondMs: quietRate[0] * 1000,
        quietRedisCpuPerSecondMs: quietRate[1] * 1000,
        missing: result.missing,
      };
      figures.integrityRelay = integrity(ps, result);
      ps.forEach((p) => p.close());
      return figures_;
    });
  }

  if (want('latejoin')) {
    const [room] = await target.prepare(1, 20);
    await measure(`seed ${LATE_JOIN_HISTORY} messages`, () => target.seed(room.id, LATE_JOIN_HISTORY));
    figures.lateJoin = await measure('late joins', async () => {
      const times = [];
      for (const token of room.tokens) {
        const p = new Participant(target.url, token);
        await p.connect();
        const t0 = performance.now();
        await p.join(room.id);
        times.push(performance.now() - t0);
        p.close();
      }
      return { p50: pct(times, 0.5), p99: pct(times, 0.99) };
    });
  }
  figures.rssEnd = rssMb(target.pid);
  await target.stop();
}

/** The project's own agent bench: 100 participants, a zero-latency model, turns timed until everyone has the answer. */
async function agentTurns(target) {
  const turn = async (respondsTo) => {
    const [room] = await target.prepare(1, 100, { agent: { responds_to: respondsTo } });
    const ps = await connectAll(target, room.tokens);
    await Promise.all(ps.map((p) => p.join(room.id)));
    const times = [];
    for (let t = 0; t < (QUICK ? 15 : 40); t++) {
      const lastRole = respondsTo === 'all' ? 'assistant' : 'user';
      const arrived = ps.map(
        (p) => new Promise((resolve) => (p.onMessage = (e) => e.message.role === lastRole && resolve())),
      );
      const t0 = performance.now();
      const id = nextMsgId();
      await ps[t % ps.length].send(room.id, `question ${id}`, id);
      await Promise.all(arrived);
      times.push(performance.now() - t0);
    }
    ps.forEach((p) => p.close());
    return times.reduce((a, b) => a + b, 0) / times.length;
  };
  const relay = await turn('mentions');
  const agent = await turn('all');
  return { relay, agent };
}

// ---------------------------------------------------------------- main
const chunk = (piece) =>
  `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta: { content: piece } }] })}\n\n`;
const model = createServer(async (req, res) => {
  let body = '';
  for await (const part of req) body += part;
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (body.includes(STREAM_MARK)) {
    // A long answer at a model's pace: STREAM_TOKENS tokens over STREAM_SECONDS.
    for (let i = 0; i < STREAM_TOKENS; i++) {
      res.write(chunk(`w${i} `));
      await sleep((STREAM_SECONDS * 1000) / STREAM_TOKENS);
    }
  } else {
    for (const piece of ['The ', 'answer ', 'is ', 'a ', 'short ', 'fixed ', 'text', '.']) res.write(chunk(piece));
  }
  res.end('data: [DONE]\n\n');
});
await new Promise((r) => model.listen(0, '127.0.0.1', r));

spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'server'], { stdio: 'inherit' });
const bare = {};
const rt = {};
console.log(`bench ${new Date().toISOString()} ${QUICK ? '(quick) ' : ''}participants ${N1000}`);
await runTarget(new BareTarget(), bare);
const modelUrl = `http://127.0.0.1:${model.address().port}/v1`;
const roundtable = new RoundtableTarget(modelUrl);
const pg1 = {};
const pg2 = {};
try {
  await runTarget(roundtable, rt);
  roundtable.cleanup();
  if (CLUSTER) {
    for (const [target, figures] of [
      [new PostgresTarget(modelUrl, 1), pg1],
      [new PostgresTarget(modelUrl, 2), pg2],
    ]) {
      try {
        await runTarget(target, figures);
      } finally {
        await target.cleanup();
      }
    }
  }
} finally {
  roundtable.cleanup();
  model.close();
}

const f = (v, d = 1) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d));
const rows = [];
const row = (what, r, b, unit, higherIsBetter) =>
  rows.push([
    what,
    `${f(r)} ${unit}`,
    `${f(b)} ${unit}`,
    r !== undefined && b ? `${(r / b).toFixed(2)}×` : '–',
    higherIsBetter ? '(higher is better)' : '',
  ]);
const g = (o, path) => path.split('.').reduce((x, k) => x?.[k], o);
const both = (what, path, unit, hib = false) => row(what, g(rt, path), g(bare, path), unit, hib);
both('fan-out 1,000: delivered/s', 'fanout1000.deliveredPerSecond', '/s', true);
both('fan-out 1,000: latency p50', 'fanout1000.p50', 'ms');
both('fan-out 1,000: latency p99', 'fanout1000.p99', 'ms');
both('fan-out 1,000: server CPU per delivery', 'fanout1000.cpuPerDeliveryUs', 'µs');
both('paced 25 msg/s to 1,000: p99', 'paced1000.p99', 'ms');
both('fan-out 100: delivered/s', 'fanout100.deliveredPerSecond', '/s', true);
both('fan-out 100: latency p99', 'fanout100.p99', 'ms');
both('fan-out 100: server CPU per delivery', 'fanout100.cpuPerDeliveryUs', 'µs');
both('100 sessions × 10: delivered/s', 'rooms.deliveredPerSecond', '/s', true);
both('100 sessions × 10: latency p50', 'rooms.p50', 'ms');
both('ack at 200 msg/s: p50', 'ack200.p50', 'ms');
both('ack at 200 msg/s: p99', 'ack200.p99', 'ms');
both(`join storm, ${N1000} at once`, 'joinStormSeconds', 's');
both(`join storm: joins that failed (sockets dropped)`, 'joinFailures', '', false);
both(`late join into ${LATE_JOIN_HISTORY} messages: p99`, 'lateJoin.p99', 'ms');
both('50 of 200 resume: caught up p99', 'resume.p99', 'ms');
both('50 of 200 resume: server CPU', 'resume.cpuMs', 'ms');
both('memory per idle participant (heap + external, after GC)', 'memoryPerParticipantKb', 'KB');
both(`RSS after ${N1000} sign-ups and a restart, before participants connect`, 'rssBeforeParticipants', 'MB');
if (rt.fanout100ws) {
  const { socketio, ws } = rt.fanout100ws.groups;
  rows.push([
    'fan-out 100, half on plain WebSocket: delivered/s per receiver, Socket.IO vs WebSocket',
    `${f(socketio?.perReceiverPerSecond)} /s`,
    `${f(ws?.perReceiverPerSecond)} /s (WebSocket)`,
    '',
    '(same run, same messages)',
  ]);
  rows.push([
    'fan-out 100, half on plain WebSocket: latency p50 / p99, Socket.IO vs WebSocket',
    `${f(socketio?.p50)} / ${f(socketio?.p99)} ms`,
    `${f(ws?.p50)} / ${f(ws?.p99)} ms (WebSocket)`,
    '',
    '',
  ]);
}
if (rt.stream)
  rows.push([
    `a ${STREAM_TOKENS}-token answer streamed to 100: delta events, server CPU per delta delivered`,
    `${f(rt.stream.deltasPerAnswer, 0)} events, ${f(rt.stream.cpuPerDeltaDeliveryUs)} µs`,
    '–',
    '',
    `(${f(rt.stream.cpuPerAnswerMs)} ms CPU per answer; to 10: ${f(rt.stream10?.cpuPerAnswerMs)} ms; 20 at once to classes of 10: ${f(rt.streamRooms?.cpuPerAnswerMs)} ms each)`,
  ]);
if (rt.agent)
  rows.push([
    'agent turn vs relay (100 participants)',
    `${f(rt.agent.agent)} ms`,
    `${f(rt.agent.relay)} ms (relay)`,
    `${(rt.agent.agent / rt.agent.relay).toFixed(2)}×`,
    '',
  ]);
const lossKeys = Object.keys(rt).filter((k) => k.startsWith('integrity'));
const loss = (o) =>
  lossKeys.reduce(
    (a, k) => ({
      lost: a.lost + (o[k]?.lost ?? 0),
      duplicated: a.duplicated + (o[k]?.duplicated ?? 0),
      reordered: a.reordered + (o[k]?.reordered ?? 0),
      disconnected: a.disconnected + (o[k]?.disconnected ?? 0),
    }),
    { lost: 0, duplicated: 0, reordered: 0, disconnected: 0 },
  );
const lr = loss(rt);
const lb = loss(bare);
rows.push([
  'lost / duplicated / reordered',
  `${lr.lost} / ${lr.duplicated} / ${lr.reordered}`,
  `${lb.lost} / ${lb.duplicated} / ${lb.reordered}`,
  '',
  '',
]);
rows.push(['sockets dropped by the server during a scenario', `${lr.disconnected}`, `${lb.disconnected}`, '', '']);

console.log('\n| what | Roundtable | bare Socket.IO | ratio | |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
let bad = lr.lost + lr.duplicated + lr.reordered;

if (CLUSTER) {
  // Same run, same bare baseline: one instance on PostgreSQL, and two sharing PostgreSQL and Redis.
  const crows = [];
  const three = (what, path, unit, hib = false) => {
    const [a, b, base] = [g(pg1, path), g(pg2, path), g(bare, path)];
    crows.push([
      what,
      `${f(a)} ${unit}`,
      `${f(b)} ${unit}`,
      a && b ? `${(b / a).toFixed(2)}×` : '–',
      base !== undefined ? `${f(base)} ${unit}` : '–',
      hib ? '(higher is better)' : '',
    ]);
  };
  three('fan-out 100: delivered/s', 'fanout100.deliveredPerSecond', '/s', true);
  three('fan-out 100: latency p99', 'fanout100.p99', 'ms');
  three('fan-out 100: server CPU per delivery (all instances)', 'fanout100.cpuPerDeliveryUs', 'µs');
  three('100 sessions × 10: delivered/s', 'rooms.deliveredPerSecond', '/s', true);
  three('100 sessions × 10: messages written/s', 'rooms.messagesPerSecond', '/s', true);
  three('100 sessions × 10: latency p50', 'rooms.p50', 'ms');
  three('100 sessions × 10: server CPU per delivery (all instances)', 'rooms.cpuPerDeliveryUs', 'µs');
  three('100 sessions × 10: Redis CPU per message', 'rooms.redisCpuPerMessageUs', 'µs');
  three('100 sessions × 10: PostgreSQL CPU per message', 'rooms.postgresCpuPerMessageUs', 'µs');
  three('a long answer to 100: delta events per answer', 'stream.deltasPerAnswer', '');
  three('a long answer to 100: server CPU per delta delivered (all instances)', 'stream.cpuPerDeltaDeliveryUs', 'µs');
  three('a long answer to 100: server CPU per answer (all instances)', 'stream.cpuPerAnswerMs', 'ms');
  three('a long answer to 10: server CPU per answer (all instances)', 'stream10.cpuPerAnswerMs', 'ms');
  three(
    '20 long answers at once to classes of 10: server CPU per answer (all instances)',
    'streamRooms.cpuPerAnswerMs',
    'ms',
  );
  three('a long answer to 100: Redis CPU per delta event', 'stream.redisCpuPerDeltaUs', 'µs');
  three(
    'relay: CPU of an instance with nobody on it, per message sent elsewhere',
    'relay.idleInstanceCpuPerEventUs',
    'µs',
  );
  three('relay: Redis CPU per message sent (100 on one instance, one idle)', 'relay.redisCpuPerEventUs', 'µs');
  three(
    'relay: CPU of an instance with nobody on it, with nothing happening',
    'relay.quietInstanceCpuPerSecondMs',
    'ms/s',
  );
  three(
    'relay: Redis CPU with nothing happening (two instances, 100 participants)',
    'relay.quietRedisCpuPerSecondMs',
    'ms/s',
  );
  three('ack at 200 msg/s: p50', 'ack200.p50', 'ms');
  three('ack at 200 msg/s: p99', 'ack200.p99', 'ms');
  const keys = Object.keys(pg2).filter((k) => k.startsWith('integrity'));
  const sum = (o) =>
    keys.reduce(
      (a, k) => ({
        lost: a.lost + (o[k]?.lost ?? 0),
        duplicated: a.duplicated + (o[k]?.duplicated ?? 0),
        reordered: a.reordered + (o[k]?.reordered ?? 0),
      }),
      { lost: 0, duplicated: 0, reordered: 0 },
    );
  const [i1, i2] = [sum(pg1), sum(pg2)];
  crows.push([
    'lost / duplicated / reordered',
    `${i1.lost} / ${i1.duplicated} / ${i1.reordered}`,
    `${i2.lost} / ${i2.duplicated} / ${i2.reordered}`,
    '',
    '',
    '',
  ]);
  bad += i1.lost + i1.duplicated + i1.reordered + i2.lost + i2.duplicated + i2.reordered;
  console.log('\n| what (PostgreSQL) | 1 instance | 2 instances + Redis, clients split | 2 vs 1 | bare Socket.IO | |');
  console.log('|---|---|---|---|---|---|');
  for (const r of crows) console.log(`| ${r.join(' | ')} |`);
}
process.exit(bad === 0 ? 0 : 1);

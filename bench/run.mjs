// Benchmark: scheduling and relay overhead per agent turn, with 100
// participants and a zero-latency OpenAI-compatible fake model, next to the
// same session with the agent disabled (the bare relay). This process drives;
// the server runs as its own process (`node dist/main.js`), built first.
// Usage: npm run bench [-- --participants 100 --turns 40]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PARTICIPANTS = arg('participants', 100);
const TURNS = arg('turns', 40);

// A zero-latency model: answers every completion at once with a fixed 8-chunk stream.
const model = createServer(async (req, res) => {
  for await (const _ of req);
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const piece of ['The ', 'answer ', 'is ', 'a ', 'short ', 'fixed ', 'text', '.']) {
    res.write(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta: { content: piece } }] })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
});
await new Promise((r) => model.listen(0, '127.0.0.1', r));

spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'server'], { stdio: 'inherit' });
const dataDir = mkdtempSync(join(tmpdir(), 'roundtable-bench-'));
const server = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', OPENAI_BASE_URL: `http://127.0.0.1:${model.address().port}/v1`, OPENAI_API_KEY: 'bench' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve) => {
  let out = '';
  server.stdout.on('data', (c) => {
    out += c;
    const m = out.match(/localhost:(\d+)/);
    if (m) resolve(`http://127.0.0.1:${m[1]}`);
  });
});

const post = (path, body, token) =>
  fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then((r) => r.json());

async function scenario(label, respondsTo) {
  const teacher = await post('/auth/register', { email: `t-${label}@bench.org`, password: 'password123', display_name: 'Teacher' });
  const { session } = await post('/sessions', { title: label, agent: { responds_to: respondsTo } }, teacher.access_token);
  const sockets = [];
  for (let i = 0; i < PARTICIPANTS; i++) {
    const guest = await post('/auth/guest', { join_code: session.join_code, display_name: `S${i}` });
    const s = io(url, { auth: { token: guest.access_token }, transports: ['websocket'] });
    await new Promise((r) => s.on('connect', r));
    await s.emitWithAck('join', { session_id: session.id });
    sockets.push(s);
  }
  // One turn: a question is sent; it ends when every participant has the last durable message of the turn.
  const lastRole = respondsTo === 'all' ? 'assistant' : 'user';
  const times = [];
  for (let t = 0; t < TURNS; t++) {
    const arrived = sockets.map(
      (s) => new Promise((resolve) => {
        const on = (e) => {
          if (e.message.role === lastRole) {
            s.off('new_message', on);
            resolve();
          }
        };
        s.on('new_message', on);
      }),
    );
    const started = performance.now();
    await sockets[t % PARTICIPANTS].emitWithAck('message', { session_id: session.id, content: `question ${t}`, client_msg_id: `q${t}` });
    await Promise.all(arrived);
    times.push(performance.now() - started);
  }
  for (const s of sockets) s.close();
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { label, mean, p50: times[Math.floor(times.length / 2)], p95: times[Math.floor(times.length * 0.95)] };
}

const bare = await scenario('agent-disabled', 'mentions');
const agent = await scenario('agent-answering', 'all');
const fmt = (r) => `${r.label.padEnd(16)} mean ${r.mean.toFixed(1)} ms  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms`;
console.log(`participants ${PARTICIPANTS}, turns ${TURNS}`);
console.log(fmt(bare));
console.log(fmt(agent));
console.log(`agent turn / bare relay: ${(agent.mean / bare.mean).toFixed(2)}x; scheduling + relay overhead per agent turn: ${(agent.mean - bare.mean).toFixed(1)} ms`);
server.kill('SIGTERM');
model.close();
await new Promise((r) => server.on('exit', r));
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);

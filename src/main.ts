import './wasm-compilation.js'; // first: before any WebAssembly is compiled
import 'reflect-metadata';
import { loadConfigOrExit } from './config/app-config.js';
import { createApp } from './app.js';

async function main() {
  const config = loadConfigOrExit();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(
    `Roundtable is serving on http://localhost:${port} (agent: ${config.agent.provider}, database: ${config.databaseUrl ? 'PostgreSQL' : 'embedded'})`,
  );
}

// A stop is bounded: Nest's shutdown hooks drain and close everything, and if anything hangs the
// process still exits within 10 s of the signal (a load balancer's drain timeout is longer).
const STOP_BOUND_MS = 9_500;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    setTimeout(() => {
      console.error(`Roundtable: still stopping ${STOP_BOUND_MS} ms after ${signal}; exiting now`);
      process.exit(1);
    }, STOP_BOUND_MS).unref();
  });
}

// Benchmarks measure memory after a full collection: with --expose-gc, SIGPWR runs one and prints the figures.
const collect = (globalThis as { gc?: () => void }).gc;
if (collect) {
  process.on('SIGPWR', () => {
    collect();
    console.log(`memory ${JSON.stringify(process.memoryUsage())}`);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

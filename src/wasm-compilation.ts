import { setFlagsFromString } from 'node:v8';

/**
 * The server's WebAssembly (the embedded PostgreSQL and Prisma's query compiler) is compiled once,
 * optimised, when it is loaded, and never again. V8's default compiles a quick baseline first and
 * then re-compiles the hot functions with its optimising compiler on background threads while the
 * server runs; the memory those compilations take stays with the process. Measured on a restarted
 * server before anyone connects: 237-238 MB resident in every run with this, 265-283 MB without,
 * for 1.5 s more at start on the embedded database (3.0 to 4.5 s; bench/RESULTS.md, 2026-12-07).
 * Hot code runs optimised either way; with this, the rarely run code is optimised too.
 *
 * Imported first by the server's entry point (main.ts), before any module is compiled. V8 reads the
 * flag when it compiles a module, so setting it here, after Node started, takes effect; tests that
 * boot the app in-process keep V8's default (it changes memory and start-up time, not behaviour).
 */
setFlagsFromString('--no-liftoff');

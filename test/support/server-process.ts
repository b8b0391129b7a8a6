import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const startScript = fileURLToPath(new URL('../../scripts/start.mjs', import.meta.url));

export interface ServerProcess {
  process: ChildProcess;
  url: string;
  /** Everything it printed. */
  output(): string;
}

/** The real server process (`npm start`'s script), on a random port. */
export function startServer(env: Record<string, string>): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [startScript], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/serving on http:\/\/localhost:(\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ process: child, url: `http://127.0.0.1:${match[1]}`, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

/** Kills it outright (no cleanup of any kind), and waits for the process to be gone. */
export function kill9(server: ServerProcess): Promise<void> {
  if (server.process.exitCode !== null || server.process.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    server.process.once('exit', () => resolve());
    server.process.kill('SIGKILL');
  });
}

/** Asks it to stop (SIGTERM); resolves with how it exited and how long it took. */
export function terminate(
  server: ServerProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    server.process.once('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - started }));
    server.process.kill('SIGTERM');
  });
}

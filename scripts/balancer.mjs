// A small TCP load balancer for trying several instances locally and for the multi-instance
// tests: each new connection goes to the next instance in turn, skipping one that refuses
// (stopped or restarting). HTTP, Socket.IO and plain WebSocket all pass through unchanged; a
// connection stays on the instance it reached until either side closes it. Not for production:
// use your load balancer (nginx, HAProxy, a cloud LB) there; see docs/SCALING.md.
import net from 'node:net';

/**
 * @param {{ port?: number, host?: string, backends: Array<{ host?: string, port: number }> }} options
 * @returns {Promise<{ port: number, url: string, close(): Promise<void> }>}
 */
export function startBalancer({ port = 0, host = '127.0.0.1', backends }) {
  let next = 0;
  const open = new Set();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    client.pause();
    const attempt = (tried) => {
      if (tried >= backends.length) return client.destroy();
      const backend = backends[next++ % backends.length];
      const upstream = net.connect({ host: backend.host ?? '127.0.0.1', port: backend.port });
      // Refused before connecting (stopped, or restarting): the next instance in turn.
      upstream.once('error', () => attempt(tried + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        open.add(upstream);
        upstream.on('close', () => {
          open.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      resolve({
        port: bound,
        url: `http://${host}:${bound}`,
        close: () =>
          new Promise((done) => {
            for (const socket of open) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

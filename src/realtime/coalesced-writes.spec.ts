import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { coalesceWrites } from './coalesced-writes.js';

/** Coalesced writes on a real loopback connection. */
describe('coalesceWrites', () => {
  let server: Server;
  let received: Buffer[];
  let peerClosed: Promise<unknown>;
  let client: Socket;

  beforeEach(async () => {
    received = [];
    server = createServer((peer) => {
      peer.on('data', (chunk) => received.push(chunk));
      peerClosed = once(peer, 'end');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    coalesceWrites(client);
  });
  afterEach(async () => {
    client.destroy();
    server.close();
    await once(server, 'close');
  });

  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('holds what one turn writes and sends it together, in order, right after the turn', async () => {
    client.write('one ');
    client.write('two ');
    expect(client.writableCorked).toBe(1);
    client.write('three');
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.writableCorked).toBe(0);
    await settle();
    expect(Buffer.concat(received).toString()).toBe('one two three');
  });

  it('writes of later turns go out in their own turn', async () => {
    client.write('a');
    await new Promise((resolve) => setImmediate(resolve));
    client.write('b');
    expect(client.writableCorked).toBe(1);
    await settle();
    expect(Buffer.concat(received).toString()).toBe('ab');
  });

  it('sends what is held at once when the connection ends', async () => {
    client.write('last words');
    client.end();
    expect(client.writableCorked).toBe(0);
    await peerClosed;
    expect(Buffer.concat(received).toString()).toBe('last words');
  });
});

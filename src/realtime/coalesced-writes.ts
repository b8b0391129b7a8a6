import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** Sockets written to in this turn of the event loop, corked until its end. */
const corked = new Set<Duplex>();
let flushScheduled = false;

function uncorkAll() {
  flushScheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/**
 * Everything written to this connection in one turn of the event loop leaves in one system call:
 * the socket is corked at its first write of the turn and uncorked right after the turn's I/O
 * callbacks (setImmediate). A broadcast is one WebSocket frame per connection, and a join storm
 * or a busy room sends a connection several in one turn (presence, messages, the queue): each
 * was a `writev` of its own, half the server's CPU in a join storm (bench/RESULTS.md). What is
 * written waits at most for the end of the current turn; `end()` uncorks at once (Node's
 * Writable), so a closing handshake or an error response is never held back.
 */
export function coalesceWrites(socket: Duplex): void {
  const write = socket.write;
  socket.write = function (this: Duplex, ...args: Parameters<Duplex['write']>) {
    if (!corked.has(socket) && !socket.destroyed) {
      socket.cork();
      corked.add(socket);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(uncorkAll);
      }
    }
    return write.apply(this, args);
  } as Duplex['write'];
}

/**
 * The `ws` server with coalesced writes on every connection it upgrades: Socket.IO's engine
 * (its `wsEngine` option) and the plain-WebSocket endpoint both use it.
 */
export class CoalescingWebSocketServer extends WebSocketServer {
  override handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (client: WebSocket, request: IncomingMessage) => void,
  ): void {
    coalesceWrites(socket);
    super.handleUpgrade(request, socket, head, callback);
  }
}

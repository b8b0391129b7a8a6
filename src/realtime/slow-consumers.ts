import { Logger } from '@nestjs/common';
import type { Server } from 'socket.io';

/** How often the server looks at what each connection has not yet taken. */
export const SLOW_CONSUMER_SWEEP_MS = 1000;

/** What an engine.io connection holds for a client, as far as this module reads it. */
interface EngineConnection {
  id: string;
  readyState: string;
  writeBuffer: Array<{ data?: unknown }>;
  transport: { name: string; socket?: { bufferedAmount?: number; terminate?: () => void } };
  close(discard?: boolean): void;
}

function packetBytes(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data && typeof (data as ArrayBufferLike).byteLength === 'number') return (data as ArrayBufferLike).byteLength;
  return 0;
}

/** Bytes the server holds for one connection: packets not yet handed to the transport, and what the WebSocket has not yet written. */
export function pendingBytes(conn: EngineConnection): number {
  let bytes = conn.transport.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer) bytes += packetBytes(packet.data);
  return bytes;
}

/**
 * A client that stops reading (a frozen tab, a paused script, an attacker asking for history and never
 * taking it) makes the server hold everything sent to it: Socket.IO buffers without a bound until the
 * ping times out (45 s). Once a second every connection's pending bytes are summed; one over the limit
 * is cut at once, its buffers dropped. Its client reconnects and resumes with `last_seq`, so a slow
 * reader loses nothing: it pays with a reconnect instead of the server's memory.
 */
export class SlowConsumerGuard {
  private readonly logger = new Logger('SlowConsumerGuard');
  private timer?: NodeJS.Timeout;
  cut = 0;

  constructor(private readonly limitBytes: number) {}

  start(server: Server) {
    this.timer = setInterval(() => this.sweep(server), SLOW_CONSUMER_SWEEP_MS);
    this.timer.unref();
  }

  stop() {
    clearInterval(this.timer);
  }

  sweep(server: Server) {
    const clients = (server.engine as unknown as { clients?: Record<string, EngineConnection> } | undefined)?.clients;
    if (!clients) return;
    for (const conn of Object.values(clients)) {
      if (conn.readyState !== 'open') continue;
      const bytes = pendingBytes(conn);
      if (bytes <= this.limitBytes) continue;
      this.cut++;
      this.logger.warn({
        conn: conn.id,
        pending_bytes: bytes,
        msg: `connection ${conn.id} stopped reading: ${bytes} bytes pending (limit ${this.limitBytes}); closed`,
      });
      // terminate() drops the WebSocket's buffers now (close() would wait for them to drain, and they never will).
      conn.transport.socket?.terminate?.();
      conn.close(true);
    }
  }
}

// The baseline: a bare Socket.IO relay with the same event shapes as Roundtable
// (join with a snapshot or a resume from last_seq, message with an ack, new_message
// with a per-room seq), everything in memory, no persistence, no rules. What
// Roundtable costs beyond this is the price of its guarantees.
// Usage: node bench/bare-server.mjs  (prints "listening on <port>")
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { maxHttpBufferSize: 256 * 1024, serveClient: false });
const rooms = new Map();
const roomOf = (id) => {
  let room = rooms.get(id);
  if (!room) rooms.set(id, (room = { seq: 0, log: [] }));
  return room;
};
const KEEP = 500;

io.on('connection', (socket) => {
  socket.on('join', (input, ack) => {
    const room = roomOf(input.session_id);
    socket.join(input.session_id);
    if (
      typeof input.last_seq === 'number' &&
      room.seq - input.last_seq <= room.log.length &&
      input.last_seq <= room.seq
    ) {
      ack?.({
        ok: true,
        resumed: true,
        events: room.log.filter((e) => e.seq > input.last_seq),
        participants: [],
        queue: [],
      });
      return;
    }
    ack?.({
      ok: true,
      state: {
        type: 'session_state',
        session_id: input.session_id,
        seq: room.seq,
        messages: room.log.slice(-50).map((e) => e.message),
      },
    });
  });
  socket.on('message', (input, ack) => {
    const room = roomOf(input.session_id);
    const seq = ++room.seq;
    const message = {
      id: randomUUID(),
      seq,
      role: 'user',
      content: input.content,
      author_id: socket.id,
      author_name: 'bare',
      timestamp: new Date().toISOString(),
      status: 'complete',
      visibility: 'all',
      client_msg_id: input.client_msg_id,
    };
    const event = { type: 'new_message', session_id: input.session_id, seq, message };
    room.log.push(event);
    if (room.log.length > KEEP) room.log.shift();
    io.to(input.session_id).emit('new_message', event);
    ack?.({ ok: true, message });
  });
  // Bench only: fills a room's history (the late-join scenario).
  socket.on('seed', (input, ack) => {
    const room = roomOf(input.session_id);
    for (let i = 0; i < input.count; i++) {
      const seq = ++room.seq;
      room.log.push({
        type: 'new_message',
        session_id: input.session_id,
        seq,
        message: {
          id: randomUUID(),
          seq,
          role: 'user',
          content: `seed ${i}`,
          author_name: 'seed',
          timestamp: new Date().toISOString(),
        },
      });
      if (room.log.length > KEEP) room.log.shift();
    }
    ack?.({ ok: true });
  });
});

http.listen(0, '127.0.0.1', () => console.log(`listening on ${http.address().port}`));
process.on('SIGTERM', () => process.exit(0));
if (globalThis.gc) {
  process.on('SIGPWR', () => {
    globalThis.gc();
    console.log(`memory ${JSON.stringify(process.memoryUsage())}`);
  });
}

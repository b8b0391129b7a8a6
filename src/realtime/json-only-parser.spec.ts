import { Encoder, PacketType, type Packet } from 'socket.io-parser';
import { JsonOnlyEncoder } from './json-only-parser.js';

const message = {
  type: 'new_message',
  session_id: '6f1c0b9e-0000-4000-8000-000000000001',
  seq: 42,
  message: { id: 'm1', content: 'ünïcode “quotes” \n and a \\ backslash', author_id: null, votes: 0, held: false },
};

// Every packet the server sends, as Socket.IO's own encoder writes it: same bytes, so no client can tell.
const packets: Packet[] = [
  { type: PacketType.EVENT, nsp: '/', data: ['new_message', message] },
  { type: PacketType.EVENT, nsp: '/', data: ['agent_delta', { delta: '' }] },
  { type: PacketType.ACK, nsp: '/', id: 7, data: [{ ok: true, resumed: true, events: [message, message] }] },
  { type: PacketType.ACK, nsp: '/', id: 0, data: [{ ok: false, error: { code: 'forbidden', message: 'no' } }] },
  { type: PacketType.EVENT, nsp: '/admin', id: 3, data: ['x', 1, 'two', [3], null] },
  { type: PacketType.CONNECT, nsp: '/', data: { sid: 'abc' } },
  { type: PacketType.CONNECT_ERROR, nsp: '/', data: { message: 'unauthorized' } },
  { type: PacketType.DISCONNECT, nsp: '/' },
];

it.each(packets.map((p) => [PacketType[p.type], p] as const))(
  'encodes a %s packet exactly as Socket.IO does',
  (_type, packet) => {
    expect(new JsonOnlyEncoder().encode(packet)).toEqual(new Encoder().encode(packet));
  },
);

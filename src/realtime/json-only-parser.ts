import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';

/**
 * Socket.IO's packet encoder without its search for binary data in every event and ack. This server
 * sends none (every payload is JSON), and the search walks each payload in full before
 * JSON.stringify walks it again: 8 % of the server's CPU while 50 people resumed with 100 events
 * each (bench/RESULTS.md, 2026-12-07). Events and acks are written in Socket.IO's text format,
 * `<type>[<namespace>,][<ack id>]<JSON>` (the protocol's own, as the stock encoder writes a packet
 * with no binary in it); every other packet goes to the stock encoder. What clients receive is
 * byte for byte the same (json-only-parser.spec.ts compares the two).
 */
export class JsonOnlyEncoder extends Encoder {
  override encode(packet: Packet): unknown[] {
    if (packet.type !== PacketType.EVENT && packet.type !== PacketType.ACK) return super.encode(packet);
    let text = String(packet.type);
    if (packet.nsp && packet.nsp !== '/') text += `${packet.nsp},`;
    if (packet.id !== undefined && packet.id !== null) text += String(packet.id);
    if (packet.data !== undefined && packet.data !== null) text += JSON.stringify(packet.data);
    return [text];
  }
}

/** The parser the server runs with (Socket.IO's `parser` option): this encoder, the stock decoder. */
export const jsonOnlyParser = { Encoder: JsonOnlyEncoder, Decoder };

/**
 * The id every log line about one client connection carries (`conn`): engine.io's id of the transport
 * connection, which the slow-consumer guard sees too. Socket.IO types it private; it is stable and public at runtime.
 */
export function connectionId(socket: { conn: unknown }): string {
  return (socket.conn as { id: string }).id;
}

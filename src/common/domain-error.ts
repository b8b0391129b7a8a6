import type { ErrorCode } from '../contract/protocol.js';

/**
 * An error the application means to tell the caller about. It knows nothing of
 * HTTP or sockets: the HTTP filter and the socket filter map its code to each
 * transport's shape (PROTOCOL.md sections 2 and 4).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

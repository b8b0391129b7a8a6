import { ArgumentsHost, BadRequestException, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { WireError } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { codeOfHttpStatus, validationMessage } from '../common/error-mapping.js';
import { connectionId } from './connection-id.js';

/** Who a socket log line is about: the connection (engine.io's id, the same in every line about it) and, once known, the person. */
export interface ConnectionRef {
  conn: string;
  user_id?: string;
  event?: string;
}

export function toWireError(exception: unknown, logger?: Logger, connection?: ConnectionRef): WireError {
  if (exception instanceof DomainError) {
    return { code: exception.code, message: exception.message, ...(exception.retryAfterMs !== undefined ? { retry_after_ms: exception.retryAfterMs } : {}) };
  }
  if (exception instanceof BadRequestException) return { code: 'bad_request', message: validationMessage(exception.getResponse()) };
  if (exception instanceof HttpException) {
    return { code: codeOfHttpStatus(exception.getStatus()), message: validationMessage(exception.getResponse()) };
  }
  if (exception instanceof WsException) return { code: 'bad_request', message: String(exception.message) };
  logger?.error({ ...connection, err: exception instanceof Error ? exception : new Error(String(exception)), msg: 'unhandled error in a socket handler' });
  return { code: 'internal', message: 'internal error' };
}

/**
 * Turns any error of a socket handler into the error ack of PROTOCOL.md section 4
 * (instead of Nest's generic "exception" event): {ok: false, error: {code, message}}.
 */
@Catch()
export class SocketExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('SocketExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost) {
    const ack = host.getArgs().find((arg, index) => index > 0 && typeof arg === 'function') as ((answer: unknown) => void) | undefined;
    const ws = host.switchToWs();
    const socket = ws.getClient<{ conn: unknown; data?: { user?: { id: string } } }>();
    const event = ws.getPattern();
    const error = toWireError(exception, this.logger, { conn: connectionId(socket), user_id: socket.data?.user?.id, event });
    if (ack) ack({ ok: false, error });
  }
}

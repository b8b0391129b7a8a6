import { ArgumentsHost, BadRequestException, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { WireError } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { codeOfHttpStatus, validationMessage } from '../common/error-mapping.js';

export function toWireError(exception: unknown, logger?: Logger): WireError {
  if (exception instanceof DomainError) {
    return { code: exception.code, message: exception.message, ...(exception.retryAfterMs !== undefined ? { retry_after_ms: exception.retryAfterMs } : {}) };
  }
  if (exception instanceof BadRequestException) return { code: 'bad_request', message: validationMessage(exception.getResponse()) };
  if (exception instanceof HttpException) {
    return { code: codeOfHttpStatus(exception.getStatus()), message: validationMessage(exception.getResponse()) };
  }
  if (exception instanceof WsException) return { code: 'bad_request', message: String(exception.message) };
  logger?.error(exception instanceof Error ? exception.stack : String(exception));
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
    const error = toWireError(exception, this.logger);
    if (ack) ack({ ok: false, error });
  }
}

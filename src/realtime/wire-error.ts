import { BadRequestException, HttpException, type Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { WireError } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { codeOfHttpStatus, validationMessage } from '../common/error-mapping.js';

/** Who a socket log line is about: the connection (engine.io's id, the same in every line about it) and, once known, the person. */
export interface ConnectionRef {
  conn: string;
  user_id?: string;
  event?: string;
}

/** Any error of a socket handler as the error ack of PROTOCOL.md section 4: {code, message}; `internal` is logged. */
export function toWireError(exception: unknown, logger?: Logger, connection?: ConnectionRef): WireError {
  if (exception instanceof DomainError) {
    return {
      code: exception.code,
      message: exception.message,
      ...(exception.retryAfterMs !== undefined ? { retry_after_ms: exception.retryAfterMs } : {}),
    };
  }
  if (exception instanceof BadRequestException)
    return { code: 'bad_request', message: validationMessage(exception.getResponse()) };
  if (exception instanceof HttpException) {
    return { code: codeOfHttpStatus(exception.getStatus()), message: validationMessage(exception.getResponse()) };
  }
  if (exception instanceof WsException) return { code: 'bad_request', message: String(exception.message) };
  logger?.error({
    ...connection,
    err: exception instanceof Error ? exception : new Error(String(exception)),
    msg: 'unhandled error in a socket handler',
  });
  return { code: 'internal', message: 'internal error' };
}

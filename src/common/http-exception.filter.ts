import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { DomainError } from './domain-error.js';
import { codeOfHttpStatus, httpStatusOf, validationMessage } from './error-mapping.js';

/** Every REST error leaves as {statusCode, error, message, code} (PROTOCOL.md section 2). */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') return;
    const response = host.switchToHttp().getResponse<Response>();
    let status: number;
    let message: string;
    let code;
    if (exception instanceof DomainError) {
      status = httpStatusOf(exception.code);
      message = exception.message;
      code = exception.code;
      if (exception.retryAfterMs !== undefined) {
        response.setHeader('Retry-After', String(Math.max(1, Math.ceil(exception.retryAfterMs / 1000))));
      }
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = validationMessage(exception.getResponse());
      code = codeOfHttpStatus(status);
    } else if (isBodyParserError(exception)) {
      status = exception.status;
      message = status === 413 ? 'the request body is too large' : 'the request body is not valid JSON';
      code = codeOfHttpStatus(status);
    } else {
      // The line carries the request's id (X-Request-Id), so the access log line and this one meet.
      const req_id = (host.switchToHttp().getRequest<{ id?: unknown }>().id as string | undefined) ?? null;
      this.logger.error({
        req_id,
        err: exception instanceof Error ? exception : new Error(String(exception)),
        msg: 'unhandled error',
      });
      status = 500;
      message = 'internal error';
      code = 'internal' as const;
    }
    if (response.headersSent) return;
    response.status(status).json({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, code });
  }
}

function isBodyParserError(error: unknown): error is { status: number; type: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status?: unknown }).status === 'number' &&
    'type' in error
  );
}

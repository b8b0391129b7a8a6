import { HttpStatus } from '@nestjs/common';
import type { ErrorCode } from '../contract/protocol.js';

/** The HTTP status of each domain error code. A new code that is not mapped fails to compile. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'bad_request':
    case 'too_large':
      return HttpStatus.BAD_REQUEST;
    case 'unauthorized':
      return HttpStatus.UNAUTHORIZED;
    case 'forbidden':
    case 'not_member':
    case 'muted':
      return HttpStatus.FORBIDDEN;
    case 'not_found':
      return HttpStatus.NOT_FOUND;
    case 'conflict':
    case 'not_your_turn':
    case 'session_locked':
    case 'session_closed':
      return HttpStatus.CONFLICT;
    case 'rate_limited':
      return HttpStatus.TOO_MANY_REQUESTS;
    case 'internal':
      return HttpStatus.INTERNAL_SERVER_ERROR;
    default: {
      const unmapped: never = code;
      throw new Error(`unmapped error code ${String(unmapped)}`);
    }
  }
}

export function codeOfHttpStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 413:
    case 422:
      return status === 413 ? 'too_large' : 'bad_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'internal' : 'bad_request';
  }
}

/** Flattens ValidationPipe's list of messages into one sentence that names the fields. */
export function validationMessage(response: unknown): string {
  if (typeof response === 'string') return response;
  if (response && typeof response === 'object' && 'message' in response) {
    const message = (response as { message: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
  }
  return 'bad request';
}

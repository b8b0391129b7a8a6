import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError } from './domain-error.js';
import { MAX_JSON_DEPTH, valueDepth } from './input-limits.js';

/** Refuses input nested deeper than MAX_JSON_DEPTH before the validator walks it (recursively). */
@Injectable()
export class DepthLimitPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    // Only what a client sent (bodies, queries, route params), not the socket or the user a decorator injects.
    if (metadata.type !== 'body' && metadata.type !== 'query' && metadata.type !== 'param') return value;
    if (valueDepth(value) > MAX_JSON_DEPTH)
      throw new DomainError('bad_request', `the input is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`);
    return value;
  }
}

import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';

/** Redacted paths: tokens, passwords and cookies never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body.password',
  'access_token',
  'password',
  'token',
];

/**
 * JSON lines in production and wherever a machine reads the output; readable
 * lines (pino-pretty) when a person watches a terminal outside production, so
 * `npm start` reads well for a newcomer. LOG_FORMAT (json | pretty) decides
 * instead when set.
 */
export function logFormat(
  env: NodeJS.ProcessEnv = process.env,
  isTty = process.stdout.isTTY === true,
): 'json' | 'pretty' {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTty && env.NODE_ENV !== 'production' ? 'pretty' : 'json';
}

export function createPino(level: string, format: 'json' | 'pretty' = logFormat()): Logger {
  return pino({
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(format === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: {
              colorize: true,
              translateTime: 'SYS:HH:MM:ss',
              ignore: 'pid,hostname,context',
              messageFormat: '{if context}[{context}] {end}{msg}',
            },
          },
        }
      : {}),
  });
}

/** Nest's logger interface over pino, so framework and app logs are one JSON stream. */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace', message: unknown, params: unknown[]) {
    const context = typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object') this.logger[level]({ context, ...(message as object) });
    else this.logger[level]({ context }, String(message));
  }

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
}

import { LtiFrameAncestors } from './lti/lti-frame-ancestors.js';
import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import compression from 'compression';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { pinoHttp } from 'pino-http';
import { AppModule } from './app.module.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { DepthLimitPipe } from './common/depth-limit.pipe.js';
import { createPino, PinoLoggerService } from './common/pino-logger.js';
import type { AppConfig } from './config/app-config.js';
import { ClusterSignals, type RedisCommands } from './persistence/cluster-signals.js';
import { LeanIoAdapter } from './realtime/lean-io.adapter.js';

/** Per address and minute; in a cluster the counts live in Redis, so they hold across instances. */
function authRateLimit(limit: number, redis?: RedisCommands, name = 'auth') {
  return rateLimit({
    windowMs: 60_000,
    limit,
    ...(redis
      ? {
          store: new RedisStore({
            sendCommand: (...args: string[]) => redis.sendCommand(args) as Promise<RedisReply>,
            prefix: `roundtable:${name}-limit:`,
          }),
        }
      : {}),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // X-Forwarded-For from a client is ignored on purpose unless TRUST_PROXY is set: no warning for it.
    validate: { xForwardedForHeader: false },
    handler: (_req, res, _next, options) => {
      res.setHeader('Retry-After', String(Math.ceil(options.windowMs / 1000)));
      res.status(429).json({
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'too many attempts: try again in a minute',
        code: 'rate_limited',
      });
    },
  });
}

/**
 * Security headers (helmet), with a Content-Security-Policy the web client
 * passes: scripts, style sheets, fonts and connections from this origin only
 * (the socket's ws:/wss: on this host), no inline script or style sheet, no
 * framing, no plugins.
 * The OpenAPI page (/docs) is Swagger UI's own and keeps helmet's other headers.
 */
function securityHeaders(frameAncestors: () => string[]) {
  // No X-Frame-Options: it cannot name the LMS platforms allowed to frame Roundtable; CSP's
  // frame-ancestors does (none while no platform is registered).
  const base = helmet({ contentSecurityPolicy: false, frameguard: false });
  const csp = helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      // KaTeX places each glyph with a style attribute; style attributes cannot run script, and no
      // <style> element or raw HTML from a message is ever rendered (style-src-elem stays 'self').
      'style-src-attr': ["'unsafe-inline'"],
      'style-src-elem': ["'self'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'font-src': ["'self'", 'data:'],
      'connect-src': [
        "'self'",
        (req) => `ws://${req.headers.host ?? 'localhost'}`,
        (req) => `wss://${req.headers.host ?? 'localhost'}`,
      ],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'"],
      'frame-ancestors': [() => frameAncestors().join(' ')],
    },
  });
  type Handler = (
    req: { url?: string; headers: { host?: string } },
    res: unknown,
    next: (error?: unknown) => void,
  ) => void;
  return ((req, res, next) =>
    (base as unknown as Handler)(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (req.url?.startsWith('/docs')) return next();
      (csp as unknown as Handler)(req, res, next);
    })) as Handler;
}

/** A request's path as the access log keeps it: without the query, and with join codes replaced. */
export function redactUrl(url: string): string {
  return url.split('?')[0].replace(/^\/join\/[^/]+/i, '/join/[code]');
}

export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../client/web/dist', import.meta.url));

/** Everything main.ts and the e2e tests share: the app as it runs. */
export async function createApp(
  config: AppConfig,
  options: { logger?: boolean } = {},
): Promise<NestExpressApplication> {
  const logger = createPino(options.logger === false ? 'silent' : config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: new PinoLoggerService(logger),
  });
  app.use(
    pinoHttp({
      logger,
      // Every line of a request carries its id (a caller's X-Request-Id if it is sane, else a new one), echoed back.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/health' },
      // No query strings (tokens may travel there) and no join codes: the log is not a way into a class.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
      },
    }),
  );
  await bootstrap(app, config);
  return app;
}

export async function bootstrap(app: NestExpressApplication, config: AppConfig): Promise<INestApplication> {
  // Only the signals meant: with none named Nest also takes SIGUSR2, which --heapsnapshot-signal uses.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  // Password guessing and account spraying: attempts per address and minute are capped.
  // Guest joins get more room: a whole class behind one school NAT joins at once.
  // Behind a reverse proxy every client shares the proxy's address: TRUST_PROXY says which proxies'
  // X-Forwarded-For to believe (and no other, so nobody dodges the limits by sending that header).
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  const redis = config.redisUrl ? await app.get(ClusterSignals).commands() : undefined;
  app.use(
    ['/auth/login', '/auth/register', '/auth/password'],
    authRateLimit(config.limits.authPerMinute, redis, 'auth'),
  );
  app.use('/auth/guest', authRateLimit(config.limits.guestJoinsPerMinute, redis, 'guest'));
  // A school signs in through its provider from behind one NAT too: the guest joins' allowance.
  app.use('/auth/oidc', authRateLimit(config.limits.guestJoinsPerMinute, redis, 'oidc'));
  app.disable('x-powered-by');
  const frames = app.get(LtiFrameAncestors);
  app.use(securityHeaders(() => frames.sources()));
  app.useBodyParser('json', { limit: '64kb' });
  // An LMS posts the LTI login initiation and launch as HTML forms.
  app.useBodyParser('urlencoded', { limit: '64kb', extended: false });
  // Nesting is bounded before anything walks the input: 5,000 levels overflowed the validator's stack.
  app.useGlobalPipes(
    new DepthLimitPipe(),
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.useGlobalFilters(new HttpExceptionFilter());

  // With REDIS_URL, instances reach each other's connections through the cluster relay (one event
  // stream, ClusterRelay), not through a Socket.IO adapter: each instance emits to its own.
  app.useWebSocketAdapter(new LeanIoAdapter(app, config.corsOrigins));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Roundtable')
      .setDescription('REST API of Roundtable. The live protocol (Socket.IO) is described in docs/PROTOCOL.md.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });

  const webDist = config.webDistDir ?? DEFAULT_WEB_DIST;
  if (existsSync(join(webDist, 'index.html'))) {
    // A class behind one connection loads the client at once: compress it, and let browsers keep
    // the content-hashed bundles for good (index.html itself is always revalidated).
    app.use(compression());
    const hashedAssets = join(webDist, 'assets') + sep;
    app.useStaticAssets(webDist, {
      index: 'index.html',
      setHeaders: (res: { setHeader(name: string, value: string): void }, path: string) => {
        res.setHeader(
          'Cache-Control',
          path.startsWith(hashedAssets) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    // Client-side routes (/s/<id>, /join/<code>) get the app shell.
    const express = app.getHttpAdapter().getInstance() as {
      get(path: RegExp, handler: (req: unknown, res: { sendFile(path: string): void }) => void): void;
    };
    express.get(/^\/(?:s|join|login)(?:\/.*)?$/, (_req, res) => res.sendFile(join(webDist, 'index.html')));
  }
  return app;
}

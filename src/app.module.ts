import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { AgentModule } from './agent/agent.module.js';
import { AuthModule } from './auth/auth.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { HealthModule } from './health/health.module.js';
import { ModerationModule } from './moderation/moderation.module.js';
import { PersistenceModule } from './persistence/persistence.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { TurnsModule } from './turns/turns.module.js';
import { WebModule } from './web/web.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Tokens and passwords never reach the log.
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', 'req.body.password', 'req.body.access_token'],
              censor: '[redacted]',
            },
            autoLogging: { ignore: (req) => req.url === '/health' },
            serializers: {
              req: (req: { method: string; url: string; id: unknown }) => ({ id: req.id, method: req.method, url: req.url?.split('?')[0] }),
            },
          },
        }),
        ThrottlerModule.forRoot([{ limit: 600, ttl: 60_000 }]),
        PersistenceModule,
        AuthModule,
        SessionsModule,
        TurnsModule,
        AgentModule,
        ModerationModule,
        RealtimeModule,
        HealthModule,
        WebModule.forRoot(config),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { AgentModule } from './agent/agent.module.js';
import { AuthModule } from './auth/auth.module.js';
import { LtiModule } from './lti/lti.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { HealthModule } from './health/health.module.js';
import { ModerationModule } from './moderation/moderation.module.js';
import { PersistenceModule } from './persistence/persistence.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { PrivacyModule } from './privacy/privacy.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { TurnsModule } from './turns/turns.module.js';
import { ShutdownDrain } from './realtime/shutdown-drain.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule,
        AuthModule,
        SessionsModule,
        TurnsModule,
        AgentModule,
        ModerationModule,
        RealtimeModule,
        ReportsModule,
        PrivacyModule,
        HealthModule,
        LtiModule,
      ],
      // The root module's hooks run first on a stop: the drain, while everything else is still open.
      providers: [ShutdownDrain],
    };
  }
}

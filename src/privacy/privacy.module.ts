import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { AdminPrivacyController, OwnDataController } from './privacy.controller.js';
import { PrivacyRepository } from './privacy.repository.js';
import { PrivacyService } from './privacy.service.js';

/** Retention, erasure and export: the data's lifecycle (docs/PRIVACY.md). */
@Module({
  imports: [SessionsModule, AuthModule],
  controllers: [OwnDataController, AdminPrivacyController],
  providers: [PrivacyService, PrivacyRepository],
})
export class PrivacyModule {}

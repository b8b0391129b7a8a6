import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { LtiAdminController } from './lti-admin.controller.js';
import { LtiFrameAncestors } from './lti-frame-ancestors.js';
import { LtiLaunch } from './lti-launch.service.js';
import { LtiPlatforms } from './lti-platforms.service.js';
import { LtiToolKeys } from './lti-tool-keys.js';
import { LtiController } from './lti.controller.js';
import { LtiRepository } from './lti.repository.js';

/** Roundtable as an LTI 1.3 tool: launches from a course in the LMS, with the course's roles. */
@Module({
  imports: [AuthModule, SessionsModule],
  controllers: [LtiController, LtiAdminController],
  providers: [LtiLaunch, LtiPlatforms, LtiToolKeys, LtiFrameAncestors, LtiRepository],
  exports: [LtiFrameAncestors],
})
export class LtiModule {}

import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { AgentModule } from '../agent/agent.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { TurnsModule } from '../turns/turns.module.js';
import { SafetyModule } from '../safety/safety.module.js';
import { AdminFlagsController, SessionFlagsController } from './flags.controller.js';
import { FlagsModerationService } from './flags-moderation.service.js';
import { AuditRepository } from './audit.repository.js';
import { MembersModerationService } from './members-moderation.service.js';
import { ModerationService } from './moderation.service.js';
import { MuteScheduler } from './mute.scheduler.js';
import { SessionAdminController } from './session-admin.controller.js';
import { SessionControlService } from './session-control.service.js';

/** Moderators and operators running a room; every action audited. */
@Module({
  imports: [AuthModule, SessionsModule, TurnsModule, AgentModule, SafetyModule],
  controllers: [SessionAdminController, SessionFlagsController, AdminFlagsController],
  providers: [
    FlagsModerationService,
    ModerationService,
    MembersModerationService,
    SessionControlService,
    AuditRepository,
    MuteScheduler,
  ],
  exports: [ModerationService],
})
export class ModerationModule {}

import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { AgentLeasesRepository } from './agent-leases.repository.js';
import { GuestJoinController } from './guest-join.controller.js';
import { GuestJoinService } from './guest-join.service.js';
import { AgentLeases, MessageRecords, SessionRecords } from './session-records.service.js';
import { ClusterRelay } from './cluster-relay.js';
import { LiveSessions } from './live-sessions.service.js';
import { MessagesRepository } from './messages.repository.js';
import { PresenceRegistry } from './presence.registry.js';
import { SessionAccessService } from './session-access.service.js';
import { SessionEventBus } from './session-event-bus.js';
import { SessionEventsRepository } from './session-events.repository.js';
import { SessionLog } from './session-log.service.js';
import { SessionPermissionGuard } from './session-permission.guard.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

/**
 * Sessions, their members, messages and durable event log, each session's live state, and
 * admission by join code. Its repositories stay inside: other modules use SessionRecords,
 * MessageRecords and AgentLeases (session-records.service.ts).
 */
@Module({
  imports: [AuthModule],
  controllers: [SessionsController, GuestJoinController],
  providers: [
    SessionsService,
    GuestJoinService,
    SessionRecords,
    MessageRecords,
    AgentLeases,
    AgentLeasesRepository,
    SessionsRepository,
    MessagesRepository,
    SessionEventsRepository,
    SessionLog,
    SessionEventBus,
    SessionAccessService,
    SessionPermissionGuard,
    PresenceRegistry,
    LiveSessions,
    ClusterRelay,
  ],
  exports: [
    LiveSessions,
    SessionsService,
    SessionRecords,
    MessageRecords,
    AgentLeases,
    SessionLog,
    SessionEventBus,
    SessionAccessService,
    SessionPermissionGuard,
    PresenceRegistry,
    GuestJoinService,
  ],
})
export class SessionsModule {}

import { Module } from '@nestjs/common';
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

/** Sessions, their members, messages and durable event log. */
@Module({
  controllers: [SessionsController],
  providers: [
    SessionsService,
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
    SessionsRepository,
    MessagesRepository,
    SessionLog,
    SessionEventBus,
    SessionAccessService,
    SessionPermissionGuard,
    PresenceRegistry,
  ],
})
export class SessionsModule {}

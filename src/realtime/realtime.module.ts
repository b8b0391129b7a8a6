import { Module } from '@nestjs/common';
import { AgentModule } from '../agent/agent.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { ModerationModule } from '../moderation/moderation.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { TurnsModule } from '../turns/turns.module.js';
import { PresenceService } from './presence.service.js';
import { SharedPresence } from './shared-presence.js';
import { RealtimeBroadcaster } from './realtime.broadcaster.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { SnapshotService } from './snapshot.service.js';
import { SessionChannel } from './session-channel.js';
import { WsTransport } from './ws-transport.js';
import { WsHub } from './ws-hub.js';
import { TypingService } from './typing.service.js';

/** The live room over Socket.IO and plain WebSocket: two transports, one session service (SessionChannel). */
@Module({
  imports: [AuthModule, SessionsModule, TurnsModule, AgentModule, ModerationModule],
  providers: [
    RealtimeGateway,
    SessionChannel,
    WsHub,
    WsTransport,
    RealtimeBroadcaster,
    SnapshotService,
    PresenceService,
    SharedPresence,
    TypingService,
  ],
  exports: [RealtimeGateway, WsTransport, PresenceService],
})
export class RealtimeModule {}

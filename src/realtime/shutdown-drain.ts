import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { AgentRunner } from '../agent/agent-runner.service.js';
import { SessionLog } from '../sessions/session-log.service.js';
import { PresenceService } from './presence.service.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { WsTransport } from './ws-transport.js';

/**
 * A rolling restart's first step, on SIGTERM (or any close): provided by the root module, so its
 * hook runs before every other module's, while Redis and the database are still open.
 *   1. the listener closes: no new connection reaches this instance (the load balancer sends them elsewhere);
 *   2. the tutor's answers in progress are handed back (partial stored as cancelled, questions
 *      pending again, leases released, the other instances told);
 *   3. writes already submitted commit and are acknowledged;
 *   4. every client is told to reconnect, and resumes elsewhere with last_seq;
 *   5. writes that arrived meanwhile commit.
 * main.ts bounds the whole stop to 10 s.
 */
@Injectable()
export class ShutdownDrain implements OnModuleDestroy {
  private readonly logger = new Logger('Shutdown');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly runner: AgentRunner,
    private readonly log: SessionLog,
    private readonly presence: PresenceService,
    private readonly gateway: RealtimeGateway,
    private readonly ws: WsTransport,
  ) {}

  async onModuleDestroy() {
    const started = Date.now();
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (server?.listening) server.close();
    await this.runner.handBack();
    await this.log.settled();
    this.presence.drain();
    this.gateway.drain();
    await this.ws.drain();
    await this.log.settled();
    this.logger.log(
      `drained in ${Date.now() - started} ms: answers handed back, writes committed, clients told to reconnect`,
    );
  }
}

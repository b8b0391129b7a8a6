import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SessionAccess } from '../sessions/session.mappers.js';
import { Access, RequireSessionPermission, SessionPermissionGuard } from '../sessions/session-permission.guard.js';
import { TurnsService } from '../turns/turns.service.js';
import { AgentRunner } from './agent-runner.service.js';
import { AgentUsage } from './agent-usage.service.js';
import { viewerOf } from '../sessions/wire-events.js';

@ApiTags('agent')
@ApiBearerAuth()
@Controller('sessions')
@UseGuards(SessionPermissionGuard)
export class AgentController {
  constructor(
    private readonly runner: AgentRunner,
    private readonly usageOf: AgentUsage,
    private readonly turns: TurnsService,
  ) {}

  @Get(':id/queue')
  @RequireSessionPermission('read')
  @ApiOperation({ summary: 'What the agent will answer, in order, and why (policy, rotation, floor, approvals)' })
  queue(@Access() access: SessionAccess) {
    return this.turns.explain(access.session.id, viewerOf(access));
  }

  @Get(':id/usage')
  @RequireSessionPermission('read')
  @ApiOperation({ summary: "Token usage of the session's agent, in total and per user who triggered answers" })
  async usage(@Access() access: SessionAccess) {
    return { agent: this.runner.stateOf(access.session), usage: await this.usageOf.of(access.session.id) };
  }
}

import { Injectable } from '@nestjs/common';
import { AgentRepository } from './agent.repository.js';

/** What the session's tutor has spent: tokens in total and per person whose questions it answered. */
@Injectable()
export class AgentUsage {
  constructor(private readonly agent: AgentRepository) {}

  of(sessionId: string) {
    return this.agent.usage(sessionId);
  }
}

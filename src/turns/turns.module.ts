import { Module } from '@nestjs/common';
import { SafetyModule } from '../safety/safety.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { HandsRepository } from './hands.repository.js';
import { VotesService } from './votes.service.js';
import { MessageIntakeService } from './message-intake.service.js';
import { RateLimitService } from './rate-limit.service.js';
import { TurnsService } from './turns.service.js';

/** Turn policies, hands and the floor, rate limits, and people's messages entering a session. */
@Module({
  imports: [SessionsModule, SafetyModule],
  providers: [TurnsService, HandsRepository, MessageIntakeService, RateLimitService, VotesService],
  exports: [TurnsService, MessageIntakeService, VotesService],
})
export class TurnsModule {}

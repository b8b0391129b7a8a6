import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ParticipationRepository } from './participation.repository.js';
import { ParticipationService } from './participation.service.js';
import { ReportsController } from './reports.controller.js';

/** Reports for moderators, read from the stored session (never the hot path). */
@Module({
  imports: [SessionsModule],
  controllers: [ReportsController],
  providers: [ParticipationService, ParticipationRepository],
})
export class ReportsModule {}

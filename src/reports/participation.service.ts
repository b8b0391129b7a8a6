import { Injectable } from '@nestjs/common';
import { participation, participationCsv, type Participation } from './participation.js';
import { ParticipationRepository } from './participation.repository.js';

/** A session's participation report (computed in participation.ts from a handful of reads). */
@Injectable()
export class ParticipationService {
  constructor(private readonly rows: ParticipationRepository) {}

  async report(sessionId: string): Promise<Participation> {
    return participation(await this.rows.rows(sessionId));
  }

  csv(report: Participation): string {
    return participationCsv(report);
  }
}

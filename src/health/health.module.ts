import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';

/** GET /health: the database answers (PersistenceModule is global). */
@Module({ controllers: [HealthController] })
export class HealthModule {}

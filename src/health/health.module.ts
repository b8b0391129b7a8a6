import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module.js';
import { HealthController } from './health.controller.js';

@Module({ imports: [SessionsModule], controllers: [HealthController] })
export class HealthModule {}

import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.guard.js';
import { DatabaseHealth } from '../persistence/database-health.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly database: DatabaseHealth) {}

  /** 200 once the server accepts connections and its database answers; 503 otherwise. */
  @Public()
  @Get()
  async health(@Res() res: Response) {
    try {
      await this.database.ping();
      res.status(200).json({ status: 'ok', database: 'up' });
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'down' });
    }
  }
}

import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { Response } from 'express';
import type { SessionAccess } from '../sessions/session.mappers.js';
import { Access, RequireSessionPermission, SessionPermissionGuard } from '../sessions/session-permission.guard.js';
import { ParticipationService } from './participation.service.js';

export class ParticipationQuery {
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'format must be json or csv' })
  format?: 'json' | 'csv';
}

/** What a moderator reads about how the session went: participation per person. */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('sessions')
@UseGuards(SessionPermissionGuard)
export class ReportsController {
  constructor(private readonly reports: ParticipationService) {}

  @Get(':id/participation')
  @RequireSessionPermission('moderate')
  @ApiOperation({
    summary:
      'Per person: questions asked, answered and waiting, wait median and longest, tokens, hands, mutes; totals first. ?format=csv for a spreadsheet',
  })
  async participation(
    @Access() access: SessionAccess,
    @Query() query: ParticipationQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    const report = await this.reports.report(access.session.id);
    if (query.format === 'csv') {
      res.type('text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="participation-${access.session.id}.csv"`);
      return this.reports.csv(report);
    }
    return report;
  }
}

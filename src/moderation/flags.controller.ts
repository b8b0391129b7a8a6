import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/auth.guard.js';
import { PlatformAdminGuard } from '../auth/platform-admin.guard.js';
import { DomainError } from '../common/domain-error.js';
import type { SessionAccess } from '../sessions/session.mappers.js';
import { Access, RequireSessionPermission, SessionPermissionGuard } from '../sessions/session-permission.guard.js';
import { SafetyService } from '../safety/safety.service.js';
import { AdminFlagsQuery, ListFlagsQuery, ResolveFlagInput } from './dto/flag.inputs.js';
import { FlagsModerationService } from './flags-moderation.service.js';

const flagId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError('bad_request', 'flag_id must be a flag id (uuid)'),
});

/** Safety flags of a session, for its moderators (docs/SAFETY.md). */
@ApiTags('safety')
@ApiBearerAuth()
@Controller('sessions')
@UseGuards(SessionPermissionGuard)
export class SessionFlagsController {
  constructor(
    private readonly safety: SafetyService,
    private readonly flags: FlagsModerationService,
  ) {}

  @Get(':id/flags')
  @RequireSessionPermission('moderate')
  @ApiOperation({ summary: 'Safety flags, newest first (filters: status, category, action, limit)' })
  async list(@Access() access: SessionAccess, @Query() query: ListFlagsQuery) {
    return {
      flags: await this.safety.list({
        sessionId: access.session.id,
        status: query.status,
        category: query.category,
        action: query.action,
        limit: query.limit ?? 100,
      }),
    };
  }

  @Post(':id/flags/:flag_id/resolve')
  @HttpCode(200)
  @RequireSessionPermission('moderate')
  @ApiOperation({ summary: 'Release, hide or dismiss a flagged message, or write a staff note on it (audited)' })
  async resolve(
    @CurrentUser() user: AuthUser,
    @Access() access: SessionAccess,
    @Param('flag_id', flagId) id: string,
    @Body() input: ResolveFlagInput,
  ) {
    await this.flags.resolve(user, access, id, input.action, input.note);
    const [flag] = await this.safety.list({ sessionId: access.session.id, id, limit: 1 });
    return { flag };
  }
}

/** Every session's flags, for platform admins. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin')
@UseGuards(PlatformAdminGuard)
export class AdminFlagsController {
  constructor(private readonly safety: SafetyService) {}

  @Get('flags')
  @ApiOperation({
    summary: 'Safety flags across sessions, newest first (filters: session_id, status, category, action, limit)',
  })
  async list(@Query() query: AdminFlagsQuery) {
    return {
      flags: await this.safety.list({
        sessionId: query.session_id,
        status: query.status,
        category: query.category,
        action: query.action,
        limit: query.limit ?? 100,
      }),
    };
  }
}

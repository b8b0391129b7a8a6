import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/auth.guard.js';
import { DomainError } from '../common/domain-error.js';
import { UpdateSessionInput } from '../sessions/dto/session.inputs.js';
import type { SessionAccess } from '../sessions/session.mappers.js';
import { Access, RequireSessionPermission, SessionPermissionGuard } from '../sessions/session-permission.guard.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { RemoveMemberQuery, SetMemberInput } from './dto/admin.inputs.js';
import { MembersModerationService } from './members-moderation.service.js';
import { SessionControlService } from './session-control.service.js';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError('bad_request', 'user_id must be a user id (uuid)'),
});

/** The operator's side of a session: settings, closing, members, the audit log. */
@ApiTags('sessions')
@ApiBearerAuth()
@Controller('sessions')
@UseGuards(SessionPermissionGuard)
export class SessionAdminController {
  constructor(
    private readonly control: SessionControlService,
    private readonly members: MembersModerationService,
    private readonly sessions: SessionsService,
  ) {}

  @Patch(':id')
  @RequireSessionPermission('moderate')
  @ApiOperation({ summary: 'Change settings (any field of the create body, plus locked)' })
  async update(@CurrentUser() user: AuthUser, @Access() access: SessionAccess, @Body() input: UpdateSessionInput) {
    await this.control.update(user, access, { ...input, rate_limit: input.rate_limit }, 'update_session');
    return { session: await this.sessions.current(access) };
  }

  @Post(':id/close')
  @HttpCode(200)
  @RequireSessionPermission('moderate')
  async close(@CurrentUser() user: AuthUser, @Access() access: SessionAccess) {
    await this.control.close(user, access);
    return { session: await this.sessions.current(access) };
  }

  @Post(':id/join-code')
  @HttpCode(200)
  @RequireSessionPermission('moderate')
  @ApiOperation({ summary: 'Rotate the join code (old links stop working)' })
  rotateJoinCode(@CurrentUser() user: AuthUser, @Access() access: SessionAccess) {
    return this.control.changeJoinCode(user, access, true);
  }

  @Delete(':id/join-code')
  @RequireSessionPermission('moderate')
  @ApiOperation({ summary: 'Disable guest joining by code' })
  disableJoinCode(@CurrentUser() user: AuthUser, @Access() access: SessionAccess) {
    return this.control.changeJoinCode(user, access, false);
  }

  @Put(':id/members/:user_id')
  @RequireSessionPermission('moderate')
  @ApiOperation({ summary: 'Add a member or change their role' })
  async setMember(
    @CurrentUser() user: AuthUser,
    @Access() access: SessionAccess,
    @Param('user_id', uuid) userId: string,
    @Body() input: SetMemberInput,
  ) {
    await this.members.setRole(user, access, userId, input.role, { allowAdd: true });
    return (await this.sessions.members(access.session.id, access.role)).find((m) => m.user_id === userId);
  }

  @Delete(':id/members/:user_id')
  @RequireSessionPermission('moderate')
  @ApiOperation({ summary: 'Remove (kick) a member; ?ban=true keeps them out' })
  async removeMember(
    @CurrentUser() user: AuthUser,
    @Access() access: SessionAccess,
    @Param('user_id', uuid) userId: string,
    @Query() query: RemoveMemberQuery,
  ) {
    await this.members.kick(user, access, userId, query.ban ?? false);
    return { user_id: userId, banned: query.ban ?? false };
  }

  @Get(':id/audit')
  @RequireSessionPermission('moderate')
  @ApiOperation({ summary: 'Every moderation action: who, what, when' })
  async auditLog(@Access() access: SessionAccess) {
    return { entries: await this.control.auditLog(access.session.id) };
  }
}

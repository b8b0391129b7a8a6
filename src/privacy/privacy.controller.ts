import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/auth.guard.js';
import { PlatformAdminGuard } from '../auth/platform-admin.guard.js';
import { DomainError } from '../common/domain-error.js';
import { PrivacyService } from './privacy.service.js';

const userId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError('bad_request', 'id must be a user id (uuid)'),
});

/** A person's own data (docs/PRIVACY.md). */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth')
export class OwnDataController {
  constructor(private readonly privacy: PrivacyService) {}

  @Get('me/export')
  @ApiOperation({ summary: 'Everything Roundtable holds about you, as JSON' })
  export(@CurrentUser() user: AuthUser) {
    return this.privacy.export(user.id);
  }
}

/** Erasure, exports and retention, for platform admins. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin')
@UseGuards(PlatformAdminGuard)
export class AdminPrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @Delete('users/:id')
  @ApiOperation({
    summary: 'Erase a person (guests included): their messages become tombstones, their account and tokens go',
  })
  erase(@CurrentUser() actor: AuthUser, @Param('id', userId) id: string) {
    return this.privacy.erase(actor, id);
  }

  @Get('users/:id/export')
  @ApiOperation({ summary: 'Everything Roundtable holds about a person, as JSON' })
  export(@Param('id', userId) id: string) {
    return this.privacy.export(id);
  }

  @Post('retention/run')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run the daily retention job now: purge closed sessions past their retention, then orphaned guests',
  })
  purge() {
    return this.privacy.purgeExpired();
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PlatformAdminGuard } from '../auth/platform-admin.guard.js';
import { DomainError } from '../common/domain-error.js';
import { RegisterPlatformInput } from './dto/lti.inputs.js';
import { LtiPlatforms } from './lti-platforms.service.js';

/** The LMS platforms Roundtable accepts launches from, for platform admins. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/lti/platforms')
@UseGuards(PlatformAdminGuard)
export class LtiAdminController {
  constructor(private readonly platforms: LtiPlatforms) {}

  @Get()
  list() {
    return this.platforms.list();
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register an LMS (issuer, client id, deployment ids, login URL, JWKS URL)' })
  register(@Body() input: RegisterPlatformInput) {
    return this.platforms.register(input);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @Param(
      'id',
      new ParseUUIDPipe({ exceptionFactory: () => new DomainError('bad_request', 'id must be a platform id (uuid)') }),
    )
    id: string,
  ): Promise<void> {
    await this.platforms.remove(id);
  }
}

import { Body, Controller, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.guard.js';
import { TokenService } from '../auth/token.service.js';
import { GuestInput } from './dto/guest.inputs.js';
import { GuestJoinService } from './guest-join.service.js';

/** `POST /auth/guest` (the path PROTOCOL.md gives it), served by the sessions module: joining is admission to a session. */
@ApiTags('auth')
@Controller('auth')
export class GuestJoinController {
  constructor(
    private readonly guests: GuestJoinService,
    private readonly tokens: TokenService,
  ) {}

  @Public()
  @Post('guest')
  @HttpCode(201)
  @ApiOperation({ summary: 'Join a session by its join code, as a guest or (with a bearer token) as yourself' })
  async guest(@Body() input: GuestInput, @Ip() address: string, @Headers('authorization') authorization?: string) {
    const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    // An invalid or expired token here just means "join as a new guest".
    const current = token ? await this.tokens.verify(token).catch(() => null) : null;
    // The client's address (behind a proxy, as TRUST_PROXY allows): wrong codes are counted per address.
    return this.guests.join(input, current, address);
  }
}

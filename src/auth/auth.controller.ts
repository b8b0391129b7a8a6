import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { toWireUser, type AuthUser } from './auth-user.js';
import { CurrentUser, Public } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { GuestInput, LoginInput, RegisterInput } from './dto/auth.inputs.js';
import { TokenService } from './token.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: TokenService,
  ) {}

  @Public()
  @Post('register')
  @HttpCode(201)
  register(@Body() input: RegisterInput) {
    return this.auth.register(input);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() input: LoginInput) {
    return this.auth.login(input);
  }

  @Public()
  @Post('guest')
  @HttpCode(201)
  @ApiOperation({ summary: 'Join a session by its join code, as a guest or (with a bearer token) as yourself' })
  async guest(@Body() input: GuestInput, @Headers('authorization') authorization?: string) {
    const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    // An invalid or expired token here just means "join as a new guest".
    const current = token ? await this.tokens.verify(token).catch(() => null) : null;
    return this.auth.guest(input, current);
  }

  @Get('me')
  @ApiBearerAuth()
  me(@CurrentUser() user: AuthUser) {
    return { user: toWireUser(user) };
  }
}

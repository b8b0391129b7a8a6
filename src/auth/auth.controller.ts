import { Body, Controller, Get, Headers, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { toWireUser, type AuthUser } from './auth-user.js';
import { CurrentUser, Public } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { ChangePasswordInput, GuestInput, LoginInput, RegisterInput } from './dto/auth.inputs.js';
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
  async guest(@Body() input: GuestInput, @Ip() address: string, @Headers('authorization') authorization?: string) {
    const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    // An invalid or expired token here just means "join as a new guest".
    const current = token ? await this.tokens.verify(token).catch(() => null) : null;
    // The client's address (behind a proxy, as TRUST_PROXY allows): wrong codes are counted per address.
    return this.auth.guest(input, current, address);
  }

  @Post('logout-all')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sign out everywhere: every token of this account stops working, open connections close' })
  async logoutAll(@CurrentUser() user: AuthUser): Promise<void> {
    await this.auth.signOutEverywhere(user);
  }

  @Post('password')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change the password: every earlier token stops working; the answer carries a new one' })
  changePassword(@CurrentUser() user: AuthUser, @Body() input: ChangePasswordInput) {
    return this.auth.changePassword(user, input.current_password, input.new_password);
  }

  @Get('me')
  @ApiBearerAuth()
  me(@CurrentUser() user: AuthUser) {
    return { user: toWireUser(user) };
  }
}

import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { toWireUser, type AuthUser } from './auth-user.js';
import { CurrentUser, Public } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { ChangePasswordInput, LoginInput, RegisterInput } from './dto/auth.inputs.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

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

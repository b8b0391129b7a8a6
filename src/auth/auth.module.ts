import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Accounts } from './accounts.service.js';
import { AuthController } from './auth.controller.js';
import { OidcSignIn } from './oidc-sign-in.service.js';
import { OidcController } from './oidc.controller.js';
import { SignInsRepository } from './sign-ins.repository.js';
import { JwtAuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { JwtStrategy } from './jwt.strategy.js';
import { TokenRevocations } from './token-revocations.js';
import { signingKey } from './signing-key.js';
import { TokenService } from './token.service.js';
import { UsersRepository } from './users.repository.js';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: signingKey(config.jwtSecret),
        signOptions: { algorithm: 'HS256' },
      }),
    }),
  ],
  controllers: [AuthController, OidcController],
  providers: [
    Accounts,
    OidcSignIn,
    SignInsRepository,
    AuthService,
    TokenService,
    TokenRevocations,
    UsersRepository,
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [Accounts, TokenService, TokenRevocations],
})
export class AuthModule {}

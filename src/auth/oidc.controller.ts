import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '../common/domain-error.js';
import { requestOrigin } from '../common/request-origin.js';
import { Public } from './auth.guard.js';
import { OidcSignIn, SignInRefused } from './oidc-sign-in.service.js';

const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,30}$/;

/**
 * Sign-in with a school's identity provider. The browser goes to `start`, signs in at the
 * provider, and comes back to `callback`, which sends it to the web client's sign-in page with
 * the access token in the URL fragment (never sent to a server, kept out of logs and Referer
 * headers) or with the reason it was refused.
 */
@ApiTags('auth')
@Controller('auth')
export class OidcController {
  constructor(private readonly signIn: OidcSignIn) {}

  @Public()
  @Get('options')
  @ApiOperation({ summary: 'How people sign in here: password sign-in on or off, and the identity providers' })
  options() {
    return this.signIn.options();
  }

  @Public()
  @Get('oidc/:provider/start')
  @ApiOperation({ summary: "Starts a sign-in with that identity provider (a redirect to the provider's login page)" })
  async start(
    @Param('provider') provider: string,
    @Query('next') next: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    if (!PROVIDER_ID.test(provider)) throw new DomainError('not_found', 'no such identity provider');
    try {
      res.redirect(
        302,
        await this.signIn.start(provider, typeof next === 'string' ? next : undefined, requestOrigin(req)),
      );
    } catch (error) {
      // A person clicked a button: they go back to the sign-in page and read why, not a JSON error.
      if (!(error instanceof SignInRefused)) throw error;
      res.redirect(302, refusedPage(error));
    }
  }

  @Public()
  @Get('oidc/:provider/callback')
  @ApiOperation({ summary: 'Where the identity provider sends the browser back (the redirect URI to register)' })
  async callback(@Param('provider') provider: string, @Req() req: Request, @Res() res: Response) {
    if (!PROVIDER_ID.test(provider)) throw new DomainError('not_found', 'no such identity provider');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    try {
      const signedIn = await this.signIn.finish(
        provider,
        new URL(req.originalUrl, requestOrigin(req)),
        requestOrigin(req),
      );
      const fragment = new URLSearchParams({ access_token: signedIn.access_token });
      res.redirect(302, `/login?${new URLSearchParams({ next: signedIn.next })}#${fragment}`);
    } catch (error) {
      if (!(error instanceof SignInRefused)) throw error;
      res.redirect(302, refusedPage(error));
    }
  }
}

/** Back to the sign-in page with why: the sentence, and its code and details for the page's own language. */
function refusedPage(error: SignInRefused): string {
  const details = Object.entries(error.details).map(([key, value]) => [`sign_in_${key}`, value]);
  return `/login?${new URLSearchParams([['sign_in_error', error.message], ['sign_in_error_code', error.reason], ...details])}`;
}

import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.guard.js';
import { DomainError } from '../common/domain-error.js';
import { requestOrigin } from '../common/request-origin.js';
import { LaunchRefused, LtiLaunch } from './lti-launch.service.js';
import { LtiToolKeys } from './lti-tool-keys.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A page the LMS's frame shows when a launch is refused: the reason, in words, no script. */
function refusalPage(res: Response, status: number, message: string) {
  res
    .status(status)
    .type('html')
    .setHeader('Cache-Control', 'no-store')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Roundtable</title></head>` +
        `<body style="font-family: system-ui, sans-serif; margin: 2rem"><h1>Roundtable</h1><p role="alert">${escapeHtml(message)}</p></body></html>`,
    );
}

/**
 * Roundtable as an LTI 1.3 tool (docs/SCHOOLS.md): the login initiation, the launch, the tool's
 * public keys and the configuration JSON an LMS administrator pastes in.
 */
@ApiTags('lti')
@Controller('lti')
export class LtiController {
  constructor(
    private readonly launches: LtiLaunch,
    private readonly keys: LtiToolKeys,
  ) {}

  private launchUrl(req: Request) {
    return `${requestOrigin(req)}/lti/launch`;
  }

  @Public()
  @Get('login')
  @ApiOperation({ summary: 'OIDC third-party login initiation (GET)' })
  async loginGet(@Query() query: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    await this.initiate(query, req, res);
  }

  @Public()
  @Post('login')
  @ApiOperation({ summary: 'OIDC third-party login initiation (form post)' })
  async loginPost(@Body() body: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    await this.initiate(body ?? {}, req, res);
  }

  private async initiate(params: Record<string, unknown>, req: Request, res: Response) {
    const strings = Object.fromEntries(
      Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length <= 2000),
    );
    const answer = await this.launches.initiate(strings, this.launchUrl(req));
    if ('refused' in answer) return refusalPage(res, 400, answer.refused);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, answer.redirect);
  }

  @Public()
  @Post('launch')
  @ApiOperation({ summary: "The platform's form post with the signed id_token: opens the course link's session" })
  async launch(@Body() body: Record<string, unknown>, @Res() res: Response) {
    const idToken = typeof body?.id_token === 'string' && body.id_token.length < 20_000 ? body.id_token : undefined;
    const state = typeof body?.state === 'string' && body.state.length < 200 ? body.state : undefined;
    try {
      const launched = await this.launches.launch(idToken, state);
      // The token rides in the fragment: the web client keeps it in the frame's own storage, never in a cookie.
      const fragment = new URLSearchParams({ access_token: launched.accessToken });
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.redirect(303, `/s/${launched.sessionId}#${fragment}`);
    } catch (error) {
      if (error instanceof LaunchRefused) return refusalPage(res, 403, error.message);
      // A launch into a session that refuses the person (banned): the reason, in the frame.
      if (error instanceof DomainError && error.code === 'forbidden') return refusalPage(res, 403, error.message);
      throw error;
    }
  }

  @Public()
  @Get('jwks')
  @ApiOperation({ summary: "The tool's public keys (JWKS)" })
  async jwks() {
    return { keys: [await this.keys.publicJwk()] };
  }

  @Public()
  @Get('config')
  @HttpCode(200)
  @ApiOperation({ summary: 'The LTI 1.3 configuration JSON (Canvas developer key, "Paste JSON")' })
  config(@Req() req: Request) {
    const origin = requestOrigin(req);
    const launch = `${origin}/lti/launch`;
    return {
      title: 'Roundtable',
      description: 'A live room where a class shares one AI tutor.',
      oidc_initiation_url: `${origin}/lti/login`,
      target_link_uri: launch,
      public_jwk_url: `${origin}/lti/jwks`,
      scopes: [],
      extensions: [
        {
          platform: 'canvas.instructure.com',
          privacy_level: 'public',
          settings: {
            placements: [
              { placement: 'course_navigation', message_type: 'LtiResourceLinkRequest', target_link_uri: launch },
              { placement: 'assignment_selection', message_type: 'LtiResourceLinkRequest', target_link_uri: launch },
              { placement: 'link_selection', message_type: 'LtiResourceLinkRequest', target_link_uri: launch },
            ],
          },
        },
      ],
      custom_fields: {},
    };
  }
}

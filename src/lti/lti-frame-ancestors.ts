import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LtiRepository } from './lti.repository.js';

/** How often an instance re-reads the platforms (another instance may have registered one). */
const REFRESH_MS = 30_000;

/**
 * The origins allowed to frame Roundtable (CSP frame-ancestors): the registered LMS platforms,
 * so a course page can show it in its iframe and no other site can.
 */
@Injectable()
export class LtiFrameAncestors implements OnApplicationBootstrap, OnApplicationShutdown {
  private origins: string[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly lti: LtiRepository) {}

  async onApplicationBootstrap() {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown() {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const platforms = await this.lti.platforms();
    const origins = new Set<string>();
    for (const p of platforms)
      for (const url of [p.issuer, p.authLoginUrl]) {
        try {
          origins.add(new URL(url).origin);
        } catch {
          // not a URL: nothing to allow
        }
      }
    this.origins = [...origins];
  }

  /** The frame-ancestors sources: 'none' while no platform is registered. */
  sources(): string[] {
    return this.origins.length ? this.origins : ["'none'"];
  }
}

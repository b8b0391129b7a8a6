import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';

/**
 * Serves the web client (client/web/dist) at `/`, when it has been built.
 * The static files are mounted in bootstrap(); this module is the place the
 * web client's server-side needs (none yet) will live.
 */
@Module({})
export class WebModule {
  static forRoot(_config: AppConfig): DynamicModule {
    return { module: WebModule };
  }
}

import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { SafetyModule } from '../safety/safety.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { TurnsModule } from '../turns/turns.module.js';
import { AgentRunner } from './agent-runner.service.js';
import { AgentController } from './agent.controller.js';
import { AgentUsage } from './agent-usage.service.js';
import { AnswerPrompt } from './answer-prompt.service.js';
import { AnswerStore } from './answer-store.service.js';
import { AgentRepository } from './agent.repository.js';
import { AGENT_PROVIDER } from './providers/agent-provider.js';
import { OfflineProvider } from './providers/offline.provider.js';
import { OpenAiProvider } from './providers/openai.provider.js';

/** The AI tutor: providers, prompts, and the runner that answers each session's queue. */
@Module({
  imports: [SessionsModule, TurnsModule, SafetyModule],
  controllers: [AgentController],
  providers: [
    AgentRunner,
    AgentRepository,
    AgentUsage,
    AnswerPrompt,
    AnswerStore,
    {
      provide: AGENT_PROVIDER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.agent.provider === 'openai'
          ? new OpenAiProvider({
              apiKey: config.agent.apiKey,
              baseUrl: config.agent.baseUrl,
              timeoutMs: config.agent.timeoutMs,
            })
          : new OfflineProvider(config.agent.offlineDelayMs),
    },
  ],
  exports: [AgentRunner],
})
export class AgentModule {}

import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { OfflineSafetyClassifier } from './offline-classifier.js';
import { OpenAiSafetyClassifier } from './openai-classifier.js';
import { SAFETY_CLASSIFIER } from './safety-classifier.js';
import { SafetyFlagsRepository } from './safety-flags.repository.js';
import { SafetyService } from './safety.service.js';

/** The safety check and its flags: the classifier, chosen like the agent's provider, and the safety_flags table. */
@Module({
  providers: [
    SafetyService,
    SafetyFlagsRepository,
    {
      provide: SAFETY_CLASSIFIER,
      inject: [APP_CONFIG],
      useFactory: ({ safety }: AppConfig) =>
        safety.provider === 'openai'
          ? new OpenAiSafetyClassifier({
              apiKey: safety.apiKey,
              baseUrl: safety.baseUrl,
              model: safety.model,
              timeoutMs: safety.timeoutMs,
            })
          : new OfflineSafetyClassifier(),
    },
  ],
  exports: [SafetyService],
})
export class SafetyModule {}

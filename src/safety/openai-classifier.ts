import OpenAI from 'openai';
import type { SafetyCategory, SafetyFinding, SafetySeverity } from '../contract/protocol.js';
import { redactSecrets } from '../common/redact-secrets.js';
import { OfflineSafetyClassifier } from './offline-classifier.js';
import { mergeFindings, type SafetyClassifier, type SafetyVerdict } from './safety-classifier.js';

/** The moderation model's categories, as ours. */
const CATEGORY_OF: Record<string, SafetyCategory> = {
  'self-harm': 'self_harm',
  'self-harm/intent': 'self_harm',
  'self-harm/instructions': 'self_harm',
  violence: 'violence',
  'violence/graphic': 'violence',
  'harassment/threatening': 'violence',
  'hate/threatening': 'violence',
  'illicit/violent': 'violence',
  sexual: 'sexual',
  'sexual/minors': 'sexual',
  harassment: 'harassment',
  hate: 'harassment',
};

const severityOf = (score: number): SafetySeverity => (score >= 0.8 ? 'high' : score >= 0.5 ? 'medium' : 'low');

/**
 * The provider's moderation endpoint (`omni-moderation-latest`, or SAFETY_MODEL) through
 * the `openai` SDK. The model has no profanity or personal-data categories: those come
 * from the offline detectors, run on the same text.
 */
export class OpenAiSafetyClassifier implements SafetyClassifier {
  readonly name: string;
  private readonly client: OpenAI;
  private readonly local = new OfflineSafetyClassifier();

  constructor(private readonly options: { apiKey?: string; baseUrl?: string; model: string; timeoutMs: number }) {
    this.name = `openai:${options.model}`;
    this.client = new OpenAI({
      apiKey: options.apiKey ?? 'not-needed',
      baseURL: options.baseUrl,
      timeout: options.timeoutMs,
      maxRetries: 1,
    });
  }

  async classify(text: string): Promise<SafetyVerdict> {
    let result;
    try {
      const response = await this.client.moderations.create({ model: this.options.model, input: text });
      result = response.results[0];
      if (!result) throw new Error('the moderation endpoint returned no result');
    } catch (error) {
      return {
        checked: false,
        error: redactSecrets(error instanceof Error ? error.message : String(error)),
        classifier: this.name,
      };
    }
    const findings: SafetyFinding[] = [];
    const flagged = result.categories as unknown as Record<string, boolean | null>;
    const scores = result.category_scores as unknown as Record<string, number>;
    for (const [name, category] of Object.entries(CATEGORY_OF)) {
      if (!flagged[name]) continue;
      const score = scores[name] ?? 0;
      findings.push({ category, severity: severityOf(score), score: Math.round(score * 1000) / 1000 });
    }
    const local = this.local
      .findingsOf(text)
      .filter((f) => f.category === 'profanity' || f.category === 'personal_data');
    return { checked: true, findings: mergeFindings([...findings, ...local]), classifier: this.name };
  }
}

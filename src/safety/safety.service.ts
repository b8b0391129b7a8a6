import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, DEFAULT_HELP_TEXT, DEFAULT_HELP_TEXTS, type AppConfig } from '../config/app-config.js';
import type { SafetyFinding, SafetySettings, SafetySeverity } from '../contract/protocol.js';
import { newId } from '../common/ids.js';
import type { DbTransaction } from '../persistence/transaction.js';
import { SAFETY_CLASSIFIER, maxSeverity, type SafetyClassifier, type SafetyVerdict } from './safety-classifier.js';
import { SafetyFlagsRepository, type FlagFilter, type SafetyFlagRecord } from './safety-flags.repository.js';
import { decide, safetyOf } from './safety-settings.js';
import type { WireFlag } from '../contract/protocol.js';

/** What the check makes of one text under one session's settings. */
export interface SafetyAssessment {
  /** null: nothing to do (nothing found, or only categories set to `off`). */
  status: 'held' | 'flagged' | 'not_checked' | null;
  findings: SafetyFinding[];
  severity: SafetySeverity | null;
  classifier: string;
  /** Self-harm was found: its author is answered with the help text, whatever else the settings say. */
  selfHarm: boolean;
}

const NOTHING: SafetyAssessment = { status: null, findings: [], severity: null, classifier: '', selfHarm: false };

/**
 * The safety check (issue: safe for minors). Classifies a text with the configured
 * classifier, never throwing: a failure is "not checked" and the class goes on. What a
 * finding does is the session's setting per category (docs/SAFETY.md).
 */
@Injectable()
export class SafetyService {
  private readonly logger = new Logger('SafetyService');
  /** Failures since the last logged one: a classifier that is down is logged once a minute, not per message. */
  private failures = { count: 0, loggedAt: 0 };

  constructor(
    @Inject(SAFETY_CLASSIFIER) private readonly classifier: SafetyClassifier,
    private readonly flags: SafetyFlagsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * What a student who wrote about hurting themselves reads, in the class's language when there are
   * words for it: SAFETY_HELP_TEXT_<LANGUAGE>, else the school's SAFETY_HELP_TEXT, else the built-in
   * words for that language, else the built-in English.
   */
  helpTextFor(language: string | null): string {
    return helpTextIn(this.config.safety, language);
  }

  /** Whether a session checks anything at all (every category `off`: no call is made). */
  enabled(stored: unknown): boolean {
    return Object.values(safetyOf(stored)).some((mode) => mode !== 'off');
  }

  settings(stored: unknown): SafetySettings {
    return safetyOf(stored);
  }

  /** The classifier's verdict; a thrown error is a verdict too ("not checked"). */
  async check(text: string): Promise<SafetyVerdict> {
    let verdict: SafetyVerdict;
    try {
      verdict = await this.classifier.classify(text);
    } catch (error) {
      verdict = {
        checked: false,
        error: error instanceof Error ? error.message : String(error),
        classifier: this.classifier.name,
      };
    }
    if (!verdict.checked) this.failed(verdict);
    return verdict;
  }

  private failed(verdict: Extract<SafetyVerdict, { checked: false }>) {
    this.failures.count++;
    if (Date.now() - this.failures.loggedAt < 60_000) return;
    this.logger.warn({
      classifier: verdict.classifier,
      failures: this.failures.count,
      msg: `safety check failed (${this.failures.count} since the last report; messages go on marked "not checked"): ${verdict.error}`,
    });
    this.failures = { count: 0, loggedAt: Date.now() };
  }

  /** A verdict under a session's settings. */
  assess(stored: unknown, verdict: SafetyVerdict | undefined): SafetyAssessment {
    if (!verdict) return NOTHING;
    if (!verdict.checked) return { ...NOTHING, status: 'not_checked', classifier: verdict.classifier };
    const { action, findings } = decide(safetyOf(stored), verdict.findings);
    return {
      status: action,
      findings,
      severity: maxSeverity(findings),
      classifier: verdict.classifier,
      selfHarm: findings.some((f) => f.category === 'self_harm'),
    };
  }

  /** The flag row for an assessment that found something (or could not check). */
  flagOf(
    assessment: SafetyAssessment,
    message: { sessionId: string; id: string; authorId: string | null; source: 'message' | 'answer' },
    at: Date,
  ): SafetyFlagRecord {
    return {
      id: newId(),
      sessionId: message.sessionId,
      messageId: message.id,
      authorId: message.authorId,
      source: message.source,
      categories: assessment.findings,
      severity: assessment.severity,
      action: assessment.status === 'not_checked' ? 'not_checked' : assessment.status === 'held' ? 'held' : 'flagged',
      classifier: assessment.classifier,
      status: 'open',
      resolvedBy: null,
      resolvedAt: null,
      note: null,
      createdAt: at,
    };
  }

  /** The staff-only `safety_flag` event's payload. */
  eventOf(flag: SafetyFlagRecord): Record<string, unknown> {
    return {
      flag_id: flag.id,
      message_id: flag.messageId,
      author_id: flag.authorId,
      categories: flag.categories,
      severity: flag.severity,
      action: flag.action,
      source: flag.source,
    };
  }

  record(tx: DbTransaction, flags: SafetyFlagRecord[]): Promise<void> {
    return this.flags.createMany(tx, flags);
  }

  find(tx: DbTransaction, flagId: string): Promise<SafetyFlagRecord | null> {
    return this.flags.findIn(tx, flagId);
  }

  update(
    tx: DbTransaction,
    flagId: string,
    patch: Parameters<SafetyFlagsRepository['update']>[2],
  ): Promise<SafetyFlagRecord> {
    return this.flags.update(tx, flagId, patch);
  }

  list(filter: FlagFilter): Promise<WireFlag[]> {
    return this.flags.list(filter);
  }
}

/** The help text for a class in `language` (see SafetyService.helpTextFor). */
export function helpTextIn(
  { helpText, helpTexts }: Pick<AppConfig['safety'], 'helpText' | 'helpTexts'>,
  language: string | null,
): string {
  const primary = language?.split('-')[0].toLowerCase() ?? '';
  return helpTexts[primary] ?? helpText ?? DEFAULT_HELP_TEXTS[primary] ?? DEFAULT_HELP_TEXT;
}

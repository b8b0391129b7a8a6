import type { SafetyCategory, SafetyFinding, SafetySeverity } from '../contract/protocol.js';

/** What one check found: `checked: false` when the classifier failed (the message goes on, marked "not checked"). */
export type SafetyVerdict =
  | { checked: true; findings: SafetyFinding[]; classifier: string }
  | { checked: false; error: string; classifier: string };

/**
 * Reads a text and says what harm it may carry, by category. Two implementations,
 * chosen like the agent's provider: the provider's moderation endpoint through the
 * `openai` SDK, or the offline one (word and phrase lists, personal-data detectors).
 */
export interface SafetyClassifier {
  readonly name: string;
  classify(text: string): Promise<SafetyVerdict>;
}

export const SAFETY_CLASSIFIER = Symbol('SAFETY_CLASSIFIER');

const RANK: Record<SafetySeverity, number> = { low: 1, medium: 2, high: 3 };

export function maxSeverity(findings: readonly SafetyFinding[]): SafetySeverity | null {
  let best: SafetySeverity | null = null;
  for (const f of findings) if (!best || RANK[f.severity] > RANK[best]) best = f.severity;
  return best;
}

export const atLeast = (severity: SafetySeverity, floor: SafetySeverity) => RANK[severity] >= RANK[floor];

/** One finding per category, the most severe kept (two detectors may report the same category). */
export function mergeFindings(findings: readonly SafetyFinding[]): SafetyFinding[] {
  const byCategory = new Map<SafetyCategory, SafetyFinding>();
  for (const f of findings) {
    const seen = byCategory.get(f.category);
    if (
      !seen ||
      RANK[f.severity] > RANK[seen.severity] ||
      (f.severity === seen.severity && (f.score ?? 0) > (seen.score ?? 0))
    )
      byCategory.set(f.category, f);
  }
  return [...byCategory.values()];
}

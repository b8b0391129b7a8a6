import { SAFETY_CATEGORIES, type SafetyFinding, type SafetyMode, type SafetySettings } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';
import { atLeast } from './safety-classifier.js';

/** New sessions: harm to a child is held for a moderator; the rest is shown and staff are told. */
export const DEFAULT_SAFETY: SafetySettings = {
  self_harm: 'hold',
  violence: 'hold',
  sexual: 'hold',
  harassment: 'flag',
  profanity: 'flag',
  personal_data: 'flag',
};

const MODES = new Set<SafetyMode>(['off', 'flag', 'hold']);

/** A session's stored settings, categories it does not name taking the defaults. */
export function safetyOf(stored: unknown): SafetySettings {
  const given = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  const out = { ...DEFAULT_SAFETY };
  for (const c of SAFETY_CATEGORIES) if (MODES.has(given[c] as SafetyMode)) out[c] = given[c] as SafetyMode;
  return out;
}

/** A client's change to the settings: known categories and modes only, merged over the current ones. */
export function mergeSafety(current: SafetySettings, change: unknown): SafetySettings {
  if (!change || typeof change !== 'object' || Array.isArray(change))
    throw new DomainError('bad_request', 'safety must be an object of category: off | flag | hold');
  const out = { ...current };
  for (const [key, value] of Object.entries(change as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (!(SAFETY_CATEGORIES as readonly string[]).includes(key)) {
      throw new DomainError(
        'bad_request',
        `safety: unknown category ${JSON.stringify(key.slice(0, 40))} (one of ${SAFETY_CATEGORIES.join(', ')})`,
      );
    }
    if (!MODES.has(value as SafetyMode))
      throw new DomainError('bad_request', `safety.${key} must be off, flag or hold`);
    out[key as keyof SafetySettings] = value as SafetyMode;
  }
  return out;
}

/**
 * What the session's settings make of a check's findings: `held` when a category set to
 * `hold` was found at medium severity or more (a low one, "suicide" in a history question,
 * is flagged instead), `flagged` when any category not `off` was found, else nothing.
 * The findings returned are those the settings care about.
 */
export function decide(
  settings: SafetySettings,
  findings: readonly SafetyFinding[],
): { action: 'held' | 'flagged' | null; findings: SafetyFinding[] } {
  const counted = findings.filter((f) => settings[f.category] !== 'off');
  if (counted.length === 0) return { action: null, findings: [] };
  const hold = counted.some((f) => settings[f.category] === 'hold' && atLeast(f.severity, 'medium'));
  return { action: hold ? 'held' : 'flagged', findings: counted };
}

// Form pieces used in more than one place.
import { useTranslation } from 'react-i18next';
import { TURN_POLICIES, type Role, type TurnPolicy } from '../../../sdk/roundtable-client.js';
import { pickedLanguage, t } from './i18n.js';

/** A turn policy in a moderator's words (the policy menus, the session list). */
export const policyLabel = (policy: TurnPolicy): string => t(`policy.label.${policy}`);

/** The same policy in a student's words (the room header, for contributors and observers). */
export const policyForStudents = (policy: TurnPolicy): string => t(`policy.forStudents.${policy}`);

/** What each role may do, in plain words. */
export const roleWords = (role: Role): string => t(`role.words.${role}`);

/** A role's name, as a badge shows it. */
export const roleName = (role: Role): string => t(`role.name.${role}`);

export function PolicySelect({ value, onChange }: { value: TurnPolicy; onChange: (policy: TurnPolicy) => void }) {
  const { t } = useTranslation();
  return (
    <label>
      {t('policy.select')}
      <select value={value} onChange={(e) => onChange(e.target.value as TurnPolicy)}>
        {TURN_POLICIES.map((p) => (
          <option key={p} value={p}>
            {policyLabel(p)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A rate limit being edited: on or off, and "messages per seconds". */
export interface RateLimitDraft {
  on: boolean;
  messages: number;
  perSeconds: number;
}

export const rateLimitDraft = (limit: { messages: number; per_seconds: number } | null): RateLimitDraft => ({
  on: !!limit,
  messages: limit?.messages ?? 3,
  perSeconds: limit?.per_seconds ?? 60,
});

export const rateLimitOf = (draft: RateLimitDraft) =>
  draft.on ? { messages: draft.messages, per_seconds: draft.perSeconds } : null;

export function RateLimitFields({
  draft,
  onChange,
  label,
}: {
  draft: RateLimitDraft;
  onChange: (draft: RateLimitDraft) => void;
  label: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <label className="inline">
        <input type="checkbox" checked={draft.on} onChange={(e) => onChange({ ...draft, on: e.target.checked })} />{' '}
        {label}
      </label>
      {draft.on && (
        <div className="inline-fields">
          <label>
            {t('rateLimit.messages')}
            <input
              type="number"
              min={1}
              max={1000}
              required
              value={draft.messages}
              onChange={(e) => onChange({ ...draft, messages: Number(e.target.value) })}
            />
          </label>
          <label>
            {t('rateLimit.perSeconds')}
            <input
              type="number"
              min={1}
              max={86400}
              required
              value={draft.perSeconds}
              onChange={(e) => onChange({ ...draft, perSeconds: Number(e.target.value) })}
            />
          </label>
        </div>
      )}
    </>
  );
}

/** A form's refusal, announced, and its submit button. */
export function FormFooter({ error, busy, label }: { error: string | null; busy: boolean; label: string }) {
  return (
    <>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {label}
      </button>
    </>
  );
}

/** The languages offered for the tutor's answers (any BCP 47 tag works over the API). */
const LANGUAGE_CHOICES = ['en', 'es', 'ar', 'fr', 'de', 'pt', 'it', 'zh', 'hi'];

/**
 * The class's language unless the teacher picks another: the language they picked for the
 * page, else their browser's (its primary subtag, which may be one the page does not ship).
 */
export function creatorLanguage(): string {
  return pickedLanguage() ?? (navigator.language || 'en').split('-')[0].toLowerCase();
}

/** "The tutor answers in": a language (named in itself, e.g. Español), or the language of each question. */
export function LanguageSelect({
  value,
  onChange,
}: {
  value: string | null;
  onChange: (language: string | null) => void;
}) {
  const { t } = useTranslation();
  const choices = value && !LANGUAGE_CHOICES.includes(value) ? [value, ...LANGUAGE_CHOICES] : LANGUAGE_CHOICES;
  const nameOf = (tag: string) => new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
  return (
    <label>
      {t('tutorLanguage.label')}
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        {choices.map((tag) => (
          <option key={tag} value={tag} lang={tag}>
            {nameOf(tag)}
          </option>
        ))}
        <option value="">{t('tutorLanguage.eachQuestion')}</option>
      </select>
    </label>
  );
}

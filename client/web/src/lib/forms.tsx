// Form pieces used in more than one place.
import { TURN_POLICIES, type TurnPolicy } from '../../../sdk/roundtable-client.js';

export const POLICY_LABELS: Record<TurnPolicy, string> = {
  round_robin: 'Round robin: a fair share of the tutor for each person',
  fifo: 'First come, first served',
  hand_raise: 'Raise hands: the floor is given',
  merge: 'Merge: one answer for everyone waiting',
  moderated: 'Moderated: approve each question',
  votes: 'Votes: the most upvoted question goes first',
};

/** The same policies in a student's words (the room header, for contributors and observers). */
export const POLICY_WORDS_FOR_STUDENTS: Record<TurnPolicy, string> = {
  round_robin: 'Questions take turns: everyone gets a fair share of the tutor',
  fifo: 'Questions are answered in the order they come',
  hand_raise: 'Raise your hand; the teacher gives you the floor',
  merge: 'The tutor answers everyone waiting at once',
  moderated: 'Your teacher checks each question before the tutor sees it',
  votes: 'Upvote the questions you want answered: the most upvoted goes first',
};

/** What each role may do, in plain words. */
export const ROLE_WORDS: Record<string, string> = {
  moderator: 'You run this room',
  contributor: 'You can ask the tutor',
  observer: 'You are watching: you can read and upvote',
};

export function PolicySelect({ value, onChange }: { value: TurnPolicy; onChange: (policy: TurnPolicy) => void }) {
  return (
    <label>
      Turn policy
      <select value={value} onChange={(e) => onChange(e.target.value as TurnPolicy)}>
        {TURN_POLICIES.map((p) => (
          <option key={p} value={p}>
            {POLICY_LABELS[p]}
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
  return (
    <>
      <label className="inline">
        <input type="checkbox" checked={draft.on} onChange={(e) => onChange({ ...draft, on: e.target.checked })} />{' '}
        {label}
      </label>
      {draft.on && (
        <div className="inline-fields">
          <label>
            Messages
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
            per seconds
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

/** The browser's language (its primary subtag): the class's language unless the teacher picks another. */
export function browserLanguage(): string {
  return (navigator.language || 'en').split('-')[0].toLowerCase();
}

/** "The tutor answers in": a language (named in itself, e.g. Español), or the language of each question. */
export function LanguageSelect({
  value,
  onChange,
}: {
  value: string | null;
  onChange: (language: string | null) => void;
}) {
  const choices = value && !LANGUAGE_CHOICES.includes(value) ? [value, ...LANGUAGE_CHOICES] : LANGUAGE_CHOICES;
  const nameOf = (tag: string) => new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
  return (
    <label>
      The tutor answers in
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        {choices.map((tag) => (
          <option key={tag} value={tag} lang={tag}>
            {nameOf(tag)}
          </option>
        ))}
        <option value="">the language of each question</option>
      </select>
    </label>
  );
}

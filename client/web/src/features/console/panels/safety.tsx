// The safety check in the moderator console (docs/SAFETY.md): the flag panel pinned at
// the top, and the session's safety settings.
import { useEffect, useState, type FormEvent } from 'react';
import {
  SAFETY_CATEGORIES,
  type SafetyCategory,
  type SafetyMode,
  type SafetySettings,
} from '../../../../../sdk/roundtable-client.js';
import { nameOf, type FlagItem, type RoomState } from '../../room/index.js';
import type { RoomActions } from '../../room/index.js';
import { excerpt } from '../../../lib/ui.js';
import type { Act } from '../../../lib/actions.js';

export const CATEGORY_WORDS: Record<SafetyCategory, string> = {
  self_harm: 'self-harm',
  violence: 'violence or threats',
  sexual: 'sexual content',
  harassment: 'harassment or bullying',
  profanity: 'profanity',
  personal_data: 'personal data',
};

const MUTE_MINUTES = 10;

interface Props {
  room: RoomState;
  actions: RoomActions;
  act: Act;
}

/**
 * Every open flag, newest first, self-harm at the top: what was found, whose message, and
 * what to do: release a held one (the class sees it, the tutor answers it), hide it,
 * dismiss the alert, mute its author, or write a staff note. Each action is audited.
 */
export function SafetyFlags({ room, actions, act }: Props) {
  const { loadFlags } = actions;
  useEffect(() => {
    loadFlags().catch(() => undefined);
  }, [loadFlags, room.session.id]);
  const open = Object.values(room.flags)
    .filter((f) => f.status === 'open' && f.action !== 'not_checked')
    .sort((a, b) => urgency(b) - urgency(a) || b.seq - a.seq);
  const unchecked = Object.values(room.flags).filter((f) => f.action === 'not_checked').length;
  if (open.length === 0 && unchecked === 0) return null;
  return (
    <section aria-labelledby="flags-heading" className="inbox flags" data-testid="flag-panel">
      <h3 id="flags-heading">
        Safety alerts <span className="count">({open.length})</span>
      </h3>
      {open.length === 0 && <p className="empty">No open alerts.</p>}
      <ol className="approvals">
        {open.map((flag) => (
          <FlagRow key={flag.flag_id} flag={flag} room={room} actions={actions} act={act} />
        ))}
      </ol>
      {unchecked > 0 && (
        <p className="muted" data-testid="not-checked-count">
          {unchecked} message{unchecked === 1 ? '' : 's'} could not be checked (the classifier failed) and{' '}
          {unchecked === 1 ? 'was' : 'were'} shown without a check: they are marked “not safety-checked”.
        </p>
      )}
    </section>
  );
}

const urgency = (f: FlagItem) =>
  f.categories.some((c) => c.category === 'self_harm') ? 2 : f.action === 'held' ? 1 : 0;

function FlagRow({ flag, room, actions, act }: Props & { flag: FlagItem }) {
  const [note, setNote] = useState('');
  const message = room.messages.find((m) => m.id === flag.message_id);
  const who = flag.source === 'answer' ? `${room.session.agent.name} (tutor answer)` : nameOf(room, flag.author_id);
  const text = message?.content ?? flag.content ?? '';
  const found = flag.categories
    .map(
      (c) =>
        `${CATEGORY_WORDS[c.category]} (${c.severity}${c.score !== undefined ? `, ${Math.round(c.score * 100)} %` : ''})`,
    )
    .join(', ');
  const selfHarm = flag.categories.some((c) => c.category === 'self_harm');
  const resolve = (label: string, action: 'release' | 'hide' | 'dismiss' | 'note', withNote = note.trim()) =>
    void act(label, async () => {
      await actions.resolveFlag(flag.flag_id, action, withNote || undefined);
      setNote('');
    });
  return (
    <li className={`flag ${selfHarm ? 'urgent' : ''}`} data-testid="flag" data-action={flag.action}>
      <div>
        <span className={`badge ${flag.action === 'held' ? 'danger' : 'warn'}`}>
          {flag.action === 'held' ? 'held' : 'flagged'}
        </span>{' '}
        <strong>{who}</strong>: {found}
        {selfHarm && (
          <p className="muted">They were shown the help message. Consider talking with them in person today.</p>
        )}
      </div>
      <blockquote data-testid="flag-text">{text ? excerpt(text, 240) : '(no text)'}</blockquote>
      {flag.note && <p className="muted">Staff note: {flag.note}</p>}
      <div className="row-actions">
        {flag.action === 'held' && (
          <button
            type="button"
            onClick={() => resolve(`Released ${who}’s message`, 'release')}
            aria-label={`Release the message from ${who}`}
          >
            Release
          </button>
        )}
        <button
          type="button"
          onClick={() =>
            window.confirm('Hide this message for everyone? It stays as a tombstone.') &&
            resolve(`Hid ${who}’s message`, 'hide')
          }
          aria-label={`Hide the message from ${who}`}
        >
          Hide
        </button>
        <button
          type="button"
          onClick={() => resolve('Alert dismissed', 'dismiss')}
          aria-label={`Dismiss the alert on ${who}’s message`}
        >
          Dismiss
        </button>
        {flag.author_id && flag.author_id !== room.me.user_id && (
          <button
            type="button"
            onClick={() =>
              void act(`Muted ${who} for ${MUTE_MINUTES} minutes`, () =>
                actions.moderate({ action: 'mute', user_id: flag.author_id!, seconds: MUTE_MINUTES * 60 }),
              )
            }
            aria-label={`Mute ${who} for ${MUTE_MINUTES} minutes`}
          >
            Mute {MUTE_MINUTES} min
          </button>
        )}
      </div>
      <form
        className="inline-form"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          if (note.trim()) resolve('Staff note saved', 'note');
        }}
      >
        <label>
          Staff note (staff only)
          <input
            value={note}
            maxLength={1000}
            onChange={(e) => setNote(e.target.value)}
            placeholder="e.g. spoke with them after class"
          />
        </label>
        <button type="submit" disabled={!note.trim()}>
          Save note
        </button>
      </form>
    </li>
  );
}

const MODES: Array<[SafetyMode, string]> = [
  ['hold', 'hold for me'],
  ['flag', 'show, alert me'],
  ['off', 'off'],
];

/** The session's safety settings: per category, and the tutor's rules for minors and personal data. */
export function SafetySettingsForm({ room, actions, act }: Props) {
  const { session } = room;
  const [safety, setSafety] = useState<SafetySettings>(session.safety);
  const [minors, setMinors] = useState(session.minors);
  const [redact, setRedact] = useState(session.redact_personal_data);
  useEffect(() => {
    setSafety(session.safety);
    setMinors(session.minors);
    setRedact(session.redact_personal_data);
  }, [session.safety, session.minors, session.redact_personal_data]);
  const save = (event: FormEvent) => {
    event.preventDefault();
    void act('Safety settings saved', () =>
      actions.moderate({ action: 'set_policy', safety, minors, redact_personal_data: redact }),
    );
  };
  return (
    <section aria-labelledby="safety-settings">
      <h3 id="safety-settings">Safety</h3>
      <form className="form compact" onSubmit={save}>
        {SAFETY_CATEGORIES.map((category) => (
          <label key={category} className="inline">
            <span className="grow">{CATEGORY_WORDS[category]}</span>
            <select
              value={safety[category]}
              onChange={(e) => setSafety({ ...safety, [category]: e.target.value as SafetyMode })}
              aria-label={`When a message has ${CATEGORY_WORDS[category]}`}
            >
              {MODES.map(([mode, words]) => (
                <option key={mode} value={mode}>
                  {words}
                </option>
              ))}
            </select>
          </label>
        ))}
        <label className="inline">
          <input type="checkbox" checked={minors} onChange={(e) => setMinors(e.target.checked)} /> A class of minors:
          the tutor follows age-appropriate rules
        </label>
        <label className="inline">
          <input type="checkbox" checked={redact} onChange={(e) => setRedact(e.target.checked)} /> Hide phone numbers,
          e-mail and addresses from the tutor
        </label>
        <button type="submit">Save safety settings</button>
      </form>
    </section>
  );
}

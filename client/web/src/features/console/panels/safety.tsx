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
import { formatList, formatNumber, t } from '../../../lib/i18n.js';
import { useTranslation } from 'react-i18next';

/** A safety category in a teacher's words. */
export const categoryWords = (category: SafetyCategory): string => t(`safety.category.${category}`);

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
  const { t } = useTranslation();
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
        {t('safety.alerts')} <span className="count">({open.length})</span>
      </h3>
      {open.length === 0 && <p className="empty">{t('safety.noAlerts')}</p>}
      <ol className="approvals">
        {open.map((flag) => (
          <FlagRow key={flag.flag_id} flag={flag} room={room} actions={actions} act={act} />
        ))}
      </ol>
      {unchecked > 0 && (
        <p className="muted" data-testid="not-checked-count">
          {t('safety.unchecked', { count: unchecked })}
        </p>
      )}
    </section>
  );
}

const urgency = (f: FlagItem) =>
  f.categories.some((c) => c.category === 'self_harm') ? 2 : f.action === 'held' ? 1 : 0;

function FlagRow({ flag, room, actions, act }: Props & { flag: FlagItem }) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const message = room.messages.find((m) => m.id === flag.message_id);
  const who =
    flag.source === 'answer'
      ? t('safety.tutorAnswer', { name: room.session.agent.name })
      : nameOf(room, flag.author_id);
  const text = message?.content ?? flag.content ?? '';
  const found = formatList(
    flag.categories.map((c) =>
      c.score !== undefined
        ? t('safety.foundScore', {
            category: categoryWords(c.category),
            severity: t(`safety.severity.${c.severity}`),
            score: formatNumber(c.score, { style: 'percent' }),
          })
        : t('safety.found', { category: categoryWords(c.category), severity: t(`safety.severity.${c.severity}`) }),
    ),
  );
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
          {flag.action === 'held' ? t('safety.held') : t('message.flagged')}
        </span>{' '}
        <strong>{who}</strong>: {found}
        {selfHarm && <p className="muted">{t('safety.selfHarmHint')}</p>}
      </div>
      <blockquote data-testid="flag-text">{text ? excerpt(text, 240) : t('safety.noText')}</blockquote>
      {flag.note && <p className="muted">{t('safety.staffNoteIs', { note: flag.note })}</p>}
      <div className="row-actions">
        {flag.action === 'held' && (
          <button
            type="button"
            onClick={() => resolve(t('safety.released', { name: who }), 'release')}
            aria-label={t('safety.releaseLabel', { name: who })}
          >
            {t('safety.release')}
          </button>
        )}
        <button
          type="button"
          onClick={() => window.confirm(t('safety.hideConfirm')) && resolve(t('safety.hid', { name: who }), 'hide')}
          aria-label={t('safety.hideLabel', { name: who })}
        >
          {t('safety.hide')}
        </button>
        <button
          type="button"
          onClick={() => resolve(t('safety.dismissed'), 'dismiss')}
          aria-label={t('safety.dismissLabel', { name: who })}
        >
          {t('approvals.dismiss')}
        </button>
        {flag.author_id && flag.author_id !== room.me.user_id && (
          <button
            type="button"
            onClick={() =>
              void act(t('person.mutedFor', { name: who, count: MUTE_MINUTES }), () =>
                actions.moderate({ action: 'mute', user_id: flag.author_id!, seconds: MUTE_MINUTES * 60 }),
              )
            }
            aria-label={t('safety.muteLabel', { name: who, count: MUTE_MINUTES })}
          >
            {t('safety.mute', { count: MUTE_MINUTES })}
          </button>
        )}
      </div>
      <form
        className="inline-form"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          if (note.trim()) resolve(t('safety.noteSaved'), 'note');
        }}
      >
        <label>
          {t('safety.staffNote')}
          <input
            value={note}
            maxLength={1000}
            onChange={(e) => setNote(e.target.value)}
            placeholder={t('safety.notePlaceholder')}
          />
        </label>
        <button type="submit" disabled={!note.trim()}>
          {t('safety.saveNote')}
        </button>
      </form>
    </li>
  );
}

const MODES: SafetyMode[] = ['hold', 'flag', 'off'];

/** The session's safety settings: per category, and the tutor's rules for minors and personal data. */
export function SafetySettingsForm({ room, actions, act }: Props) {
  const { t } = useTranslation();
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
    void act(t('safety.saved'), () =>
      actions.moderate({ action: 'set_policy', safety, minors, redact_personal_data: redact }),
    );
  };
  return (
    <section aria-labelledby="safety-settings">
      <h3 id="safety-settings">{t('safety.title')}</h3>
      <form className="form compact" onSubmit={save}>
        {SAFETY_CATEGORIES.map((category) => (
          <label key={category} className="inline">
            <span className="grow">{categoryWords(category)}</span>
            <select
              value={safety[category]}
              onChange={(e) => setSafety({ ...safety, [category]: e.target.value as SafetyMode })}
              aria-label={t('safety.when', { category: categoryWords(category) })}
            >
              {MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {t(`safety.mode.${mode}`)}
                </option>
              ))}
            </select>
          </label>
        ))}
        <label className="inline">
          <input type="checkbox" checked={minors} onChange={(e) => setMinors(e.target.checked)} /> {t('safety.minors')}
        </label>
        <label className="inline">
          <input type="checkbox" checked={redact} onChange={(e) => setRedact(e.target.checked)} /> {t('safety.redact')}
        </label>
        <button type="submit">{t('safety.save')}</button>
      </form>
    </section>
  );
}

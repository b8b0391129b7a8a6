import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_CONTENT_LENGTH } from '../../../../sdk/roundtable-client.js';
import { composerState, ordinal, type RateWindow } from './state/composer-state.js';
import { describeError, excerpt } from '../../lib/ui.js';
import { myPlace, type RoomState } from './state/room-state.js';
import type { RoomActions } from './state/use-room.js';
import { useTranslation } from 'react-i18next';
import { formatNumber, t as translate } from '../../lib/i18n.js';

/** Where a person writes: enabled or not by role, policy, floor, lock, mute and rate limit, always saying why. */
export function Composer({
  room,
  actions,
  connected,
  rate,
  now,
}: {
  room: RoomState;
  actions: RoomActions;
  connected: boolean;
  rate: RateWindow;
  now: number;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState('');
  const [staffOnly, setStaffOnly] = useState(false);
  const [anonymous, setAnonymous] = useState(false);
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [handNote, setHandNote] = useState('');
  const [handBusy, setHandBusy] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const state = composerState(room, { connected, rate, now });
  const isModerator = room.me.role === 'moderator';
  const myHand = room.hands.find((h) => h.user_id === room.me.user_id);
  // Hands are for contributors asking for the floor; the observer's seat is read-only.
  const canRaise = room.me.role === 'contributor' && room.session.status === 'active' && !room.removed;
  const handsMatter = room.session.turn_policy === 'hand_raise' || !!myHand;
  const canAskAnonymously = room.session.anonymous_questions && room.me.role === 'contributor';

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const content = draft.trim();
    if (!content || !state.enabled || sending) return;
    setSending(true);
    setRefusal(null);
    try {
      await actions.send(content, staffOnly ? 'staff' : 'all', canAskAnonymously && anonymous);
      setDraft('');
      actions.typing(false);
    } catch (failure) {
      setRefusal(describeError(failure)); // the draft stays, so nothing typed is lost
    } finally {
      setSending(false);
      input.current?.focus();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  const toggleHand = async () => {
    setHandBusy(true);
    setRefusal(null);
    try {
      if (myHand) await actions.lowerHand();
      else await actions.raiseHand(handNote.trim() || undefined);
      setHandNote('');
    } catch (failure) {
      setRefusal(describeError(failure));
    } finally {
      setHandBusy(false);
    }
  };

  const tooLong = draft.length > MAX_CONTENT_LENGTH;
  const place = room.session.status === 'active' ? myPlace(room, now) : null;
  const answeringMe = room.streaming?.triggered_by === room.me.user_id;
  const held = room.messages.filter((m) => m.author_id === room.me.user_id && m.held && m.approval === 'waiting');
  return (
    <div className="composer-area">
      {held.length > 0 && (
        <ul className="held" data-testid="held" aria-label={t('composer.heldLabel')}>
          {held.map((m) => (
            <li key={m.id}>{t('composer.held', { text: excerpt(m.content, 80) })}</li>
          ))}
        </ul>
      )}
      {(place || answeringMe) && (
        <p className="my-place" role="status" data-testid="my-place">
          {answeringMe
            ? t('composer.answeringYou')
            : place!.place === 1 && !room.streaming
              ? t('composer.next')
              : place!.waitMs !== null
                ? t('composer.placeAbout', { place: ordinal(place!.place), wait: formatWait(place!.waitMs) })
                : t('composer.place', { place: ordinal(place!.place) })}
        </p>
      )}
      {canRaise && handsMatter && (
        <div className="hand-controls">
          {!myHand && (
            <label className="sr-label">
              <span className="sr-only">{t('composer.handNoteLabel')}</span>
              <input
                value={handNote}
                maxLength={200}
                placeholder={t('composer.handNote')}
                onChange={(e) => setHandNote(e.target.value)}
              />
            </label>
          )}
          <button type="button" onClick={() => void toggleHand()} disabled={handBusy} aria-pressed={!!myHand}>
            {myHand ? t('composer.lowerHand') : t('composer.raiseHand')}
          </button>
        </div>
      )}
      <form className="composer" onSubmit={send} aria-label={t('composer.formLabel')}>
        <label htmlFor={`${id}-input`} className="sr-only">
          {t('composer.inputLabel')}
        </label>
        <textarea
          dir="auto"
          id={`${id}-input`}
          ref={input}
          data-testid="composer-input"
          rows={2}
          value={draft}
          disabled={!state.enabled}
          aria-describedby={`${id}-reason`}
          aria-invalid={tooLong || undefined}
          placeholder={state.enabled ? t('composer.placeholder') : ''}
          title={t('composer.keys')}
          onChange={(e) => {
            setDraft(e.target.value);
            actions.typing(e.target.value.length > 0);
          }}
          onBlur={() => actions.typing(false)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="primary" disabled={!state.enabled || sending || !draft.trim() || tooLong}>
          {t('composer.send')}
        </button>
        {canAskAnonymously && (
          <label className="inline staff-toggle">
            <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} />{' '}
            {t('composer.anonymous')}
          </label>
        )}
        {isModerator && (
          <label className="inline staff-toggle">
            <input type="checkbox" checked={staffOnly} onChange={(e) => setStaffOnly(e.target.checked)} />{' '}
            {t('composer.staffNote')}
          </label>
        )}
      </form>
      <p
        id={`${id}-reason`}
        className={`composer-reason ${state.enabled ? '' : 'blocked'}`}
        data-testid="composer-reason"
      >
        {tooLong
          ? t('composer.tooLong', { length: formatNumber(draft.length), max: formatNumber(MAX_CONTENT_LENGTH) })
          : state.reason}
      </p>
      {refusal && (
        <p role="alert" className="error" data-testid="composer-error">
          {t('composer.notSent', { reason: refusal })}
        </p>
      )}
    </div>
  );
}

/** A wait in words a student reads at a glance: "10 s", "1 min", "3 min". */
export function formatWait(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 60) return translate('composer.seconds', { count: Math.ceil(seconds / 5) * 5 });
  return translate('composer.minutes', { count: Math.round(seconds / 60) });
}

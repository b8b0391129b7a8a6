import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_CONTENT_LENGTH } from '../../../sdk/roundtable-client.js';
import { composerState, type RateWindow } from '../state/composer-state.js';
import type { RoomState } from '../state/room-state.js';
import type { RoomActions } from '../state/use-room.js';
import { describeError } from '../ui.js';

/** Where a person writes: enabled or not by role, policy, floor, lock, mute and rate limit, always saying why. */
export function Composer({ room, actions, connected, rate, now }: { room: RoomState; actions: RoomActions; connected: boolean; rate: RateWindow; now: number }) {
  const [draft, setDraft] = useState('');
  const [staffOnly, setStaffOnly] = useState(false);
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

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const content = draft.trim();
    if (!content || !state.enabled || sending) return;
    setSending(true);
    setRefusal(null);
    try {
      await actions.send(content, staffOnly ? 'staff' : 'all');
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
  return (
    <div className="composer-area">
      {canRaise && handsMatter && (
        <div className="hand-controls">
          {!myHand && (
            <label className="sr-label">
              <span className="sr-only">Note with your raised hand (optional)</span>
              <input value={handNote} maxLength={200} placeholder="What about? (optional)" onChange={(e) => setHandNote(e.target.value)} />
            </label>
          )}
          <button type="button" onClick={() => void toggleHand()} disabled={handBusy} aria-pressed={!!myHand}>
            {myHand ? 'Lower my hand' : 'Raise hand'}
          </button>
        </div>
      )}
      <form className="composer" onSubmit={send} aria-label="Send a message">
        <label htmlFor={`${id}-input`} className="sr-only">
          Message to the room and the tutor
        </label>
        <textarea
          id={`${id}-input`}
          ref={input}
          data-testid="composer-input"
          rows={2}
          value={draft}
          disabled={!state.enabled}
          aria-describedby={`${id}-reason`}
          aria-invalid={tooLong || undefined}
          placeholder={state.enabled ? 'Ask the tutor or talk to the room (Enter to send, Shift+Enter for a new line)' : ''}
          onChange={(e) => {
            setDraft(e.target.value);
            actions.typing(e.target.value.length > 0);
          }}
          onBlur={() => actions.typing(false)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="primary" disabled={!state.enabled || sending || !draft.trim() || tooLong}>
          Send
        </button>
        {isModerator && (
          <label className="inline staff-toggle">
            <input type="checkbox" checked={staffOnly} onChange={(e) => setStaffOnly(e.target.checked)} /> Private note to staff
          </label>
        )}
      </form>
      <p id={`${id}-reason`} className={`composer-reason ${state.enabled ? '' : 'blocked'}`} data-testid="composer-reason">
        {tooLong ? `Too long: ${draft.length} of ${MAX_CONTENT_LENGTH} characters.` : state.reason}
      </p>
      {refusal && (
        <p role="alert" className="error" data-testid="composer-error">
          Not sent: {refusal}
        </p>
      )}
    </div>
  );
}

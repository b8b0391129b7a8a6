import { useEffect, useState } from 'react';
import type { PanelProps } from './panel-props.js';
import { api } from '../../../lib/api.js';
import { excerpt, formatTime } from '../../../lib/ui.js';
import { nameOf } from '../../room/index.js';

/**
 * The approval inbox, pinned at the top of the console: every question held
 * for approval, with approve-all and dismiss-all, and an optional reason its
 * author reads. It stays while anything is held, after a switch away from
 * `moderated` too (leaving it approves nothing).
 */
export function AwaitingApproval({ room, actions, act, token }: PanelProps & { token: string }) {
  const [waiting, setWaiting] = useState<Array<{ message_id: string; user_id: string }>>([]);
  const [reason, setReason] = useState('');
  const moderated = room.session.turn_policy === 'moderated';
  useEffect(() => {
    let stale = false;
    api(token)
      .queue(room.session.id)
      .then((answer) => !stale && setWaiting(answer.awaiting_approval))
      .catch(() => undefined);
    return () => {
      stale = true;
    };
    // Every change to what waits (a new message, an approval, a dismissal, a policy switch) is a durable event.
  }, [room.seq, room.session.id, token]);
  if (!moderated && waiting.length === 0) return null;
  const because = reason.trim() ? { reason: reason.trim() } : {};
  return (
    <section aria-labelledby="approval-heading" className="inbox" data-testid="approval-inbox">
      <h3 id="approval-heading">
        Waiting for your approval <span className="count">({waiting.length})</span>
      </h3>
      {waiting.length === 0 ? (
        <p className="empty">Nothing to approve.</p>
      ) : (
        <>
          <div className="row-actions">
            <button
              type="button"
              onClick={() =>
                void act(`Approved ${waiting.length} question${waiting.length === 1 ? '' : 's'}`, () =>
                  actions.moderate({ action: 'approve_all' }),
                )
              }
            >
              Approve all
            </button>
            <button
              type="button"
              onClick={() =>
                void act(`Dismissed ${waiting.length} question${waiting.length === 1 ? '' : 's'}`, () =>
                  actions.moderate({ action: 'dismiss_all', ...because }),
                )
              }
            >
              Dismiss all
            </button>
          </div>
          <label>
            Reason shown to the student when you dismiss (optional)
            <input
              value={reason}
              maxLength={280}
              onChange={(e) => setReason(e.target.value)}
              placeholder="e.g. please ask about today's topic"
            />
          </label>
          <ol className="approvals">
            {waiting.map((entry) => {
              const message = room.messages.find((m) => m.id === entry.message_id);
              const who = nameOf(room, entry.user_id);
              const label = `${who}’s question${message ? ` at ${formatTime(message.timestamp)}` : ''}`;
              return (
                <li key={entry.message_id}>
                  <span>
                    <strong>{who}</strong>: {excerpt(message?.content ?? '', 80)}
                  </span>
                  <span className="row-actions">
                    <button
                      type="button"
                      onClick={() =>
                        void act(`Approved ${who}’s question`, () =>
                          actions.moderate({ action: 'approve_message', message_id: entry.message_id }),
                        )
                      }
                      aria-label={`Approve ${label}`}
                    >
                      Approve
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        void act(`Dismissed ${who}’s question`, () =>
                          actions.moderate({ action: 'dismiss_message', message_id: entry.message_id, ...because }),
                        )
                      }
                      aria-label={`Dismiss ${label}`}
                    >
                      Dismiss
                    </button>
                  </span>
                </li>
              );
            })}
          </ol>
        </>
      )}
    </section>
  );
}

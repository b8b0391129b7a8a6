import { useEffect, useState } from 'react';
import type { PanelProps } from './panel-props.js';
import { api } from '../../../lib/api.js';
import { excerpt } from '../../../lib/ui.js';
import { formatTime } from '../../../lib/i18n.js';
import { useTranslation } from 'react-i18next';
import { nameOf } from '../../room/index.js';

/**
 * The approval inbox, pinned at the top of the console: every question held
 * for approval, with approve-all and dismiss-all, and an optional reason its
 * author reads. It stays while anything is held, after a switch away from
 * `moderated` too (leaving it approves nothing).
 */
export function AwaitingApproval({ room, actions, act, token }: PanelProps & { token: string }) {
  const { t } = useTranslation();
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
        {t('approvals.title')} <span className="count">({waiting.length})</span>
      </h3>
      {waiting.length === 0 ? (
        <p className="empty">{t('approvals.nothing')}</p>
      ) : (
        <>
          <div className="row-actions">
            <button
              type="button"
              onClick={() =>
                void act(t('approvals.approvedAll', { count: waiting.length }), () =>
                  actions.moderate({ action: 'approve_all' }),
                )
              }
            >
              {t('approvals.approveAll')}
            </button>
            <button
              type="button"
              onClick={() =>
                void act(t('approvals.dismissedAll', { count: waiting.length }), () =>
                  actions.moderate({ action: 'dismiss_all', ...because }),
                )
              }
            >
              {t('approvals.dismissAll')}
            </button>
          </div>
          <label>
            {t('approvals.reason')}
            <input
              value={reason}
              maxLength={280}
              onChange={(e) => setReason(e.target.value)}
              placeholder={t('approvals.reasonPlaceholder')}
            />
          </label>
          <ol className="approvals">
            {waiting.map((entry) => {
              const message = room.messages.find((m) => m.id === entry.message_id);
              const who = nameOf(room, entry.user_id);
              const label = message
                ? t('approvals.questionAt', { name: who, time: formatTime(message.timestamp) })
                : t('approvals.question', { name: who });
              return (
                <li key={entry.message_id}>
                  <span>
                    <strong>{who}</strong>: {excerpt(message?.content ?? '', 80)}
                  </span>
                  <span className="row-actions">
                    <button
                      type="button"
                      onClick={() =>
                        void act(t('approvals.approved', { name: who }), () =>
                          actions.moderate({ action: 'approve_message', message_id: entry.message_id }),
                        )
                      }
                      aria-label={t('approvals.approveLabel', { question: label })}
                    >
                      {t('approvals.approve')}
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        void act(t('approvals.dismissed', { name: who }), () =>
                          actions.moderate({ action: 'dismiss_message', message_id: entry.message_id, ...because }),
                        )
                      }
                      aria-label={t('approvals.dismissLabel', { question: label })}
                    >
                      {t('approvals.dismiss')}
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

import { isMuted, nameOf, reasonInWords, type RoomState } from './state/room-state.js';
import type { RoomActions } from './state/use-room.js';
import { excerpt } from '../../lib/ui.js';
import type { Act } from '../../lib/actions.js';
import { roleName } from '../../lib/forms.js';
import { useTranslation } from 'react-i18next';

/** Who is here, the hands in line and what the tutor will answer next, in order. */
export function Sidebar({ room, actions, act, now }: { room: RoomState; actions: RoomActions; act: Act; now: number }) {
  const { t } = useTranslation();
  const isModerator = room.me.role === 'moderator';
  const preview = (messageId: string) => excerpt(room.messages.find((m) => m.id === messageId)?.content ?? '', 60);
  const floor = room.session.floor_user_id;

  return (
    <aside className="sidebar" aria-label={t('sidebar.label')}>
      <section aria-labelledby="queue-heading" className="queue-section">
        <h2 id="queue-heading">{t('sidebar.queue')}</h2>
        {room.queue.length > 0 && room.nextReason && (
          <p className="muted" data-testid="next-reason">
            {t('sidebar.nextBecause', { reason: reasonInWords(room.nextReason) })}
          </p>
        )}
        {room.queue.length === 0 ? (
          <p className="empty">{t('sidebar.nothingWaiting')}</p>
        ) : (
          <ol className="queue" data-testid="agent-queue">
            {room.queue.map((entry) => (
              <li key={entry.message_id}>
                <strong>{nameOf(room, entry.user_id)}</strong>
                {preview(entry.message_id) && <span className="preview">: {preview(entry.message_id)}</span>}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="hands-heading">
        <h2 id="hands-heading">{t('sidebar.hands')}</h2>
        {floor && (
          <p data-testid="floor">
            {floor === room.me.user_id ? t('sidebar.floorYou') : t('sidebar.floor', { name: nameOf(room, floor) })}
          </p>
        )}
        {room.hands.length === 0 ? (
          <p className="empty">{t('sidebar.noHands')}</p>
        ) : (
          <ol className="hands" data-testid="hands">
            {room.hands.map((hand) => (
              <li key={hand.user_id}>
                <span>
                  <strong>{hand.user_id === room.me.user_id ? t('sidebar.you') : hand.name}</strong>
                  {hand.note && <span className="preview">: {hand.note}</span>}
                </span>
                {isModerator && (
                  <span className="row-actions">
                    <button
                      type="button"
                      onClick={() =>
                        void act(t('sidebar.floorTo', { name: hand.name }), () =>
                          actions.moderate({ action: 'grant_turn', user_id: hand.user_id }),
                        )
                      }
                      aria-label={t('sidebar.giveFloorLabel', { name: hand.name })}
                    >
                      {t('sidebar.giveFloor')}
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        void act(t('sidebar.lowered', { name: hand.name }), () =>
                          actions.moderate({ action: 'lower_hand', user_id: hand.user_id }),
                        )
                      }
                      aria-label={t('sidebar.lowerLabel', { name: hand.name })}
                    >
                      {t('sidebar.lower')}
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="people-heading">
        {/* Moderators have the one people list in the console: here it stays folded. */}
        <details open={!isModerator}>
          <summary>
            <h2 id="people-heading">{t('sidebar.hereNow', { count: room.participants.length })}</h2>
          </summary>
          <ul className="people" data-testid="presence">
            {room.participants.map((p) => (
              <li key={p.user_id}>
                <span className="dot online" aria-hidden="true" />
                {p.user_id === room.me.user_id ? t('sidebar.nameYou', { name: p.name }) : p.name}{' '}
                <span className={`badge role-${p.role}`}>{roleName(p.role)}</span>
                {isMuted(room.members[p.user_id], now) && <span className="badge warn">{t('sidebar.muted')}</span>}
                {room.typing[p.user_id] && <span className="typing-dot"> {t('sidebar.typing')}</span>}
              </li>
            ))}
          </ul>
        </details>
      </section>
    </aside>
  );
}

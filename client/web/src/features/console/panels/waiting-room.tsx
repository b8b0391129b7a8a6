import type { PanelProps } from './panel-props.js';
import { useTranslation } from 'react-i18next';

/** Guests held until a moderator lets them in (the room's "hold new guests" setting). */
export function WaitingRoom({ room, actions, act }: PanelProps) {
  const { t } = useTranslation();
  const waiting = Object.values(room.members).filter((m) => m.waiting);
  if (!room.session.waiting_room && waiting.length === 0) return null;
  return (
    <section aria-labelledby="waiting-room-heading">
      <h3 id="waiting-room-heading">{t('waitingRoom.title', { count: waiting.length })}</h3>
      {waiting.length === 0 ? (
        <p className="muted">{t('waitingRoom.nobody')}</p>
      ) : (
        <ul className="member-list" data-testid="waiting">
          {waiting.map((m) => (
            <li key={m.user_id} className="member">
              <span>{m.display_name}</span>
              <span className="row-actions">
                <button
                  type="button"
                  onClick={() =>
                    void act(t('waitingRoom.letIn', { name: m.display_name }), () =>
                      actions.moderate({ action: 'admit', user_id: m.user_id }),
                    )
                  }
                  aria-label={t('waitingRoom.letIn', { name: m.display_name })}
                >
                  {t('waitingRoom.letInButton')}
                </button>
                <button
                  type="button"
                  onClick={() =>
                    void act(t('waitingRoom.turnedAway', { name: m.display_name }), () =>
                      actions.moderate({ action: 'kick', user_id: m.user_id, ban: true }),
                    )
                  }
                  aria-label={t('waitingRoom.turnAwayLabel', { name: m.display_name })}
                >
                  {t('waitingRoom.turnAway')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

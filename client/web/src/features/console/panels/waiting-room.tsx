import type { PanelProps } from './panel-props.js';

/** Guests held until a moderator lets them in (the room's "hold new guests" setting). */
export function WaitingRoom({ room, actions, act }: PanelProps) {
  const waiting = Object.values(room.members).filter((m) => m.waiting);
  if (!room.session.waiting_room && waiting.length === 0) return null;
  return (
    <section aria-labelledby="waiting-room-heading">
      <h3 id="waiting-room-heading">Waiting room ({waiting.length})</h3>
      {waiting.length === 0 ? (
        <p className="muted">Nobody is waiting.</p>
      ) : (
        <ul className="member-list" data-testid="waiting">
          {waiting.map((m) => (
            <li key={m.user_id} className="member">
              <span>{m.display_name}</span>
              <span className="row-actions">
                <button
                  type="button"
                  onClick={() =>
                    void act(`Let ${m.display_name} in`, () =>
                      actions.moderate({ action: 'admit', user_id: m.user_id }),
                    )
                  }
                  aria-label={`Let ${m.display_name} in`}
                >
                  Let in
                </button>
                <button
                  type="button"
                  onClick={() =>
                    void act(`Turned ${m.display_name} away`, () =>
                      actions.moderate({ action: 'kick', user_id: m.user_id, ban: true }),
                    )
                  }
                  aria-label={`Turn ${m.display_name} away`}
                >
                  Turn away
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

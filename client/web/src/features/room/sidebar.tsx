import { isMuted, nameOf, reasonInWords, type RoomState } from './state/room-state.js';
import type { RoomActions } from './state/use-room.js';
import { excerpt } from '../../lib/ui.js';
import type { Act } from '../../lib/actions.js';

/** Who is here, the hands in line and what the tutor will answer next, in order. */
export function Sidebar({ room, actions, act, now }: { room: RoomState; actions: RoomActions; act: Act; now: number }) {
  const isModerator = room.me.role === 'moderator';
  const preview = (messageId: string) => excerpt(room.messages.find((m) => m.id === messageId)?.content ?? '', 60);
  const floor = room.session.floor_user_id;

  return (
    <aside className="sidebar" aria-label="Room">
      <section aria-labelledby="queue-heading" className="queue-section">
        <h2 id="queue-heading">Tutor’s queue</h2>
        {room.queue.length > 0 && room.nextReason && (
          <p className="muted" data-testid="next-reason">
            Next because: {reasonInWords(room.nextReason)}.
          </p>
        )}
        {room.queue.length === 0 ? (
          <p className="empty">Nothing waiting.</p>
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
        <h2 id="hands-heading">Raised hands</h2>
        {floor && <p data-testid="floor">Floor: {floor === room.me.user_id ? 'you' : nameOf(room, floor)}</p>}
        {room.hands.length === 0 ? (
          <p className="empty">No hands raised.</p>
        ) : (
          <ol className="hands" data-testid="hands">
            {room.hands.map((hand) => (
              <li key={hand.user_id}>
                <span>
                  <strong>{hand.user_id === room.me.user_id ? 'You' : hand.name}</strong>
                  {hand.note && <span className="preview">: {hand.note}</span>}
                </span>
                {isModerator && (
                  <span className="row-actions">
                    <button
                      type="button"
                      onClick={() =>
                        void act(`Floor to ${hand.name}`, () =>
                          actions.moderate({ action: 'grant_turn', user_id: hand.user_id }),
                        )
                      }
                      aria-label={`Give the floor to ${hand.name}`}
                    >
                      Give floor
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        void act(`Lowered ${hand.name}’s hand`, () =>
                          actions.moderate({ action: 'lower_hand', user_id: hand.user_id }),
                        )
                      }
                      aria-label={`Lower ${hand.name}’s hand`}
                    >
                      Lower
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
            <h2 id="people-heading">Here now ({room.participants.length})</h2>
          </summary>
          <ul className="people" data-testid="presence">
            {room.participants.map((p) => (
              <li key={p.user_id}>
                <span className="dot online" aria-hidden="true" />
                {p.user_id === room.me.user_id ? `${p.name} (you)` : p.name}{' '}
                <span className={`badge role-${p.role}`}>{p.role}</span>
                {isMuted(room.members[p.user_id], now) && <span className="badge warn">muted</span>}
                {room.typing[p.user_id] && <span className="typing-dot"> typing…</span>}
              </li>
            ))}
          </ul>
        </details>
      </section>
    </aside>
  );
}

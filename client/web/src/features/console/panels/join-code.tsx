import { useEffect, useState } from 'react';
import type { PanelProps } from './panel-props.js';
import { api } from '../../../lib/api.js';
import { copyText, joinLink } from '../../../lib/ui.js';

export function JoinCode({ room, actions, act, token }: PanelProps & { token: string }) {
  const [code, setCode] = useState<string | null>(room.session.join_code);
  // The code changed (here or by another moderator): events do not carry it, the session does.
  useEffect(() => {
    if (!room.joinCodeChangedAt) return;
    let stale = false;
    api(token)
      .getSession(room.session.id)
      .then(({ session }) => !stale && setCode(session.join_code))
      .catch(() => undefined);
    return () => {
      stale = true;
    };
  }, [room.joinCodeChangedAt, room.session.id, token]);
  return (
    <section aria-labelledby="join-code-heading">
      <h3 id="join-code-heading">Invite</h3>
      {code ? (
        <p>
          Join code <code data-testid="join-code">{code}</code>
        </p>
      ) : (
        <p>Joining with a code is off.</p>
      )}
      <div className="row-actions">
        {code && (
          <button
            type="button"
            onClick={() =>
              void act('Join link copied', async () => {
                if (!(await copyText(joinLink(code)))) throw new Error(`copy it by hand: ${joinLink(code)}`);
              })
            }
          >
            Copy join link
          </button>
        )}
        <button
          type="button"
          onClick={() => void act('New join code', () => actions.moderate({ action: 'rotate_join_code' }))}
        >
          {code ? 'New code' : 'Turn on joining'}
        </button>
        {code && (
          <button
            type="button"
            onClick={() => void act('Joining turned off', () => actions.moderate({ action: 'disable_join_code' }))}
          >
            Turn off joining
          </button>
        )}
      </div>
      <div className="row-actions">
        <button
          type="button"
          className="danger"
          onClick={() =>
            window.confirm('End this session for everyone? It becomes read-only.') &&
            void act('Session closed', () => api(token).closeSession(room.session.id))
          }
        >
          End session
        </button>
      </div>
    </section>
  );
}

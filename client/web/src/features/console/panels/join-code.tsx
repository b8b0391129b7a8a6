import { useEffect, useState } from 'react';
import type { PanelProps } from './panel-props.js';
import { api } from '../../../lib/api.js';
import { copyText, joinLink } from '../../../lib/ui.js';
import { useTranslation } from 'react-i18next';

export function JoinCode({ room, actions, act, token }: PanelProps & { token: string }) {
  const { t } = useTranslation();
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
      <h3 id="join-code-heading">{t('invite.title')}</h3>
      {code ? (
        <p>
          {t('join.code')} <code data-testid="join-code">{code}</code>
        </p>
      ) : (
        <p>{t('invite.off')}</p>
      )}
      <div className="row-actions">
        {code && (
          <button
            type="button"
            onClick={() =>
              void act(t('invite.copied'), async () => {
                if (!(await copyText(joinLink(code))))
                  throw new Error(t('invite.copyByHand', { link: joinLink(code) }));
              })
            }
          >
            {t('invite.copy')}
          </button>
        )}
        <button
          type="button"
          onClick={() => void act(t('invite.rotated'), () => actions.moderate({ action: 'rotate_join_code' }))}
        >
          {code ? t('invite.rotate') : t('invite.turnOn')}
        </button>
        {code && (
          <button
            type="button"
            onClick={() => void act(t('invite.turnedOff'), () => actions.moderate({ action: 'disable_join_code' }))}
          >
            {t('invite.turnOff')}
          </button>
        )}
      </div>
      <div className="row-actions">
        <button
          type="button"
          className="danger"
          onClick={() =>
            window.confirm(t('invite.endConfirm')) &&
            void act(t('invite.ended'), () => api(token).closeSession(room.session.id))
          }
        >
          {t('invite.end')}
        </button>
      </div>
    </section>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import { type TurnPolicy } from '../../../../../sdk/roundtable-client.js';
import type { PanelProps } from './panel-props.js';
import { PolicySelect, RateLimitFields, rateLimitDraft, rateLimitOf } from '../../../lib/forms.js';
import { useTranslation } from 'react-i18next';

export function RoomSettings({ room, actions, act }: PanelProps) {
  const { t } = useTranslation();
  const { session } = room;
  const [policy, setPolicy] = useState<TurnPolicy>(session.turn_policy);
  const [autoGrant, setAutoGrant] = useState(session.auto_grant);
  const [rateLimit, setRateLimit] = useState(() => rateLimitDraft(session.rate_limit));
  const [clearHands, setClearHands] = useState(false);
  const [anonymous, setAnonymous] = useState(session.anonymous_questions);
  useEffect(() => setAnonymous(session.anonymous_questions), [session.anonymous_questions]);
  // Someone else's change arrives as session_updated: show it.
  useEffect(() => {
    setPolicy(session.turn_policy);
    setAutoGrant(session.auto_grant);
    setRateLimit(rateLimitDraft(session.rate_limit));
  }, [session.turn_policy, session.auto_grant, session.rate_limit]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    void act(t('settings.saved'), () =>
      actions.moderate({
        action: 'set_policy',
        turn_policy: policy,
        auto_grant: autoGrant,
        rate_limit: rateLimitOf(rateLimit),
        anonymous_questions: anonymous,
        ...(clearHands && policy !== session.turn_policy ? { clear_hands: true } : {}),
      }),
    );
    setClearHands(false);
  };
  return (
    <section aria-labelledby="room-settings">
      <h3 id="room-settings">{t('sidebar.label')}</h3>
      <div className="row-actions">
        <button
          type="button"
          aria-pressed={session.locked}
          onClick={() =>
            void act(session.locked ? t('settings.unlocked') : t('settings.locked'), () =>
              actions.moderate({ action: session.locked ? 'unlock' : 'lock' }),
            )
          }
        >
          {session.locked ? t('settings.unlock') : t('settings.lock')}
        </button>
        <button
          type="button"
          aria-pressed={session.waiting_room}
          onClick={() =>
            void act(session.waiting_room ? t('settings.straightIn') : t('settings.waitIn'), () =>
              actions.moderate({ action: 'set_policy', waiting_room: !session.waiting_room }),
            )
          }
        >
          {session.waiting_room ? t('settings.letStraightIn') : t('settings.hold')}
        </button>
      </div>
      <form className="form compact" onSubmit={apply}>
        <PolicySelect value={policy} onChange={setPolicy} />
        {policy === 'hand_raise' && (
          <label className="inline">
            <input type="checkbox" checked={autoGrant} onChange={(e) => setAutoGrant(e.target.checked)} />{' '}
            {t('settings.autoGrant')}
          </label>
        )}
        {policy !== session.turn_policy && room.hands.length > 0 && (
          <label className="inline">
            <input type="checkbox" checked={clearHands} onChange={(e) => setClearHands(e.target.checked)} />{' '}
            {t('settings.clearHands', { count: room.hands.length })}
          </label>
        )}
        <RateLimitFields draft={rateLimit} onChange={setRateLimit} label={t('create.rateLimit')} />
        <label className="inline">
          <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} />{' '}
          {t('settings.anonymous')}
        </label>
        <button type="submit">{t('settings.apply')}</button>
      </form>
    </section>
  );
}

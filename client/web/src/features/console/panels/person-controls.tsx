import { useState } from 'react';
import { ROLES, type Role } from '../../../../../sdk/roundtable-client.js';
import type { PanelProps } from './panel-props.js';
import { type RoomState } from '../../room/index.js';
import { roleName } from '../../../lib/forms.js';
import { useTranslation } from 'react-i18next';

/** How long a mute lasts, in minutes (undefined: until unmuted). */
const MUTE_CHOICES: Array<number | undefined> = [1, 5, 15, undefined];

/** The chosen person's controls: role, floor, mute (dropping or keeping their questions), remove, ban. */
export function PersonControls({
  room,
  actions,
  act,
  member,
  me,
  muted,
}: PanelProps & { member: RoomState['members'][string]; me: boolean; muted: boolean }) {
  const { t } = useTranslation();
  const [keep, setKeep] = useState(false);
  const name = member.display_name;
  const muteWords = (minutes: number | undefined) =>
    minutes ? t('person.muteFor', { count: minutes }) : t('person.muteUntilUnmuted');
  const mute = (minutes: number | undefined) =>
    act(
      minutes ? t('person.mutedFor', { name, count: minutes }) : t('person.mutedUntilUnmuted', { name }),
      () =>
        actions.moderate({
          action: 'mute',
          user_id: member.user_id,
          ...(minutes ? { seconds: minutes * 60 } : {}),
          ...(keep ? { keep_questions: true } : {}),
        }),
      (result) => {
        const withdrawn = (result as { withdrawn?: number }).withdrawn ?? 0;
        if (!withdrawn) return {};
        return {
          text: t('person.mutedDropped', { name, count: withdrawn }),
          undo: {
            label: t('person.unmutedRestored', { name }),
            run: () => actions.moderate({ action: 'unmute', user_id: member.user_id, restore_questions: true }),
          },
        };
      },
    );
  return (
    <div className="member-actions" data-testid="member-controls">
      <label>
        {t('person.role', { name })}
        <select
          value={member.role}
          onChange={(e) =>
            void act(t('person.roleChanged', { name, role: roleName(e.target.value as Role) }), () =>
              actions.moderate({ action: 'set_role', user_id: member.user_id, role: e.target.value as Role }),
            )
          }
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {roleName(r)}
            </option>
          ))}
        </select>
      </label>
      {!me && member.role !== 'moderator' && (
        <>
          {room.session.turn_policy === 'hand_raise' && room.session.floor_user_id !== member.user_id && (
            <button
              type="button"
              onClick={() =>
                void act(t('sidebar.floorTo', { name }), () =>
                  actions.moderate({ action: 'grant_turn', user_id: member.user_id }),
                )
              }
              aria-label={t('person.giveFloorLabel', { name })}
            >
              {t('person.giveFloor')}
            </button>
          )}
          {room.session.turn_policy === 'round_robin' && (
            <label>
              {t('person.weight', { name })}
              <select
                value={member.weight ?? 1}
                onChange={(e) =>
                  void act(t('person.weightChanged', { name, weight: e.target.value }), () =>
                    actions.moderate({ action: 'set_weight', user_id: member.user_id, weight: Number(e.target.value) }),
                  )
                }
              >
                {[1, 2, 3, 4].map((w) => (
                  <option key={w} value={w}>
                    {w === 1 ? t('person.fairShare') : t('person.accommodation', { weight: w })}
                  </option>
                ))}
              </select>
            </label>
          )}
          {muted ? (
            <button
              type="button"
              onClick={() =>
                void act(t('person.unmuted', { name }), () =>
                  actions.moderate({ action: 'unmute', user_id: member.user_id }),
                )
              }
              aria-label={t('person.unmuteLabel', { name })}
            >
              {t('person.unmute')}
            </button>
          ) : (
            <>
              <label>
                {t('person.mute', { name })}
                <select
                  value=""
                  onChange={(e) => {
                    if (e.target.value === '') return;
                    void mute(MUTE_CHOICES[Number(e.target.value)]);
                  }}
                >
                  <option value="">{t('person.howLong')}</option>
                  {MUTE_CHOICES.map((minutes, i) => (
                    <option key={i} value={i}>
                      {muteWords(minutes)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="inline">
                <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} />{' '}
                {t('person.keep', { name })}
              </label>
            </>
          )}
          <button
            type="button"
            onClick={() =>
              window.confirm(t('person.removeConfirm', { name })) &&
              void act(t('person.removed', { name }), () =>
                actions.moderate({ action: 'kick', user_id: member.user_id }),
              )
            }
            aria-label={t('person.removeLabel', { name })}
          >
            {t('person.remove')}
          </button>
          <button
            type="button"
            className="danger"
            onClick={() =>
              window.confirm(t('person.banConfirm', { name })) &&
              void act(t('person.banned', { name }), () =>
                actions.moderate({ action: 'kick', user_id: member.user_id, ban: true }),
              )
            }
            aria-label={t('person.banLabel', { name })}
          >
            {t('person.ban')}
          </button>
        </>
      )}
    </div>
  );
}

import { useState } from 'react';
import { ROLES, type Role } from '../../../../../sdk/roundtable-client.js';
import type { PanelProps } from './panel-props.js';
import { type RoomState } from '../../room/index.js';

const MUTE_CHOICES: Array<[string, number | undefined]> = [
  ['1 minute', 60],
  ['5 minutes', 300],
  ['15 minutes', 900],
  ['until unmuted', undefined],
];

/** The chosen person's controls: role, floor, mute (dropping or keeping their questions), remove, ban. */
export function PersonControls({
  room,
  actions,
  act,
  member,
  me,
  muted,
}: PanelProps & { member: RoomState['members'][string]; me: boolean; muted: boolean }) {
  const [keep, setKeep] = useState(false);
  const name = member.display_name;
  const mute = (choice: [string, number | undefined]) =>
    act(
      `Muted ${name} ${choice[0] === 'until unmuted' ? 'until unmuted' : `for ${choice[0]}`}`,
      () =>
        actions.moderate({
          action: 'mute',
          user_id: member.user_id,
          ...(choice[1] ? { seconds: choice[1] } : {}),
          ...(keep ? { keep_questions: true } : {}),
        }),
      (result) => {
        const withdrawn = (result as { withdrawn?: number }).withdrawn ?? 0;
        if (!withdrawn) return {};
        return {
          text: `Muted ${name}: ${withdrawn} waiting question${withdrawn === 1 ? '' : 's'} dropped.`,
          undo: {
            label: `Unmuted ${name} and brought back their questions`,
            run: () => actions.moderate({ action: 'unmute', user_id: member.user_id, restore_questions: true }),
          },
        };
      },
    );
  return (
    <div className="member-actions" data-testid="member-controls">
      <label>
        Role of {name}
        <select
          value={member.role}
          onChange={(e) =>
            void act(`${name} is now ${e.target.value}`, () =>
              actions.moderate({ action: 'set_role', user_id: member.user_id, role: e.target.value as Role }),
            )
          }
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
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
                void act(`Floor to ${name}`, () => actions.moderate({ action: 'grant_turn', user_id: member.user_id }))
              }
              aria-label={`Give ${name} the floor from the people list`}
            >
              Give the floor
            </button>
          )}
          {room.session.turn_policy === 'round_robin' && (
            <label>
              Tutor time for {name}
              <select
                value={member.weight ?? 1}
                onChange={(e) =>
                  void act(`${name} now gets ${e.target.value}× the tutor's time`, () =>
                    actions.moderate({ action: 'set_weight', user_id: member.user_id, weight: Number(e.target.value) }),
                  )
                }
              >
                {[1, 2, 3, 4].map((w) => (
                  <option key={w} value={w}>
                    {w === 1 ? 'a fair share (1×)' : `${w}× (an accommodation)`}
                  </option>
                ))}
              </select>
            </label>
          )}
          {muted ? (
            <button
              type="button"
              onClick={() =>
                void act(`Unmuted ${name}`, () => actions.moderate({ action: 'unmute', user_id: member.user_id }))
              }
              aria-label={`Unmute ${name}`}
            >
              Unmute
            </button>
          ) : (
            <>
              <label>
                Mute {name}
                <select
                  value=""
                  onChange={(e) => {
                    const choice = MUTE_CHOICES[Number(e.target.value)];
                    if (choice) void mute(choice);
                  }}
                >
                  <option value="">choose how long…</option>
                  {MUTE_CHOICES.map(([label], i) => (
                    <option key={label} value={i}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
              <label className="inline">
                <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} /> Keep {name}’s
                waiting questions for later
              </label>
            </>
          )}
          <button
            type="button"
            onClick={() =>
              window.confirm(`Remove ${name} from the session?`) &&
              void act(`Removed ${name}`, () => actions.moderate({ action: 'kick', user_id: member.user_id }))
            }
            aria-label={`Remove ${name}`}
          >
            Remove
          </button>
          <button
            type="button"
            className="danger"
            onClick={() =>
              window.confirm(`Ban ${name}? They cannot join again.`) &&
              void act(`Banned ${name}`, () => actions.moderate({ action: 'kick', user_id: member.user_id, ban: true }))
            }
            aria-label={`Ban ${name}`}
          >
            Ban
          </button>
        </>
      )}
    </div>
  );
}

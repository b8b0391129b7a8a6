import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ROLES, type RespondsTo, type Role, type TurnPolicy } from '../../../sdk/roundtable-client.js';
import { auth } from '../auth.js';
import { PolicySelect, RateLimitFields, rateLimitDraft, rateLimitOf } from '../forms.js';
import { isMuted, nameOf, type RoomState } from '../state/room-state.js';
import type { RoomActions } from '../state/use-room.js';
import { copyText, describeError, excerpt, formatTime, joinLink } from '../ui.js';
import { Participation, TranscriptDownload } from './reports.js';
import { SafetyFlags, SafetySettingsForm } from './safety-panel.js';

/** The console's status line: what the last action did, and an undo where one exists. */
export type Feedback = { ok: boolean; text: string; undo?: { label: string; run: () => Promise<unknown> } } | null;
/** Runs an action; `after` may add to the report (an undo, a count) from the server's answer. */
export type Act = (label: string, run: () => Promise<unknown>, after?: (result: unknown) => Partial<NonNullable<Feedback>>) => Promise<void>;

/**
 * Runs one moderator action and reports the server's ack in words, in one
 * place (the console's status line), whichever panel the action came from.
 */
export function useModeratorActions() {
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [busy, setBusy] = useState(false);
  const act: Act = useCallback(async (label, run, after) => {
    setBusy(true);
    try {
      const result = await run();
      setFeedback({ ok: true, text: `${label}: done.`, ...after?.(result) });
    } catch (failure) {
      setFeedback({ ok: false, text: `${label}: ${describeError(failure)}` });
    } finally {
      setBusy(false);
    }
  }, []);
  return { feedback, busy, act };
}

/** The teacher's console: the floor, people, the tutor and the room's settings; each action reports the server's ack. */
export function ModeratorConsole({ room, actions, token, now, act, feedback, busy }: { room: RoomState; actions: RoomActions; token: string; now: number; act: Act; feedback: Feedback; busy: boolean }) {
  const closed = room.session.status === 'closed';

  return (
    <aside className="console" aria-label="Moderator console">
      <h2>Moderator console</h2>
      <p role="status" className={`feedback ${feedback?.ok === false ? 'error' : ''}`} data-testid="console-feedback">
        {feedback?.text}
        {feedback?.undo && !closed && (
          <button type="button" className="link-button" onClick={() => void act(feedback.undo!.label, feedback.undo!.run)}>
            Undo
          </button>
        )}
      </p>
      <fieldset disabled={closed || busy} className="console-body">
        <SafetyFlags room={room} actions={actions} act={act} />
        <AwaitingApproval room={room} actions={actions} act={act} token={token} />
        <TutorControls room={room} actions={actions} act={act} />
        <WaitingRoom room={room} actions={actions} act={act} />
        <People room={room} actions={actions} act={act} now={now} />
        <RoomSettings room={room} actions={actions} act={act} />
        <SafetySettingsForm room={room} actions={actions} act={act} />
        <Instructions room={room} actions={actions} act={act} />
        <JoinCode room={room} actions={actions} act={act} token={token} />
      </fieldset>
      {/* After class too: what happened, and the record of it. */}
      <Participation room={room} token={token} />
      <TranscriptDownload room={room} token={token} />
    </aside>
  );
}

interface PartProps {
  room: RoomState;
  actions: RoomActions;
  act: Act;
}

function TutorControls({ room, actions, act }: PartProps) {
  const [answerPending, setAnswerPending] = useState(true);
  const paused = room.session.agent.paused;
  const working = room.agent.status === 'thinking' || room.agent.status === 'streaming';
  return (
    <section aria-labelledby="tutor-controls">
      <h3 id="tutor-controls">Tutor</h3>
      <div className="row-actions">
        {working && (
          <button type="button" onClick={() => void act('Stopped the answer', () => actions.moderate({ action: 'cancel_agent' }))}>
            Stop this answer
          </button>
        )}
        {paused ? (
          <button type="button" onClick={() => void act('Tutor resumed', () => actions.moderate({ action: 'resume_agent', answer_pending: answerPending }))}>
            Resume tutor
          </button>
        ) : (
          <>
            <button type="button" onClick={() => void act(working ? 'Tutor paused after this answer' : 'Tutor paused', () => actions.moderate({ action: 'pause_agent' }))}>
              Pause tutor (answer yourself)
            </button>
            {working && (
              <button type="button" onClick={() => void act('Tutor paused and stopped', () => actions.moderate({ action: 'pause_agent', stop_now: true }))}>
                Pause and stop now
              </button>
            )}
          </>
        )}
      </div>
      {!paused && working && <p className="muted">Pausing lets the answer being written finish; the next one waits.</p>}
      {paused && (
        <label className="inline">
          <input type="checkbox" checked={answerPending} onChange={(e) => setAnswerPending(e.target.checked)} /> On resume, answer what arrived while paused
        </label>
      )}
    </section>
  );
}

/**
 * The approval inbox, pinned at the top of the console: every question held
 * for approval, with approve-all and dismiss-all, and an optional reason its
 * author reads. It stays while anything is held, after a switch away from
 * `moderated` too (leaving it approves nothing).
 */
function AwaitingApproval({ room, actions, act, token }: PartProps & { token: string }) {
  const [waiting, setWaiting] = useState<Array<{ message_id: string; user_id: string }>>([]);
  const [reason, setReason] = useState('');
  const moderated = room.session.turn_policy === 'moderated';
  useEffect(() => {
    let stale = false;
    auth
      .api(token)
      .call<{ awaiting_approval: Array<{ message_id: string; user_id: string }> }>('GET', `/sessions/${room.session.id}/queue`)
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
        Waiting for your approval <span className="count">({waiting.length})</span>
      </h3>
      {waiting.length === 0 ? (
        <p className="empty">Nothing to approve.</p>
      ) : (
        <>
          <div className="row-actions">
            <button type="button" onClick={() => void act(`Approved ${waiting.length} question${waiting.length === 1 ? '' : 's'}`, () => actions.moderate({ action: 'approve_all' }))}>
              Approve all
            </button>
            <button type="button" onClick={() => void act(`Dismissed ${waiting.length} question${waiting.length === 1 ? '' : 's'}`, () => actions.moderate({ action: 'dismiss_all', ...because }))}>
              Dismiss all
            </button>
          </div>
          <label>
            Reason shown to the student when you dismiss (optional)
            <input value={reason} maxLength={280} onChange={(e) => setReason(e.target.value)} placeholder="e.g. please ask about today's topic" />
          </label>
          <ol className="approvals">
            {waiting.map((entry) => {
              const message = room.messages.find((m) => m.id === entry.message_id);
              const who = nameOf(room, entry.user_id);
              const label = `${who}’s question${message ? ` at ${formatTime(message.timestamp)}` : ''}`;
              return (
                <li key={entry.message_id}>
                  <span>
                    <strong>{who}</strong>: {excerpt(message?.content ?? '', 80)}
                  </span>
                  <span className="row-actions">
                    <button type="button" onClick={() => void act(`Approved ${who}’s question`, () => actions.moderate({ action: 'approve_message', message_id: entry.message_id }))} aria-label={`Approve ${label}`}>
                      Approve
                    </button>
                    <button
                      type="button"
                      onClick={() => void act(`Dismissed ${who}’s question`, () => actions.moderate({ action: 'dismiss_message', message_id: entry.message_id, ...because }))}
                      aria-label={`Dismiss ${label}`}
                    >
                      Dismiss
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

const MUTE_CHOICES: Array<[string, number | undefined]> = [
  ['1 minute', 60],
  ['5 minutes', 300],
  ['15 minutes', 900],
  ['until unmuted', undefined],
];

/** Guests held until a moderator lets them in (the room's "hold new guests" setting). */
function WaitingRoom({ room, actions, act }: PartProps) {
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
                <button type="button" onClick={() => void act(`Let ${m.display_name} in`, () => actions.moderate({ action: 'admit', user_id: m.user_id }))} aria-label={`Let ${m.display_name} in`}>
                  Let in
                </button>
                <button type="button" onClick={() => void act(`Turned ${m.display_name} away`, () => actions.moderate({ action: 'kick', user_id: m.user_id, ban: true }))} aria-label={`Turn ${m.display_name} away`}>
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

type PeopleFilter = 'all' | 'online' | 'hand' | 'waiting' | 'muted' | 'guests';
const PEOPLE_FILTERS: Array<[PeopleFilter, string]> = [
  ['all', 'Everyone'],
  ['online', 'Here now'],
  ['hand', 'Raised hand'],
  ['waiting', 'Question waiting'],
  ['muted', 'Muted'],
  ['guests', 'Guests'],
];

/**
 * One list of everyone in the session, searchable and filtered; a person's
 * controls open on the person chosen, not beside every name, so a class of
 * thirty fits on a laptop screen.
 */
function People({ room, actions, act, now }: PartProps & { now: number }) {
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<PeopleFilter>('all');
  const [selected, setSelected] = useState<string | null>(null);
  const here = new Set(room.participants.map((p) => p.user_id));
  const hands = new Set(room.hands.map((h) => h.user_id));
  // Who has a question waiting: for the tutor, or for approval.
  const asking = new Set([...room.queue.map((q) => q.user_id), ...room.messages.filter((m) => m.approval === 'waiting').map((m) => m.author_id)]);
  const everyone = Object.values(room.members).filter((m) => !m.waiting);
  const wanted = query.trim().toLowerCase();
  const members = everyone
    .filter((m) => !wanted || m.display_name.toLowerCase().includes(wanted))
    .filter((m) => filter === 'all' || (filter === 'online' && here.has(m.user_id)) || (filter === 'hand' && hands.has(m.user_id)) || (filter === 'waiting' && asking.has(m.user_id)) || (filter === 'muted' && isMuted(m, now)) || (filter === 'guests' && m.guest))
    .sort((a, b) => Number(here.has(b.user_id)) - Number(here.has(a.user_id)) || a.display_name.localeCompare(b.display_name));
  return (
    <section aria-labelledby="people-console">
      <h3 id="people-console">
        People ({everyone.length}, {everyone.filter((m) => here.has(m.user_id)).length} here now)
      </h3>
      <div className="people-tools">
        <label>
          <span className="sr-only">Search people</span>
          <input type="search" placeholder="Search people" value={query} onChange={(e) => setQuery(e.target.value)} />
        </label>
        <label>
          <span className="sr-only">Show</span>
          <select value={filter} onChange={(e) => setFilter(e.target.value as PeopleFilter)} aria-label="Show">
            {PEOPLE_FILTERS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {members.length === 0 && <p className="empty">Nobody matches.</p>}
      <ul className="member-list" data-testid="members">
        {members.map((member) => {
          const name = member.display_name;
          const me = member.user_id === room.me.user_id;
          const muted = isMuted(member, now);
          const online = here.has(member.user_id);
          const open = selected === member.user_id;
          return (
            <li key={member.user_id} className={`member ${open ? 'selected' : ''}`} data-testid="member" data-name={name}>
              <button type="button" className="member-name" aria-expanded={open} onClick={() => setSelected(open ? null : member.user_id)} aria-label={`${name}${me ? ' (you)' : ''}: ${open ? 'hide' : 'show'} controls`}>
                <span className={`dot ${online ? 'online' : ''}`} aria-hidden="true" />
                <strong>{me ? `${name} (you)` : name}</strong>
                <span className={`badge role-${member.role}`}>{member.role}</span>
                {member.guest && <span className="badge">guest</span>}
                {muted && <span className="badge warn">muted</span>}
                {hands.has(member.user_id) && <span className="badge">hand up</span>}
                {asking.has(member.user_id) && <span className="badge">asking</span>}
                {room.typing[member.user_id] && <span className="typing-dot">typing…</span>}
                {room.session.floor_user_id === member.user_id && <span className="badge ok">has the floor</span>}
              </button>
              {open && <PersonControls room={room} actions={actions} act={act} member={member} me={me} muted={muted} />}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The chosen person's controls: role, floor, mute (dropping or keeping their questions), remove, ban. */
function PersonControls({ room, actions, act, member, me, muted }: PartProps & { member: RoomState['members'][string]; me: boolean; muted: boolean }) {
  const [keep, setKeep] = useState(false);
  const name = member.display_name;
  const mute = (choice: [string, number | undefined]) =>
    act(
      `Muted ${name} ${choice[0] === 'until unmuted' ? 'until unmuted' : `for ${choice[0]}`}`,
      () => actions.moderate({ action: 'mute', user_id: member.user_id, ...(choice[1] ? { seconds: choice[1] } : {}), ...(keep ? { keep_questions: true } : {}) }),
      (result) => {
        const withdrawn = (result as { withdrawn?: number }).withdrawn ?? 0;
        if (!withdrawn) return {};
        return {
          text: `Muted ${name}: ${withdrawn} waiting question${withdrawn === 1 ? '' : 's'} dropped.`,
          undo: { label: `Unmuted ${name} and brought back their questions`, run: () => actions.moderate({ action: 'unmute', user_id: member.user_id, restore_questions: true }) },
        };
      },
    );
  return (
    <div className="member-actions" data-testid="member-controls">
      <label>
        Role of {name}
        <select value={member.role} onChange={(e) => void act(`${name} is now ${e.target.value}`, () => actions.moderate({ action: 'set_role', user_id: member.user_id, role: e.target.value as Role }))}>
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
            <button type="button" onClick={() => void act(`Floor to ${name}`, () => actions.moderate({ action: 'grant_turn', user_id: member.user_id }))} aria-label={`Give ${name} the floor from the people list`}>
              Give the floor
            </button>
          )}
          {room.session.turn_policy === 'round_robin' && (
            <label>
              Tutor time for {name}
              <select
                value={member.weight ?? 1}
                onChange={(e) => void act(`${name} now gets ${e.target.value}× the tutor's time`, () => actions.moderate({ action: 'set_weight', user_id: member.user_id, weight: Number(e.target.value) }))}
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
            <button type="button" onClick={() => void act(`Unmuted ${name}`, () => actions.moderate({ action: 'unmute', user_id: member.user_id }))} aria-label={`Unmute ${name}`}>
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
                <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} /> Keep {name}’s waiting questions for later
              </label>
            </>
          )}
          <button type="button" onClick={() => window.confirm(`Remove ${name} from the session?`) && void act(`Removed ${name}`, () => actions.moderate({ action: 'kick', user_id: member.user_id }))} aria-label={`Remove ${name}`}>
            Remove
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => window.confirm(`Ban ${name}? They cannot join again.`) && void act(`Banned ${name}`, () => actions.moderate({ action: 'kick', user_id: member.user_id, ban: true }))}
            aria-label={`Ban ${name}`}
          >
            Ban
          </button>
        </>
      )}
    </div>
  );
}

function RoomSettings({ room, actions, act }: PartProps) {
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
    void act('Settings saved', () =>
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
      <h3 id="room-settings">Room</h3>
      <div className="row-actions">
        <button type="button" aria-pressed={session.locked} onClick={() => void act(session.locked ? 'Unlocked' : 'Locked', () => actions.moderate({ action: session.locked ? 'unlock' : 'lock' }))}>
          {session.locked ? 'Unlock the room' : 'Lock the room'}
        </button>
        <button
          type="button"
          aria-pressed={session.waiting_room}
          onClick={() => void act(session.waiting_room ? 'New guests come straight in' : 'New guests wait to be let in', () => actions.moderate({ action: 'set_policy', waiting_room: !session.waiting_room }))}
        >
          {session.waiting_room ? 'Let new guests straight in' : 'Hold new guests in a waiting room'}
        </button>
      </div>
      <form className="form compact" onSubmit={apply}>
        <PolicySelect value={policy} onChange={setPolicy} />
        {policy === 'hand_raise' && (
          <label className="inline">
            <input type="checkbox" checked={autoGrant} onChange={(e) => setAutoGrant(e.target.checked)} /> Give the floor to the next hand automatically
          </label>
        )}
        {policy !== session.turn_policy && room.hands.length > 0 && (
          <label className="inline">
            <input type="checkbox" checked={clearHands} onChange={(e) => setClearHands(e.target.checked)} /> Lower the {room.hands.length} raised hand{room.hands.length === 1 ? '' : 's'} with the switch
          </label>
        )}
        <RateLimitFields draft={rateLimit} onChange={setRateLimit} label="Rate limit per person" />
        <label className="inline">
          <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} /> Students may ask anonymously to classmates
        </label>
        <button type="submit">Apply settings</button>
      </form>
    </section>
  );
}

function Instructions({ room, actions, act }: PartProps) {
  const [instructions, setInstructions] = useState(room.session.agent.instructions);
  const [respondsTo, setRespondsTo] = useState<RespondsTo>(room.session.agent.responds_to);
  const [maxTokens, setMaxTokens] = useState(room.session.agent.max_answer_tokens?.toString() ?? '');
  useEffect(() => setMaxTokens(room.session.agent.max_answer_tokens?.toString() ?? ''), [room.session.agent.max_answer_tokens]);
  useEffect(() => setInstructions(room.session.agent.instructions), [room.session.agent.instructions]);
  useEffect(() => setRespondsTo(room.session.agent.responds_to), [room.session.agent.responds_to]);
  return (
    <section aria-labelledby="instructions-heading">
      <h3 id="instructions-heading">Tutor instructions</h3>
      <form
        className="form compact"
        onSubmit={(event) => {
          event.preventDefault();
          void act('Instructions saved', () =>
            actions.moderate({ action: 'set_agent', instructions, responds_to: respondsTo, max_answer_tokens: maxTokens.trim() ? Number(maxTokens) : null }),
          );
        }}
      >
        <label>
          <span className="sr-only">Tutor instructions</span>
          <textarea rows={4} maxLength={4000} value={instructions} onChange={(e) => setInstructions(e.target.value)} />
        </label>
        <label>
          The tutor answers
          <select value={respondsTo} onChange={(e) => setRespondsTo(e.target.value as RespondsTo)}>
            <option value="all">every message</option>
            <option value="mentions">only messages that mention @{room.session.agent.name}</option>
          </select>
        </label>
        <label>
          Longest answer, in tokens (empty: the server’s default)
          <input type="number" min={16} max={32000} step={1} value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} />
        </label>
        <button type="submit">Save instructions</button>
      </form>
    </section>
  );
}

function JoinCode({ room, actions, act, token }: PartProps & { token: string }) {
  const [code, setCode] = useState<string | null>(room.session.join_code);
  // The code changed (here or by another moderator): events do not carry it, the session does.
  useEffect(() => {
    if (!room.joinCodeChangedAt) return;
    let stale = false;
    auth
      .api(token)
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
          <button type="button" onClick={() => void act('Join link copied', async () => {
            if (!(await copyText(joinLink(code)))) throw new Error(`copy it by hand: ${joinLink(code)}`);
          })}>
            Copy join link
          </button>
        )}
        <button
          type="button"
          onClick={() =>
            void act('New join code', () => actions.moderate({ action: 'rotate_join_code' }))
          }
        >
          {code ? 'New code' : 'Turn on joining'}
        </button>
        {code && (
          <button type="button" onClick={() => void act('Joining turned off', () => actions.moderate({ action: 'disable_join_code' }))}>
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
            void act('Session closed', () => auth.api(token).closeSession(room.session.id))
          }
        >
          End session
        </button>
      </div>
    </section>
  );
}

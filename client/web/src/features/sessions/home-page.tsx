import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { GuestRole, TurnPolicy, WireSession } from '../../../../sdk/roundtable-client.js';
import type { Identity } from '../auth/index.js';
import { api } from '../../lib/api.js';
import {
  browserLanguage,
  FormFooter,
  LanguageSelect,
  POLICY_LABELS,
  PolicySelect,
  RateLimitFields,
  rateLimitDraft,
  rateLimitOf,
} from '../../lib/forms.js';
import { navigate } from '../../lib/router.js';
import { copyText, describeError, joinLink, Link } from '../../lib/ui.js';
import presets from './tutor-presets.json';

/** A signed-in person's sessions, and a form to start one. */
export function HomePage({ account }: { account: Identity }) {
  const [sessions, setSessions] = useState<WireSession[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [feedback, setFeedback] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const all: WireSession[] = [];
      let cursor: string | null = null;
      do {
        const page: { sessions: WireSession[]; next_cursor: string | null } = await api(account.token).listSessions(
          `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        all.push(...page.sessions);
        cursor = page.next_cursor;
      } while (cursor && all.length < 500);
      setSessions(all);
    } catch (failure) {
      setError(describeError(failure));
    }
  }, [account.token]);

  useEffect(() => {
    void load();
  }, [load]);

  const close = async (session: WireSession) => {
    if (!window.confirm(`Close “${session.title}”? It becomes read-only for everyone.`)) return;
    try {
      await api(account.token).closeSession(session.id);
      setFeedback(`Closed “${session.title}”.`);
      await load();
    } catch (failure) {
      setFeedback(describeError(failure));
    }
  };

  const [show, setShow] = useState<'active' | 'closed' | 'all'>('active');
  const shown = sessions?.filter((s) => show === 'all' || s.status === show) ?? [];
  const count = (status: 'active' | 'closed') => sessions?.filter((s) => s.status === status).length ?? 0;

  return (
    <main className="page home">
      <section aria-labelledby="new-session" className="card">
        <h1 id="new-session">Start a session</h1>
        <CreateSessionForm token={account.token} earlier={sessions ?? []} />
      </section>
      <section aria-labelledby="your-sessions" className="card">
        <h2 id="your-sessions">Your sessions</h2>
        <p role="status" className="feedback">
          {feedback}
        </p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {sessions === null && !error && <p>Loading…</p>}
        {sessions && sessions.length === 0 && <p>No sessions yet. Start one, or join with a code from your teacher.</p>}
        {sessions && sessions.length > 0 && (
          <div role="group" aria-label="Show sessions" className="filters">
            {(
              [
                ['active', `Open (${count('active')})`],
                ['closed', `Ended (${count('closed')})`],
                ['all', `All (${sessions.length})`],
              ] as const
            ).map(([value, label]) => (
              <button key={value} type="button" aria-pressed={show === value} onClick={() => setShow(value)}>
                {label}
              </button>
            ))}
          </div>
        )}
        <SessionList sessions={shown} onClose={close} onCopied={setFeedback} />
        {sessions && sessions.length > 0 && shown.length === 0 && (
          <p className="empty">{show === 'active' ? 'No open sessions.' : 'No ended sessions.'}</p>
        )}
        <p className="hint">
          Have a join code? <Link href="/join">Join a session</Link>.
        </p>
      </section>
    </main>
  );
}

function SessionList({
  sessions,
  onClose,
  onCopied,
}: {
  sessions: WireSession[];
  onClose: (s: WireSession) => void;
  onCopied: (text: string) => void;
}) {
  if (sessions.length === 0) return null;
  return (
    <ul className="session-list">
      {sessions.map((session) => (
        <li key={session.id} className="session-row">
          <div>
            <Link href={`/s/${session.id}`} className="session-title">
              {session.title}
            </Link>
            <div className="meta" data-testid="session-meta">
              {formatDay(session.created_at)}
              {session.closed_at &&
                ` · ${formatLength(Date.parse(session.closed_at) - Date.parse(session.created_at))}`}
              {session.stats &&
                ` · ${session.stats.members} ${session.stats.members === 1 ? 'person' : 'people'} · ${session.stats.questions} ${session.stats.questions === 1 ? 'question' : 'questions'}`}
              {' · '}
              {POLICY_LABELS[session.turn_policy]} · {session.status === 'active' ? 'open' : 'ended'}
              {session.join_code && (
                <>
                  {' '}
                  · code <code>{session.join_code}</code>
                </>
              )}
            </div>
          </div>
          <div className="row-actions">
            {session.join_code && session.status === 'active' && (
              <button
                type="button"
                onClick={async () =>
                  onCopied(
                    (await copyText(joinLink(session.join_code!)))
                      ? `Copied the join link for “${session.title}”.`
                      : `Join link: ${joinLink(session.join_code!)}`,
                  )
                }
                aria-label={`Copy the join link for ${session.title}`}
              >
                Copy link
              </button>
            )}
            {session.join_code !== null && session.status === 'active' && (
              <button
                type="button"
                className="danger"
                onClick={() => onClose(session)}
                aria-label={`Close ${session.title}`}
              >
                Close
              </button>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}

/** Starting points for the tutor's instructions (client/web/src/tutor-presets.json); the teacher edits from there. */
const PRESETS: Array<{ id: string; label: string; instructions: string }> = presets;

function CreateSessionForm({ token, earlier }: { token: string; earlier: WireSession[] }) {
  const [title, setTitle] = useState('');
  const [preset, setPreset] = useState('');
  const [copyFrom, setCopyFrom] = useState('');
  const [policy, setPolicy] = useState<TurnPolicy>('round_robin');
  // A sensible default for a class, visible and changeable: 3 questions per 30 s each.
  const [rateLimit, setRateLimit] = useState(() => rateLimitDraft({ messages: 3, per_seconds: 30 }));
  const [anonymous, setAnonymous] = useState(false);
  const [guestRole, setGuestRole] = useState<GuestRole>('contributor');
  const [instructions, setInstructions] = useState('');
  // The class's language starts as the teacher's own (the browser's).
  const [language, setLanguage] = useState<string | null>(() => browserLanguage());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { session } = await api(token).createSession({
        title: title.trim(),
        turn_policy: policy,
        guest_role: guestRole,
        ...(anonymous ? { anonymous_questions: true } : {}),
        ...(rateLimit.on ? { rate_limit: rateLimitOf(rateLimit) } : {}),
        agent: { ...(instructions.trim() ? { instructions: instructions.trim() } : {}), language },
      });
      navigate(`/s/${session.id}`);
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  };

  // A session copied from an earlier one: its settings, not its messages.
  const copy = (id: string) => {
    setCopyFrom(id);
    const from = earlier.find((s) => s.id === id);
    if (!from) return;
    setPolicy(from.turn_policy);
    setRateLimit(rateLimitDraft(from.rate_limit));
    setGuestRole(from.guest_role);
    setAnonymous(from.anonymous_questions);
    setInstructions(from.agent.instructions);
    setLanguage(from.agent.language ?? null);
    setPreset('');
  };
  const copyable = earlier.filter((s) => s.join_code !== null || s.agent.instructions);

  return (
    <form className="form" onSubmit={submit}>
      {copyable.length > 0 && (
        <label>
          Copy the settings of
          <select value={copyFrom} onChange={(e) => copy(e.target.value)}>
            <option value="">a new session</option>
            {copyable.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title} ({new Date(s.created_at).toLocaleDateString()})
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Title
        <input
          required
          maxLength={200}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          placeholder="Algebra, period 3"
        />
      </label>
      <PolicySelect value={policy} onChange={setPolicy} />
      <fieldset>
        <legend>Rate limit per person</legend>
        <RateLimitFields draft={rateLimit} onChange={setRateLimit} label="Limit how often each person can ask" />
      </fieldset>
      <label>
        People joining with the code are
        <select value={guestRole} onChange={(e) => setGuestRole(e.target.value as GuestRole)}>
          <option value="contributor">contributors: they can ask</option>
          <option value="observer">observers: they can read only</option>
        </select>
      </label>
      <label className="inline">
        <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} /> Students may ask
        anonymously to classmates (you always see who asked)
      </label>
      <label>
        Start the tutor from
        <select
          value={preset}
          onChange={(e) => {
            setPreset(e.target.value);
            const chosen = PRESETS.find((p) => p.id === e.target.value);
            if (chosen) setInstructions(chosen.instructions);
          }}
        >
          <option value="">your own instructions</option>
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Tutor instructions
        <textarea
          rows={3}
          maxLength={4000}
          value={instructions}
          onChange={(e) => setInstructions(e.target.value)}
          placeholder="Guide students to the answer; do not just give it."
        />
      </label>
      <LanguageSelect value={language} onChange={setLanguage} />
      <FormFooter error={error} busy={busy} label="Create session" />
    </form>
  );
}

function formatDay(iso: string): string {
  return new Date(iso).toLocaleString([], {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

function formatLength(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { GuestRole, TurnPolicy, WireSession } from '../../../sdk/roundtable-client.js';
import type { Identity } from '../auth.js';
import { auth } from '../auth.js';
import { FormFooter, POLICY_LABELS, PolicySelect, RateLimitFields, rateLimitDraft, rateLimitOf } from '../forms.js';
import { navigate } from '../router.js';
import { copyText, describeError, joinLink, Link } from '../ui.js';


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
        const page: { sessions: WireSession[]; next_cursor: string | null } = await auth
          .api(account.token)
          .listSessions(`?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
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
      await auth.api(account.token).closeSession(session.id);
      setFeedback(`Closed “${session.title}”.`);
      await load();
    } catch (failure) {
      setFeedback(describeError(failure));
    }
  };

  const active = sessions?.filter((s) => s.status === 'active') ?? [];
  const closed = sessions?.filter((s) => s.status === 'closed') ?? [];

  return (
    <main className="page home">
      <section aria-labelledby="new-session" className="card">
        <h1 id="new-session">Start a session</h1>
        <CreateSessionForm token={account.token} />
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
        <SessionList sessions={active} onClose={close} onCopied={setFeedback} />
        {closed.length > 0 && (
          <details>
            <summary>Ended sessions ({closed.length})</summary>
            <SessionList sessions={closed} onClose={close} onCopied={setFeedback} />
          </details>
        )}
        <p className="hint">
          Have a join code? <Link href="/join">Join a session</Link>.
        </p>
      </section>
    </main>
  );
}

function SessionList({ sessions, onClose, onCopied }: { sessions: WireSession[]; onClose: (s: WireSession) => void; onCopied: (text: string) => void }) {
  if (sessions.length === 0) return null;
  return (
    <ul className="session-list">
      {sessions.map((session) => (
        <li key={session.id} className="session-row">
          <div>
            <Link href={`/s/${session.id}`} className="session-title">
              {session.title}
            </Link>
            <div className="meta">
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
                onClick={async () => onCopied((await copyText(joinLink(session.join_code!))) ? `Copied the join link for “${session.title}”.` : `Join link: ${joinLink(session.join_code!)}`)}
                aria-label={`Copy the join link for ${session.title}`}
              >
                Copy link
              </button>
            )}
            {session.join_code !== null && session.status === 'active' && (
              <button type="button" className="danger" onClick={() => onClose(session)} aria-label={`Close ${session.title}`}>
                Close
              </button>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}

function CreateSessionForm({ token }: { token: string }) {
  const [title, setTitle] = useState('');
  const [policy, setPolicy] = useState<TurnPolicy>('round_robin');
  const [rateLimit, setRateLimit] = useState(() => rateLimitDraft(null));
  const [guestRole, setGuestRole] = useState<GuestRole>('contributor');
  const [instructions, setInstructions] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { session } = await auth.api(token).createSession({
        title: title.trim(),
        turn_policy: policy,
        guest_role: guestRole,
        ...(rateLimit.on ? { rate_limit: rateLimitOf(rateLimit) } : {}),
        ...(instructions.trim() ? { agent: { instructions: instructions.trim() } } : {}),
      });
      navigate(`/s/${session.id}`);
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit}>
      <label>
        Title
        <input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Algebra, period 3" />
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
      <label>
        Tutor instructions
        <textarea rows={3} maxLength={4000} value={instructions} onChange={(e) => setInstructions(e.target.value)} placeholder="Guide students to the answer; do not just give it." />
      </label>
      <FormFooter error={error} busy={busy} label="Create session" />
    </form>
  );
}

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { GuestRole, TurnPolicy, WireSession } from '../../../../sdk/roundtable-client.js';
import type { Identity } from '../auth/index.js';
import { api } from '../../lib/api.js';
import {
  creatorLanguage,
  FormFooter,
  LanguageSelect,
  policyLabel,
  PolicySelect,
  RateLimitFields,
  rateLimitDraft,
  rateLimitOf,
} from '../../lib/forms.js';
import { navigate } from '../../lib/router.js';
import { copyText, describeError, joinLink, Link } from '../../lib/ui.js';
import { Trans, useTranslation } from 'react-i18next';
import { formatDate, formatDay, formatNumber } from '../../lib/i18n.js';

/** Which sessions the list shows. */
const SHOW = ['active', 'closed', 'all'] as const;

/** A signed-in person's sessions, and a form to start one. */
export function HomePage({ account }: { account: Identity }) {
  const { t } = useTranslation();
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
    if (!window.confirm(t('home.closeConfirm', { title: session.title }))) return;
    try {
      await api(account.token).closeSession(session.id);
      setFeedback(t('home.closed', { title: session.title }));
      await load();
    } catch (failure) {
      setFeedback(describeError(failure));
    }
  };

  const [show, setShow] = useState<(typeof SHOW)[number]>('active');
  const shown = sessions?.filter((s) => show === 'all' || s.status === show) ?? [];
  const count = (status: 'active' | 'closed') => sessions?.filter((s) => s.status === status).length ?? 0;

  return (
    <main className="page home">
      <section aria-labelledby="new-session" className="card">
        <h1 id="new-session">{t('home.start')}</h1>
        <CreateSessionForm token={account.token} earlier={sessions ?? []} />
      </section>
      <section aria-labelledby="your-sessions" className="card">
        <h2 id="your-sessions">{t('app.title.home')}</h2>
        <p role="status" className="feedback">
          {feedback}
        </p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {sessions === null && !error && <p>{t('home.loading')}</p>}
        {sessions && sessions.length === 0 && <p>{t('home.none')}</p>}
        {sessions && sessions.length > 0 && (
          <div role="group" aria-label={t('home.show')} className="filters">
            {SHOW.map((value) => (
              <button key={value} type="button" aria-pressed={show === value} onClick={() => setShow(value)}>
                {t(`home.filter.${value}`, { count: value === 'all' ? sessions.length : count(value) })}
              </button>
            ))}
          </div>
        )}
        <SessionList sessions={shown} onClose={close} onCopied={setFeedback} />
        {sessions && sessions.length > 0 && shown.length === 0 && (
          <p className="empty">{show === 'active' ? t('home.noneOpen') : t('home.noneEnded')}</p>
        )}
        <p className="hint">
          <Trans i18nKey="home.haveCode" components={{ link: <Link href="/join" /> }} />
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
  const { t } = useTranslation();
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
                ` · ${t('home.people', { count: session.stats.members })} · ${t('home.questions', { count: session.stats.questions })}`}
              {' · '}
              {policyLabel(session.turn_policy)} · {session.status === 'active' ? t('home.open') : t('home.ended')}
              {session.join_code && (
                <>
                  {' '}
                  · {t('home.code')} <code>{session.join_code}</code>
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
                      ? t('home.copied', { title: session.title })
                      : t('home.joinLink', { link: joinLink(session.join_code!) }),
                  )
                }
                aria-label={t('home.copyLabel', { title: session.title })}
              >
                {t('home.copy')}
              </button>
            )}
            {session.join_code !== null && session.status === 'active' && (
              <button
                type="button"
                className="danger"
                onClick={() => onClose(session)}
                aria-label={t('home.closeLabel', { title: session.title })}
              >
                {t('home.close')}
              </button>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}

/** Starting points for the tutor's instructions (their words: `preset.<id>` in the catalogues); the teacher edits from there. */
const PRESETS = ['socratic', 'stepByStep', 'quiz', 'support'] as const;

function CreateSessionForm({ token, earlier }: { token: string; earlier: WireSession[] }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState('');
  const [preset, setPreset] = useState('');
  const [copyFrom, setCopyFrom] = useState('');
  const [policy, setPolicy] = useState<TurnPolicy>('round_robin');
  // A sensible default for a class, visible and changeable: 3 questions per 30 s each.
  const [rateLimit, setRateLimit] = useState(() => rateLimitDraft({ messages: 3, per_seconds: 30 }));
  const [anonymous, setAnonymous] = useState(false);
  const [guestRole, setGuestRole] = useState<GuestRole>('contributor');
  const [instructions, setInstructions] = useState('');
  // The class's language starts as the teacher's own (the page's language they picked, else the browser's).
  const [language, setLanguage] = useState<string | null>(() => creatorLanguage());
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
          {t('create.copyFrom')}
          <select value={copyFrom} onChange={(e) => copy(e.target.value)}>
            <option value="">{t('create.newSession')}</option>
            {copyable.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title} ({formatDate(s.created_at)})
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t('create.title')}
        <input
          required
          maxLength={200}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          placeholder={t('create.titlePlaceholder')}
        />
      </label>
      <PolicySelect value={policy} onChange={setPolicy} />
      <fieldset>
        <legend>{t('create.rateLimit')}</legend>
        <RateLimitFields draft={rateLimit} onChange={setRateLimit} label={t('create.rateLimitLabel')} />
      </fieldset>
      <label>
        {t('create.guestRole')}
        <select value={guestRole} onChange={(e) => setGuestRole(e.target.value as GuestRole)}>
          <option value="contributor">{t('create.guestContributor')}</option>
          <option value="observer">{t('create.guestObserver')}</option>
        </select>
      </label>
      <label className="inline">
        <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} />{' '}
        {t('create.anonymous')}
      </label>
      <label>
        {t('create.presetFrom')}
        <select
          value={preset}
          onChange={(e) => {
            setPreset(e.target.value);
            const chosen = PRESETS.find((p) => p === e.target.value);
            if (chosen) setInstructions(t(`preset.${chosen}.instructions`));
          }}
        >
          <option value="">{t('create.ownInstructions')}</option>
          {PRESETS.map((p) => (
            <option key={p} value={p}>
              {t(`preset.${p}.label`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('create.instructions')}
        <textarea
          rows={3}
          maxLength={4000}
          value={instructions}
          onChange={(e) => setInstructions(e.target.value)}
          placeholder={t('create.instructionsPlaceholder')}
        />
      </label>
      <LanguageSelect value={language} onChange={setLanguage} />
      <FormFooter error={error} busy={busy} label={t('create.submit')} />
    </form>
  );
}

/** How long a session lasted, in the page's language ("45 min", "1 h 5 min"). */
function formatLength(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  const unit = (value: number, unit: 'hour' | 'minute') =>
    formatNumber(value, { style: 'unit', unit, unitDisplay: 'short' });
  return minutes < 60
    ? unit(minutes, 'minute')
    : `${unit(Math.floor(minutes / 60), 'hour')} ${unit(minutes % 60, 'minute')}`;
}

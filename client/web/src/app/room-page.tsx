import { useEffect, useMemo, useState } from 'react';
import { auth } from '../features/auth/index.js';
import { Composer } from '../features/room/index.js';
import { Conversation } from '../features/room/index.js';
import { ModeratorConsole, useModeratorActions } from '../features/console/index.js';
import { Sidebar } from '../features/room/index.js';
import { navigate } from '../lib/router.js';
import { policyForStudents, policyLabel, roleWords } from '../lib/forms.js';
import { useTranslation } from 'react-i18next';
import { agentActivity } from '../features/room/index.js';
import { useRoom } from '../features/room/index.js';
import { Link } from '../lib/ui.js';
import { currentLanguage, PRODUCT_NAME } from '../lib/i18n.js';

/** The live room, for every role; moderators get the console beside it. */
export function RoomPage({ sessionId }: { sessionId: string }) {
  const { t } = useTranslation();
  // Read once per room, not on every render (a streaming answer renders many times a second).
  const identity = useMemo(() => auth.forSession(sessionId), [sessionId]);
  // In the waiting room the join is refused until a moderator lets this person in: try again now and then.
  const [attempt, setAttempt] = useState(0);
  const { room, connection, error, announced, rate, actions } = useRoom(sessionId, identity?.token ?? null, attempt);
  const waiting = !room && error?.code === 'forbidden' && error.message.includes('waiting room');
  useEffect(() => {
    if (!waiting) return;
    const retry = setTimeout(() => setAttempt((n) => n + 1), 2000);
    return () => clearTimeout(retry);
  }, [waiting, error]);
  const [now, setNow] = useState(() => Date.now());
  const moderation = useModeratorActions();

  useEffect(() => {
    if (!identity) navigate(`/login?next=${encodeURIComponent(`/s/${sessionId}`)}`, { replace: true });
  }, [identity, sessionId]);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);

  // The tab's title says what is new while you look elsewhere, and when the floor is yours.
  const unread = useUnread(room?.messages.length ?? 0);
  const myTurn =
    room?.session.turn_policy === 'hand_raise' &&
    room.session.floor_user_id === room.me.user_id &&
    room.me.role !== 'moderator';
  const title = room?.session.title;
  useEffect(() => {
    if (title !== undefined)
      document.title = `${unread ? `(${unread}) ` : ''}${myTurn ? `${t('room.yourTurnTitle')} – ` : ''}${title} · ${PRODUCT_NAME}`;
  }, [title, unread, myTurn, t]);
  const [sound, setSound] = useSoundSetting();
  useFloorChime(!!myTurn && sound);

  if (!identity) return null;

  if (room?.removed) {
    return (
      <main className="page narrow" data-testid="removed">
        <h1>{room.removed.banned ? t('room.removed.bannedTitle') : t('room.removed.title')}</h1>
        <p role="alert">
          {t('room.removed.by', { title: room.session.title })}{' '}
          {room.removed.banned ? t('room.removed.cannotReturn') : t('room.removed.canReturn')}
        </p>
        <p>
          <Link href="/">{t('room.backToStart')}</Link>
        </p>
      </main>
    );
  }

  if (waiting) {
    return (
      <main className="page narrow" data-testid="waiting-room" aria-busy="true">
        <h1>{t('room.waiting.title')}</h1>
        <p role="status">{t('room.waiting.body')}</p>
      </main>
    );
  }

  if (error && !room) {
    const text: Record<string, string> = {
      not_member: t('room.cannotOpen.not_member'),
      forbidden: t('room.cannotOpen.forbidden'),
      unauthorized: t('room.cannotOpen.unauthorized'),
      offline: t('room.cannotOpen.offline'),
      not_found: t('room.cannotOpen.not_found'),
    };
    return (
      <main className="page narrow">
        <h1>{t('room.cannotOpen.title')}</h1>
        <p role="alert">
          {text[error.code] ?? (currentLanguage() === 'en' ? error.message : t('room.cannotOpen.other'))}
        </p>
        <p>
          {error.code === 'unauthorized' ? (
            <Link href={`/login?next=${encodeURIComponent(`/s/${sessionId}`)}`}>{t('app.signIn')}</Link>
          ) : (
            <Link href="/join">{t('room.joinWithCode')}</Link>
          )}
        </p>
      </main>
    );
  }

  if (!room) {
    return (
      <main className="page narrow" aria-busy="true">
        <p>{t('room.joining')}</p>
      </main>
    );
  }

  const isModerator = room.me.role === 'moderator';
  const activity = agentActivity(room);
  return (
    <main className={`room ${isModerator ? 'with-console' : ''}`} data-role={room.me.role}>
      <header className="room-header">
        <div>
          <h1>{room.session.title}</h1>
          <p className="meta">
            <span data-testid="role-words">{roleWords(room.me.role)}</span> ·{' '}
            {isModerator ? policyLabel(room.session.turn_policy) : policyForStudents(room.session.turn_policy)}
            {room.session.rate_limit &&
              ` · ${t('room.rateLimit', { count: room.session.rate_limit.messages, seconds: room.session.rate_limit.per_seconds })}`}
            {room.session.locked && <span className="badge warn">{t('room.badge.locked')}</span>}
            {room.session.agent.paused && <span className="badge warn">{t('room.badge.tutorPaused')}</span>}
            {room.session.status === 'closed' && <span className="badge">{t('room.badge.ended')}</span>}
          </p>
          {room.session.turn_policy === 'hand_raise' && !isModerator && (
            <label className="inline small">
              <input type="checkbox" checked={sound} onChange={(e) => setSound(e.target.checked)} />{' '}
              {t('room.floorSound')}
            </label>
          )}
        </div>
        <div className="room-header-side">
          {isModerator && room.session.status === 'active' && (
            <a
              className="button"
              href={`/s/${room.session.id}/present`}
              target="_blank"
              rel="noopener"
              data-testid="present-button"
            >
              {t('room.present')}
            </a>
          )}
          <p className="agent-activity" role="status" data-testid="agent-status">
            {room.session.agent.name}: {activity ?? t('agent.ready')}
          </p>
        </div>
      </header>
      {connection === 'reconnecting' && (
        <div className="banner warn" role="alert" data-testid="connection-banner">
          {t('room.connection.lost')}
        </div>
      )}
      {connection === 'reconnected' && (
        <div className="banner ok" role="status" data-testid="connection-banner">
          {t('room.connection.back')}
        </div>
      )}
      {room.session.status === 'closed' && (
        <div className="banner" role="status">
          {t('room.ended')}
        </div>
      )}
      <div className="sr-only" aria-live="polite" aria-atomic="false" data-testid="announcer">
        {announced.map((a) => (
          <p key={a.id}>{a.text}</p>
        ))}
      </div>
      <div className="room-main">
        <section className="conversation-pane" aria-label={t('room.conversation')}>
          <Conversation room={room} actions={actions} act={moderation.act} />
          <Composer
            room={room}
            actions={actions}
            connected={connection !== 'reconnecting' && connection !== 'connecting'}
            rate={rate}
            now={now}
          />
        </section>
        <Sidebar room={room} actions={actions} act={moderation.act} now={now} />
        {isModerator && (
          <ModeratorConsole room={room} actions={actions} token={identity.token} now={now} {...moderation} />
        )}
      </div>
    </main>
  );
}

/** How many messages arrived while this tab was hidden (0 while it is in view). */
function useUnread(count: number): number {
  const [seenAt, setSeenAt] = useState(count);
  const [hidden, setHidden] = useState(() => document.visibilityState === 'hidden');
  useEffect(() => {
    const onChange = () => setHidden(document.visibilityState === 'hidden');
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  useEffect(() => {
    if (!hidden) setSeenAt(count);
  }, [hidden, count]);
  return hidden ? Math.max(0, count - seenAt) : 0;
}

const SOUND_KEY = 'roundtable.floor-sound';

/** The "sound when I get the floor" choice, kept in this browser (on unless switched off). */
function useSoundSetting(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => localStorage.getItem(SOUND_KEY) !== 'off');
  return [on, (value: boolean) => (localStorage.setItem(SOUND_KEY, value ? 'on' : 'off'), setOn(value))];
}

/** A soft two-note chime when `active` turns true (the floor became mine). */
function useFloorChime(active: boolean) {
  useEffect(() => {
    if (!active) return;
    try {
      const audio = new AudioContext();
      for (const [i, frequency] of [660, 880].entries()) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, audio.currentTime + i * 0.18);
        gain.gain.exponentialRampToValueAtTime(0.15, audio.currentTime + i * 0.18 + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + i * 0.18 + 0.3);
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + i * 0.18);
        tone.stop(audio.currentTime + i * 0.18 + 0.32);
      }
      setTimeout(() => void audio.close(), 1000);
    } catch {
      // No audio here (or not allowed before a click): the title and the composer say it anyway.
    }
  }, [active]);
}

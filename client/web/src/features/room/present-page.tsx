import QRCode from 'qrcode';
import { useEffect, useMemo, useRef, useState } from 'react';
import { auth } from '../auth/index.js';
import { agentActivity, nameOf } from './state/room-state.js';
import { useRoom } from './state/use-room.js';
import { api } from '../../lib/api.js';
import { joinLink } from '../../lib/ui.js';
import { Rich, useThrottled } from '../../components/rich/lazy-rich-text.js';
import { Trans, useTranslation } from 'react-i18next';
import { formatList, PRODUCT_NAME } from '../../lib/i18n.js';

/** How many of the next questions in line the screen names. */
const NEXT_SHOWN = 3;
/** How many recent messages the screen shows: the newest, large. */
const SHOWN_MESSAGES = 6;

/**
 * The present view, for a projector or a second screen. It joins as a
 * display screen (the server sends it what everyone may see: never a private
 * note, a question waiting for approval, an email or a moderation control) and
 * does not count as a participant. Before class: the join code very large, a
 * QR code of the join link and the short address; during class: the
 * conversation in large type, who is being answered and who is next.
 */
export function PresentPage({ sessionId }: { sessionId: string }) {
  const { t } = useTranslation();
  const identity = useMemo(() => auth.forSession(sessionId), [sessionId]);
  const { room, error } = useRoom(sessionId, identity?.token ?? null, 0, { display: true });
  const [code, setCode] = useState<string | null>(null);
  const [showCode, setShowCode] = useState(true);
  const qr = useRef<HTMLCanvasElement>(null);

  // The code comes over REST (moderators only), again whenever it changes.
  useEffect(() => {
    if (!identity) return;
    let stale = false;
    api(identity.token)
      .getSession(sessionId)
      .then((answer) => !stale && setCode(answer.session.join_code))
      .catch(() => !stale && setCode(null));
    return () => {
      stale = true;
    };
  }, [identity, sessionId, room?.joinCodeChangedAt]);

  const link = code ? joinLink(code) : null;
  const [qrError, setQrError] = useState<string | null>(null);
  const ready = room !== null && room.session.status === 'active';
  const streamed = useThrottled(room?.streaming?.content ?? '', 200);
  useEffect(() => {
    if (!link || !qr.current || !showCode) return;
    QRCode.toCanvas(qr.current, link, { width: 360, margin: 2, errorCorrectionLevel: 'M' }).then(
      () => setQrError(null),
      (failure: unknown) => setQrError(failure instanceof Error ? failure.message : String(failure)),
    );
    // The canvas exists once the room has loaded (and while the code shows): draw when it appears.
  }, [link, showCode, ready]);

  const title = room?.session.title;
  useEffect(() => {
    if (title !== undefined) document.title = `${title} · ${t('present.title')} · ${PRODUCT_NAME}`;
  }, [title, t]);

  if (!identity) {
    return (
      <main className="present narrow">
        <p role="alert">{t('present.signIn')}</p>
      </main>
    );
  }
  if (error && !room) {
    return (
      <main className="present narrow">
        <p role="alert">{t('present.cannotShow', { reason: error.message })}</p>
      </main>
    );
  }
  if (!room) {
    return (
      <main className="present" aria-busy="true">
        <p>{t('present.connecting')}</p>
      </main>
    );
  }

  const messages = room.messages.filter((m) => !m.deleted).slice(-SHOWN_MESSAGES);
  const answering = room.streaming ? nameOf(room, room.streaming.triggered_by) : null;
  const next = room.queue
    .slice(room.streaming ? 0 : 1, (room.streaming ? 0 : 1) + NEXT_SHOWN)
    .map((q) => (q.user_id ? nameOf(room, q.user_id) : t('present.aStudent')));
  const activity = agentActivity(room);
  const closed = room.session.status === 'closed';
  const shortAddress = `${window.location.host}/join`;

  return (
    <main className={`present ${showCode && code ? 'with-code' : ''}`} data-testid="present">
      <header className="present-header">
        <h1>{room.session.title}</h1>
        {!closed && code && (
          <button type="button" className="present-toggle" onClick={() => setShowCode((s) => !s)}>
            {showCode ? t('present.hideCode') : t('present.showCode')}
          </button>
        )}
      </header>
      {closed && <p className="present-banner">{t('announce.closed')}</p>}
      {showCode && code && !closed && (
        <section className="present-join" aria-label={t('present.howToJoin')}>
          <p className="present-how">
            <Trans
              i18nKey="present.goTo"
              values={{ address: shortAddress }}
              components={{ address: <strong dir="ltr" /> }}
            />
          </p>
          <p className="present-code" data-testid="present-code">
            {code}
          </p>
          <canvas ref={qr} data-testid="present-qr" aria-label={t('present.qr', { link })} role="img" />
          {qrError && <p className="present-link">{t('present.noQr', { reason: qrError })}</p>}
          <p className="present-link">{link}</p>
        </section>
      )}
      <section className="present-conversation" aria-label={t('room.conversation')} aria-live="polite">
        {messages.length === 0 && !room.streaming && <p className="present-empty">{t('present.empty')}</p>}
        <ol>
          {messages.map((m) => (
            <li key={m.id} className={`present-message ${m.role}`} data-testid="present-message">
              <span className="present-author">{m.role === 'assistant' ? room.session.agent.name : m.author_name}</span>
              <span className="present-text" dir="auto">
                {m.role === 'system' ? m.content : <Rich text={m.content} />}
              </span>
            </li>
          ))}
          {room.streaming && (
            <li className="present-message assistant streaming" data-testid="present-streaming">
              <span className="present-author">
                {room.session.agent.name}
                {answering ? t('present.answering', { name: answering }) : ''}
              </span>
              <span className="present-text" dir="auto">
                {streamed ? <Rich text={streamed} /> : '…'}
              </span>
            </li>
          )}
        </ol>
      </section>
      <footer className="present-footer">
        <p data-testid="present-status">
          {room.session.agent.name}: {activity ?? t('agent.ready')}
        </p>
        {next.length > 0 && <p data-testid="present-next">{t('present.next', { names: formatList(next) })}</p>}
      </footer>
    </main>
  );
}

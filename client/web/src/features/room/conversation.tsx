import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Act } from '../../lib/actions.js';
import type { WireMessage } from '../../../../sdk/roundtable-client.js';
import { nameOf, reasonInWords, type RoomState } from './state/room-state.js';
import type { RoomActions } from './state/use-room.js';
import { describeError } from '../../lib/ui.js';
import { formatList, formatNumber, formatTime, t } from '../../lib/i18n.js';
import { roleName } from '../../lib/forms.js';
import { useTranslation } from 'react-i18next';
import { Rich, useThrottled } from '../../components/rich/lazy-rich-text.js';

/** The badge beside an author's name: a role, the tutor, the system, or someone who has left. */
type AuthorKind = 'moderator' | 'contributor' | 'observer' | 'tutor' | 'system' | 'former-member';

function authorRole(room: RoomState, message: WireMessage): AuthorKind {
  if (message.role === 'assistant') return 'tutor';
  if (message.role === 'system') return 'system';
  if (!message.author_id) return 'former-member';
  const role =
    room.members[message.author_id]?.role ?? room.participants.find((p) => p.user_id === message.author_id)?.role;
  // Not on a partial roster (a contributor's view lists staff, the muted and themselves): a contributor.
  return role ?? (room.membersComplete ? 'former-member' : 'contributor');
}

const authorKindWords = (kind: AuthorKind): string =>
  kind === 'tutor'
    ? t('message.tutor')
    : kind === 'system'
      ? t('message.system')
      : kind === 'former-member'
        ? t('message.formerMember')
        : roleName(kind);

/** The conversation, oldest first, the answer being written last; older pages load on scroll-up. */
export function Conversation({ room, actions, act }: { room: RoomState; actions: RoomActions; act: Act }) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const previousHeight = useRef<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);

  const loadOlder = async () => {
    if (loading || !room.hasMore) return;
    setLoading(true);
    setLoadError(null);
    previousHeight.current = scroller.current?.scrollHeight ?? null;
    try {
      await actions.loadOlder();
    } catch (failure) {
      previousHeight.current = null;
      setLoadError(describeError(failure));
    } finally {
      setLoading(false);
    }
  };

  // Keep the reader where they were: pinned to the bottom for new lines, in place when older ones arrive above.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (previousHeight.current !== null) {
      el.scrollTop += el.scrollHeight - previousHeight.current;
      previousHeight.current = null;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [room.messages, room.streaming?.content]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
    if (el.scrollTop < 80 && room.hasMore && !loading) void loadOlder();
  };

  const isModerator = room.me.role === 'moderator';
  const typists = Object.values(room.typing).map((t) => t.name);
  // Upvotes: contributors and observers, on questions still waiting for the tutor.
  const canVote = (room.me.role === 'contributor' || room.me.role === 'observer') && room.session.status === 'active';
  const waiting = new Set(room.queue.map((q) => q.message_id));
  const showVotes = room.session.turn_policy === 'votes';
  // Held questions wait in the moderator's inbox and on their author's own card, not in the conversation.
  const shown = room.messages.filter((m) => !(m.held && m.approval === 'waiting'));
  // For each answer, the questions it replies to (stable while an answer streams, so lines above do not re-render).
  const repliesTo = useMemo(() => {
    const byId = new Map(room.messages.map((m) => [m.id, m]));
    const map = new Map<string, Array<{ name: string; text: string }>>();
    for (const m of room.messages) {
      if (m.role === 'assistant' && m.reply_to?.length)
        map.set(
          m.id,
          m.reply_to.map((id) => ({
            name: byId.get(id)?.author_name ?? t('room.someone'),
            text: byId.get(id)?.content ?? '',
          })),
        );
    }
    return map;
  }, [room.messages, t]);

  return (
    <div className="conversation" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label={t('message.history')}>
      {room.hasMore && (
        <button type="button" className="load-older" onClick={() => void loadOlder()} disabled={loading}>
          {loading ? t('message.loadingOlder') : t('message.loadOlder')}
        </button>
      )}
      {loadError && (
        <p role="alert" className="error">
          {loadError}
        </p>
      )}
      {room.messages.length === 0 && !room.streaming && <p className="empty">{t('message.none')}</p>}
      <ol className="messages" data-testid="conversation">
        {shown.map((message) => (
          <MessageItem
            key={message.id}
            message={message}
            role={authorRole(room, message)}
            mine={message.author_id === room.me.user_id}
            canDelete={isModerator}
            votable={canVote && waiting.has(message.id) && message.author_id !== room.me.user_id}
            showVotes={showVotes || (message.votes ?? 0) > 0}
            answers={repliesTo.get(message.id)}
            actions={actions}
            act={act}
          />
        ))}
        {room.streaming && (
          <li className="message assistant streaming" data-testid="streaming" aria-busy="true">
            <div className="message-head">
              <span className="author">{room.session.agent.name}</span>
              <span className="badge role-tutor">{t('message.tutor')}</span>
              <span className="status-note">
                {room.streaming.content
                  ? t('message.answeringFor', { name: nameOf(room, room.streaming.triggered_by) })
                  : t('message.thinkingFor', { name: nameOf(room, room.streaming.triggered_by) })}
              </span>
            </div>
            <StreamingContent text={room.streaming.content} />
          </li>
        )}
      </ol>
      <p className="typing" data-testid="typing">
        {typists.length > 0 &&
          typists.length <= 2 &&
          t('message.typing', { count: typists.length, names: formatList(typists) })}
        {typists.length > 2 && t('message.manyTyping', { count: typists.length })}
      </p>
    </div>
  );
}

interface MessageItemProps {
  message: WireMessage;
  role: AuthorKind;
  mine: boolean;
  canDelete: boolean;
  votable: boolean;
  showVotes: boolean;
  /** On an answer: the questions it replies to. */
  answers?: Array<{ name: string; text: string }>;
  actions: RoomActions;
  act: Act;
}

/** One line of the conversation. Memoised: a streaming answer re-renders only itself, not every line above it. */
const MessageItem = memo(function MessageItem({
  message,
  role,
  mine,
  canDelete,
  votable,
  showVotes,
  answers,
  actions,
  act,
}: MessageItemProps) {
  const { t } = useTranslation();
  const [voted, setVoted] = useState(false);
  const [voteError, setVoteError] = useState<string | null>(null);
  const upvote = async () => {
    setVoteError(null);
    try {
      await actions.upvote(message.id);
      setVoted(true);
    } catch (failure) {
      setVoteError(describeError(failure));
    }
  };
  const remove = async () => {
    if (!window.confirm(t('message.deleteConfirm'))) return;
    await act(t('message.deleted', { name: message.author_name }), () =>
      actions.moderate({ action: 'delete_message', message_id: message.id }),
    );
  };
  const note = message.visibility === 'staff' && !message.held;
  const classes = [
    'message',
    message.role,
    mine ? 'mine' : '',
    message.status !== 'complete' ? message.status : '',
    note ? 'staff' : '',
    message.approval === 'dismissed' ? 'dismissed' : '',
  ];
  const when = formatTime(message.timestamp);
  return (
    <li
      className={classes.filter(Boolean).join(' ')}
      data-testid="message"
      data-seq={message.seq}
      data-status={message.status}
    >
      <div className="message-head">
        <span className="author">{message.author_name}</span>
        <span className={`badge role-${role}`}>{authorKindWords(role)}</span>
        <time dateTime={message.timestamp}>{when}</time>
        {note && <span className="badge staff">{t('message.staffOnly')}</span>}
        {message.anonymous && (
          <span className="badge">{mine ? t('message.anonymousToClassmates') : t('message.anonymous')}</span>
        )}
        {message.approval === 'dismissed' && (
          <span className="badge danger" data-testid="dismissed">
            {message.dismiss_reason
              ? t('message.dismissedBecause', { reason: message.dismiss_reason })
              : t('message.dismissed')}
          </span>
        )}
        {message.not_answered === 'session_closed' && <span className="badge">{t('message.notAnswered')}</span>}
        {message.status === 'cancelled' && <span className="badge warn">{t('message.stopped')}</span>}
        {message.status === 'failed' && <span className="badge danger">{t('message.failed')}</span>}
        {message.cut_off === 'max_answer_tokens' && <span className="badge warn">{t('message.cutOff')}</span>}
        {message.held && !message.approval && message.role !== 'system' && (
          <span className="badge warn" data-testid="held-for-review">
            {mine ? t('message.heldMine') : t('message.held')}
          </span>
        )}
        {message.held && message.role === 'system' && (
          <span className="badge">{mine ? t('message.justForYou') : t('message.forAddressee')}</span>
        )}
        {message.safety?.status === 'flagged' && (
          <span className="badge warn" data-testid="safety-flagged">
            {t('message.flagged')}
          </span>
        )}
        {message.safety?.status === 'not_checked' && (
          <span className="badge" data-testid="safety-not-checked" title={t('message.notCheckedWhy')}>
            {t('message.notChecked')}
          </span>
        )}
        {canDelete && !message.deleted && (
          <button
            type="button"
            className="icon-button"
            onClick={() => void remove()}
            aria-label={t('message.deleteLabel', { name: message.author_name, time: when, seq: message.seq })}
          >
            {t('message.delete')}
          </button>
        )}
        {(showVotes || votable) && message.role === 'user' && (
          <span className="votes">
            <span data-testid="votes" aria-label={t('message.upvotes', { count: message.votes ?? 0 })}>
              ▲ {formatNumber(message.votes ?? 0)}
            </span>
            {votable && (
              <button
                type="button"
                className="icon-button"
                onClick={() => void upvote()}
                disabled={voted}
                aria-pressed={voted}
                aria-label={t('message.upvoteLabel', { name: message.author_name, time: when })}
              >
                {voted ? t('message.upvoted') : t('message.upvote')}
              </button>
            )}
          </span>
        )}
        {voteError && (
          <span role="alert" className="error">
            {voteError}
          </span>
        )}
      </div>
      {message.role === 'assistant' && (answers?.length || message.schedule_reason) && (
        <details className="why" data-testid="why">
          <summary>{t('message.why')}</summary>
          {answers && answers.length > 0 && (
            <p>
              {answers.length === 1 ? t('message.answersOne') : t('message.answersMany', { count: answers.length })}
              {answers.map((a, i) => (
                <span key={i}>
                  {i > 0 && '; '}
                  <strong>{a.name}</strong>
                  {a.text && <>: “{a.text.length > 80 ? `${a.text.slice(0, 77)}…` : a.text}”</>}
                </span>
              ))}
              .
            </p>
          )}
          {message.schedule_reason && <p>{reasonInWords(message.schedule_reason)}.</p>}
        </details>
      )}
      {message.deleted ? (
        <div className="content deleted">{t('message.deletedByModerator')}</div>
      ) : (
        <div className="content" dir="auto">
          {message.content ? (
            message.role === 'system' ? (
              message.content
            ) : (
              <Rich text={message.content} />
            )
          ) : message.status === 'cancelled' ? (
            t('message.stoppedEmpty')
          ) : (
            ''
          )}
        </div>
      )}
    </li>
  );
});

/** The answer being written, rendered a few times a second as it grows (the last render is the whole text). */
function StreamingContent({ text }: { text: string }) {
  const shown = useThrottled(text, 150);
  return (
    <div className="content" dir="auto" data-testid="streaming-content" data-length={text.length}>
      {shown && <Rich text={shown} />}
      <span className="cursor" aria-hidden="true" />
    </div>
  );
}

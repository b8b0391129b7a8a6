import { memo, useLayoutEffect, useRef, useState } from 'react';
import type { Act } from './moderator-console.js';
import type { WireMessage } from '../../../sdk/roundtable-client.js';
import { nameOf, type RoomState } from '../state/room-state.js';
import type { RoomActions } from '../state/use-room.js';
import { describeError, formatTime } from '../ui.js';

function authorRole(room: RoomState, message: WireMessage): string {
  if (message.role === 'assistant') return 'tutor';
  if (message.role === 'system') return 'system';
  return (message.author_id && room.members[message.author_id]?.role) || 'former member';
}

/** The conversation, oldest first, the answer being written last; older pages load on scroll-up. */
export function Conversation({ room, actions, act }: { room: RoomState; actions: RoomActions; act: Act }) {
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

  return (
    <div className="conversation" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label="Message history">
      {room.hasMore && (
        <button type="button" className="load-older" onClick={() => void loadOlder()} disabled={loading}>
          {loading ? 'Loading older messages…' : 'Load older messages'}
        </button>
      )}
      {loadError && (
        <p role="alert" className="error">
          {loadError}
        </p>
      )}
      {room.messages.length === 0 && !room.streaming && <p className="empty">No messages yet. Ask the tutor something to begin.</p>}
      <ol className="messages" data-testid="conversation">
        {room.messages.map((message) => (
          <MessageItem
            key={message.id}
            message={message}
            role={authorRole(room, message)}
            mine={message.author_id === room.me.user_id}
            canDelete={isModerator}
            actions={actions}
            act={act}
          />
        ))}
        {room.streaming && (
          <li className="message assistant streaming" data-testid="streaming" aria-busy="true">
            <div className="message-head">
              <span className="author">{room.session.agent.name}</span>
              <span className="badge role-tutor">tutor</span>
              <span className="status-note">
                {room.streaming.content ? 'answering' : 'thinking for'} {nameOf(room, room.streaming.triggered_by)}…
              </span>
            </div>
            <div className="content" data-testid="streaming-content">
              {room.streaming.content}
              <span className="cursor" aria-hidden="true" />
            </div>
          </li>
        )}
      </ol>
      <p className="typing" data-testid="typing">
        {typists.length === 1 && `${typists[0]} is typing…`}
        {typists.length === 2 && `${typists[0]} and ${typists[1]} are typing…`}
        {typists.length > 2 && `${typists.length} people are typing…`}
      </p>
    </div>
  );
}

interface MessageItemProps {
  message: WireMessage;
  role: string;
  mine: boolean;
  canDelete: boolean;
  actions: RoomActions;
  act: Act;
}

/** One line of the conversation. Memoised: a streaming answer re-renders only itself, not every line above it. */
const MessageItem = memo(function MessageItem({ message, role, mine, canDelete, actions, act }: MessageItemProps) {
  const remove = async () => {
    if (!window.confirm('Delete this message for everyone?')) return;
    await act(`Deleted the message from ${message.author_name}`, () => actions.moderate({ action: 'delete_message', message_id: message.id }));
  };
  const classes = ['message', message.role, mine ? 'mine' : '', message.status !== 'complete' ? message.status : '', message.visibility === 'staff' ? 'staff' : ''];
  return (
    <li className={classes.filter(Boolean).join(' ')} data-testid="message" data-seq={message.seq} data-status={message.status}>
      <div className="message-head">
        <span className="author">{message.author_name}</span>
        <span className={`badge role-${role.replace(' ', '-')}`}>{role}</span>
        <time dateTime={message.timestamp}>{formatTime(message.timestamp)}</time>
        {message.visibility === 'staff' && <span className="badge staff">staff only</span>}
        {message.status === 'cancelled' && <span className="badge warn">answer stopped</span>}
        {message.status === 'failed' && <span className="badge danger">failed</span>}
        {canDelete && !message.deleted && (
          <button type="button" className="icon-button" onClick={() => void remove()} aria-label={`Delete the message from ${message.author_name} at ${formatTime(message.timestamp)}`}>
            Delete
          </button>
        )}
      </div>
      {message.deleted ? (
        <div className="content deleted">This message was deleted by a moderator.</div>
      ) : (
        <div className="content">{message.content || (message.status === 'cancelled' ? '(stopped before any text)' : '')}</div>
      )}
    </li>
  );
});

// One live room: a RoundtableClient (the typed SDK) feeding the pure reducer.
// The SDK delivers durable events once and in seq order, and after a dropped
// connection re-joins with last_seq; this hook turns that into React state,
// a connection status for the banner, and announcements for screen readers.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import {
  EPHEMERAL_EVENT_TYPES,
  isStaff,
  RoundtableClient,
  RoundtableError,
  type DurableEvent,
  type EphemeralEvent,
  type FlagAction,
  type ModerateCommand,
} from '../../../../../sdk/roundtable-client.js';
import { api } from '../../../lib/api.js';
import { t } from '../../../lib/i18n.js';
import { roleName } from '../../../lib/forms.js';
import { freshRateWindow, refusedFor, spendToken, type RateWindow } from './composer-state.js';
import { nameOf, roomFromSnapshot, roomReducer, type RoomAction, type RoomState } from './room-state.js';

export type Connection = 'connecting' | 'connected' | 'reconnecting' | 'reconnected';

export interface RoomError {
  code: string;
  message: string;
}

function reducer(state: RoomState | null, action: RoomAction): RoomState | null {
  if (!state) return action.kind === 'snapshot' ? roomFromSnapshot(action.state) : null;
  return roomReducer(state, action);
}

/** What a screen reader hears when a durable event arrives; null for nothing. */
function announcement(room: RoomState, event: DurableEvent): string | null {
  switch (event.type) {
    case 'new_message': {
      const m = event.message;
      if (m.author_id === room.me.user_id) return null;
      if (m.role === 'assistant') {
        if (m.status === 'complete') return t('announce.answered', { name: room.session.agent.name, text: m.content });
        return t('announce.answeredStatus', {
          name: room.session.agent.name,
          status: t(`announce.status.${m.status}`),
          text: m.content,
        });
      }
      return t('announce.message', { name: m.author_name, text: m.content });
    }
    case 'turn_granted':
      return event.user_id === room.me.user_id
        ? t('announce.yourFloor')
        : event.user_id
          ? t('announce.floor', { name: nameOf(room, event.user_id) })
          : null;
    case 'member_removed':
      return event.user_id === room.me.user_id
        ? t('announce.removed')
        : t('announce.left', { name: nameOf(room, event.user_id) });
    case 'session_closed':
      return t('announce.closed');
    case 'member_updated':
      return event.user_id === room.me.user_id && event.role !== room.me.role
        ? t('announce.role', { role: roleName(event.role) })
        : null;
    default:
      return null;
  }
}

/** `display`: a moderator's read-only display screen (the projector): not a participant, shows what everyone may see. */
export function useRoom(sessionId: string, token: string | null, attempt = 0, options: { display?: boolean } = {}) {
  const display = options.display === true;
  const [room, dispatch] = useReducer(reducer, null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [error, setError] = useState<RoomError | null>(null);
  const [announced, setAnnounced] = useState<Array<{ id: number; text: string }>>([]);
  const [rate, setRate] = useState<RateWindow>(() => freshRateWindow(0, Date.now()));
  const roomRef = useRef<RoomState | null>(null);
  roomRef.current = room;
  const clientRef = useRef<RoundtableClient | null>(null);
  const typingSentAt = useRef(0);

  useEffect(() => {
    if (!token) return;
    const client = new RoundtableClient({
      url: window.location.origin,
      token,
      socketOptions: { reconnectionDelay: 500, reconnectionDelayMax: 3000 },
    });
    clientRef.current = client;
    let disposed = false;
    let reconnectedTimer: ReturnType<typeof setTimeout> | undefined;

    // After a drop: "Reconnected" for a moment, once the missed events are applied.
    const caughtUp = (afterDrop: boolean) => {
      setConnection((c) => (afterDrop || c === 'reconnecting' ? 'reconnected' : c));
      clearTimeout(reconnectedTimer);
      reconnectedTimer = setTimeout(() => setConnection((c) => (c === 'reconnected' ? 'connected' : c)), 3000);
    };
    client.onSnapshot((state) => {
      if (state.session_id !== sessionId) return;
      dispatch({ kind: 'snapshot', state });
      caughtUp(false); // a re-join too far behind to replay answers with a fresh snapshot
    });
    client.onDurable((event) => {
      if (event.session_id !== sessionId) return;
      const current = roomRef.current;
      const said = current ? announcement(current, event) : null;
      if (said) setAnnounced((list) => [...list.slice(-4), { id: event.seq, text: said }]);
      dispatch({ kind: 'durable', event });
      // Made staff (or no longer): a fresh snapshot brings what the new role reads (the whole roster, the notes).
      const me = current?.me;
      if (
        event.type === 'member_updated' &&
        me &&
        event.user_id === me.user_id &&
        isStaff(event.role) !== isStaff(me.role)
      )
        void client.join(sessionId, { display, presence: 'batched' }).catch(() => undefined);
    });
    client.onResume((state) => {
      dispatch({ kind: 'resumed', state });
      caughtUp(true);
    });
    client.onResyncFailed((_id, failure) => {
      if (failure instanceof RoundtableError) {
        if (failure.code === 'not_member' || failure.code === 'forbidden')
          dispatch({ kind: 'ephemeral', event: { type: 'kicked', session_id: sessionId } });
        else setError({ code: failure.code, message: failure.message });
      } else if (!disposed) {
        setTimeout(() => client.connected && void client.resume(sessionId), 1000); // timed out: try again
      }
    });
    for (const type of EPHEMERAL_EVENT_TYPES) {
      client.on(type, (event: EphemeralEvent) => {
        if (event.session_id === sessionId) dispatch({ kind: 'ephemeral', event });
      });
    }
    client.socket.on('disconnect', () => {
      if (!disposed) setConnection('reconnecting');
    });
    client.socket.on('connect', () => {
      // The SDK re-joins with last_seq by itself; onResume says when it is done.
      setConnection((c) => (c === 'connecting' ? 'connected' : c));
    });

    client
      .connect()
      .then(() => client.join(sessionId, { display, presence: 'batched' }))
      .then(() => setConnection('connected'))
      .catch((failure: unknown) => {
        if (disposed) return;
        if (failure instanceof RoundtableError) setError({ code: failure.code, message: failure.message });
        else
          setError({
            code: (failure as Error).message === 'unauthorized' ? 'unauthorized' : 'offline',
            message: (failure as Error).message,
          });
      });

    const sweep = setInterval(() => dispatch({ kind: 'typing_expired', now: Date.now() }), 1000);
    return () => {
      disposed = true;
      clearInterval(sweep);
      clearTimeout(reconnectedTimer);
      client.close();
      clientRef.current = null;
    };
  }, [sessionId, token, attempt, display]);

  // The first snapshot, and a new or changed limit, start a full bucket (as the server does when the
  // setting changes); a re-join keeps what was spent, as the server's bucket does.
  const limitKey = room ? JSON.stringify(room.session.rate_limit) : '';
  useEffect(() => {
    if (limitKey) setRate(freshRateWindow(roomRef.current?.session.rate_limit?.messages ?? 0, Date.now()));
  }, [limitKey]);

  const send = useCallback(
    async (content: string, visibility: 'all' | 'staff' = 'all', anonymous = false) => {
      const client = clientRef.current;
      if (!client) throw new Error(t('errors.notConnected'));
      typingSentAt.current = 0;
      try {
        const message = await client.send(sessionId, content, {
          ...(visibility === 'staff' ? { visibility } : {}),
          ...(anonymous ? { anonymous } : {}),
        });
        if (visibility === 'all')
          setRate((r) => spendToken(r, roomRef.current?.session.rate_limit ?? null, Date.now()));
        return message;
      } catch (failure) {
        if (failure instanceof RoundtableError && failure.code === 'rate_limited' && failure.retryAfterMs) {
          setRate(refusedFor(failure.retryAfterMs, Date.now()));
        }
        throw failure;
      }
    },
    [sessionId],
  );

  const typing = useCallback(
    (active: boolean) => {
      const client = clientRef.current;
      if (!client?.connected) return;
      const now = Date.now();
      if (active && now - typingSentAt.current > 2000) {
        typingSentAt.current = now;
        client.typingStart(sessionId).catch(() => undefined);
      } else if (!active && typingSentAt.current) {
        typingSentAt.current = 0;
        client.typingStop(sessionId).catch(() => undefined);
      }
    },
    [sessionId],
  );

  const loadOlder = useCallback(async () => {
    const client = clientRef.current;
    const current = roomRef.current;
    if (!client || !current || !current.hasMore) return;
    const before = current.messages[0]?.seq ?? current.seq + 1;
    const page = await client.loadHistory(sessionId, before, 30);
    dispatch({ kind: 'history', messages: page.messages, hasMore: page.has_more });
  }, [sessionId]);

  const actions = useMemo(
    () => ({
      send,
      typing,
      loadOlder,
      raiseHand: (note?: string) => clientRef.current!.raiseHand(sessionId, note),
      lowerHand: () => clientRef.current!.lowerHand(sessionId),
      upvote: (messageId: string) => clientRef.current!.upvote(sessionId, messageId),
      moderate: (command: ModerateCommand) => clientRef.current!.moderate({ ...command, session_id: sessionId }),
      /** Moderators: the session's flags so far (live ones arrive as events). */
      loadFlags: async () => {
        const answer = await api(token).flags(sessionId);
        dispatch({ kind: 'flags', flags: answer.flags.map((f) => ({ ...f, seq: 0 })) });
      },
      resolveFlag: (flagId: string, action: FlagAction, note?: string) =>
        api(token).resolveFlag(sessionId, flagId, action, note),
    }),
    [send, typing, loadOlder, sessionId, token],
  );

  return { room, connection, error, announced, rate, actions };
}

export type RoomActions = ReturnType<typeof useRoom>['actions'];

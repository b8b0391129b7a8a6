// The wire contract (docs/PROTOCOL.md), as types. Framework-free on purpose:
// the server, the TypeScript SDK (client/sdk) and the web client all import it,
// so a change here is a change to every party at once.

export const ROLES = ['moderator', 'contributor', 'observer'] as const;
export type Role = (typeof ROLES)[number];
/** Staff (moderators and observers) read private notes (section 3.1) and the whole roster. */
export const isStaff = (role: Role): boolean => role === 'moderator' || role === 'observer';

export const TURN_POLICIES = ['fifo', 'round_robin', 'hand_raise', 'merge', 'moderated', 'votes'] as const;
export type TurnPolicy = (typeof TURN_POLICIES)[number];

export const RESPONDS_TO = ['all', 'mentions'] as const;
export type RespondsTo = (typeof RESPONDS_TO)[number];

export const GUEST_ROLES = ['contributor', 'observer'] as const;
export type GuestRole = (typeof GUEST_ROLES)[number];

/**
 * Why a sign-in with a school identity provider was refused: sent back to /login as
 * `sign_in_error_code` (with `sign_in_provider`, and `sign_in_domains` for `domain`) beside the
 * English sentence, so a client can say it in its own language.
 */
export const SIGN_IN_REFUSALS = [
  'unreachable',
  'provider_refused',
  'expired',
  'unconfirmed',
  'domain',
  'unverified_email',
] as const;
export type SignInRefusal = (typeof SIGN_IN_REFUSALS)[number];

export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'not_member',
  'rate_limited',
  'not_your_turn',
  'muted',
  'session_locked',
  'session_closed',
  'too_large',
  'conflict',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Longest message content accepted, in characters; longer gets `too_large`. */
export const MAX_CONTENT_LENGTH = 8000;
/** A typing indicator not refreshed within this many milliseconds is cleared by the server. */
export const TYPING_TIMEOUT_MS = 5000;
/** How many messages a snapshot carries. */
export const SNAPSHOT_MESSAGES = 50;

export interface WireError {
  code: ErrorCode;
  message: string;
  retry_after_ms?: number;
}

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: WireError };

/** What a `moderate` ack carries besides `ok`, by action (PROTOCOL.md section 6); most carry nothing. */
export interface ModerateResult {
  /** `rotate_join_code` (the new code), `disable_join_code` (null), and a `kick` with `ban` that rotated a guest's code. */
  join_code?: string | null;
  /** `mute`: how many of the member's waiting questions left the queue. */
  withdrawn?: number;
  /** `unmute` with `restore_questions`: how many came back. */
  restored?: number;
  /** `approve_all`, `dismiss_all`: how many were decided. */
  count?: number;
}

export interface WireUser {
  id: string;
  display_name: string;
  email?: string;
  is_admin: boolean;
  /** Extension: set for guests, the one session their token is good for. */
  guest_session_id?: string;
}

export interface WireSession {
  id: string;
  title: string;
  status: 'active' | 'closed';
  turn_policy: TurnPolicy;
  auto_grant: boolean;
  agent: {
    name: string;
    instructions: string;
    model: string | null;
    responds_to: RespondsTo;
    paused: boolean;
    /** Extension: the longest answer in tokens (null: the server's MAX_ANSWER_TOKENS). */
    max_answer_tokens: number | null;
    /** Extension: the class's language (BCP 47, e.g. es, ar): the tutor answers in it (null: in the question's). */
    language: string | null;
  };
  rate_limit: { messages: number; per_seconds: number } | null;
  guest_role: GuestRole;
  /** Extension: new guests wait until a moderator admits them. */
  waiting_room: boolean;
  /** Extension: contributors may ask "anonymously to classmates" (staff still see who). */
  anonymous_questions: boolean;
  /** Extension: what the safety check does per category (docs/SAFETY.md). */
  safety: SafetySettings;
  /** Extension: the class is of minors: the tutor follows age-appropriate rules. */
  minors: boolean;
  /** Extension: phone numbers, e-mail and street addresses are masked before a message reaches the model. */
  redact_personal_data: boolean;
  /** Extension: days after closing that the session is purged (null: the server's RETENTION_DAYS). */
  retention_days: number | null;
  /** Shown to moderators and admins only; null for others and when guest joining is disabled. */
  join_code: string | null;
  locked: boolean;
  floor_user_id: string | null;
  created_by: string;
  created_at: string;
  closed_at: string | null;
  last_seq: number;
  /** Extension, in session lists: members and questions asked so far. */
  stats?: { members: number; questions: number };
}

export type MessageRole = 'user' | 'assistant' | 'system';
export type MessageStatus = 'complete' | 'cancelled' | 'failed';

export interface WireMessage {
  id: string;
  seq: number;
  role: MessageRole;
  content: string;
  author_id: string | null;
  author_name: string;
  timestamp: string;
  reply_to?: string[];
  status: MessageStatus;
  /** Extension: "staff" for private notes. */
  visibility: 'all' | 'staff';
  /** Extension: the author's client_msg_id, so a sender can match its own echo. */
  client_msg_id?: string | null;
  /** Extension: a deleted message keeps its place as a tombstone with empty content. */
  deleted?: boolean;
  /** Extension: on assistant messages, why the scheduler answered this next. */
  schedule_reason?: string;
  /**
   * Extension, on questions a moderator decides on: `waiting` for approval
   * (seen by its author and staff only while it is held), or `dismissed`.
   */
  approval?: 'waiting' | 'dismissed';
  /** Extension: why a moderator dismissed it (its author and staff). */
  dismiss_reason?: string;
  /** Extension: the question ended without an answer, and why (`session_closed`). */
  not_answered?: 'session_closed';
  /** Extension: upvotes on a question (present once it has one). */
  votes?: number;
  /** Extension: asked anonymously to classmates; peers read author_id null and "A student". */
  anonymous?: boolean;
  /**
   * Extension: a question held for a moderator's approval (`moderated`): only
   * its author and moderators read it (visibility reads "staff"), until approval.
   */
  held?: boolean;
  /** Extension, on answers: the length cap cut it short. */
  cut_off?: 'max_answer_tokens';
  /** Extension: on a held question revealed by approval, the moderator who approved it. */
  approved_by?: string;
  /**
   * Extension, moderators only: what the safety check found. `held` (only its author and
   * moderators read it, and the tutor does not, until a moderator releases it), `flagged`
   * (shown, staff alerted), or `not_checked` (the classifier failed; the message went on).
   */
  safety?: { status: 'flagged' | 'held' | 'not_checked'; flag_id?: string };
}

/** Extension: the safety check's categories (docs/SAFETY.md). */
export const SAFETY_CATEGORIES = [
  'self_harm',
  'violence',
  'sexual',
  'harassment',
  'profanity',
  'personal_data',
] as const;
export type SafetyCategory = (typeof SAFETY_CATEGORIES)[number];
export type SafetyMode = 'off' | 'flag' | 'hold';
export type SafetySettings = Record<SafetyCategory, SafetyMode>;
export type SafetySeverity = 'low' | 'medium' | 'high';
export interface SafetyFinding {
  category: SafetyCategory;
  severity: SafetySeverity;
  /** The provider's score (0-1), where it gives one. */
  score?: number;
}
export type FlagResolution = 'released' | 'hidden' | 'dismissed';
/** POST /sessions/:id/flags/:flag_id/resolve: what a moderator does with a flag (a note resolves nothing). */
export type FlagAction = 'release' | 'hide' | 'dismiss' | 'note';

/** Extension: a safety flag as moderators and platform admins read it over REST. */
export interface WireFlag {
  flag_id: string;
  session_id: string;
  message_id: string;
  /** The message's author; null for a tutor answer. */
  author_id: string | null;
  author_name: string;
  /** `message` (a person's) or `answer` (the tutor's). */
  source: 'message' | 'answer';
  categories: SafetyFinding[];
  severity: SafetySeverity | null;
  /** `held`, `flagged`, or `not_checked` (the classifier failed). */
  action: 'flagged' | 'held' | 'not_checked';
  classifier: string;
  /** The message's text, for moderators (empty once hidden, erased or purged). */
  content: string;
  status: 'open' | FlagResolution;
  resolved_by: string | null;
  resolved_at: string | null;
  note: string | null;
  created_at: string;
}

export interface WireMember {
  user_id: string;
  display_name: string;
  role: Role;
  muted_until: string | null;
  online: boolean;
  /** Extension, staff only: in the waiting room. */
  waiting?: boolean;
  /** Extension: joined with the code as a guest (no account), so anyone can tell a guest "Amira" from a signed-in one. */
  guest?: boolean;
  /** Extension: their share of the tutor's time under round_robin (1-4), when not 1. */
  weight?: number;
}

/**
 * Extension: how a joined connection hears of arrivals and departures. `each` (the default): one
 * `participant_joined` or `participant_left` per change; `batched`: one `participants_changed` for
 * what changed since the last one (at most every 50 ms in a large room).
 */
export const PRESENCE_MODES = ['each', 'batched'] as const;
export type PresenceMode = (typeof PRESENCE_MODES)[number];

export interface WireParticipant {
  user_id: string;
  name: string;
  role: Role;
}

export interface WireHand {
  user_id: string;
  name: string;
  note: string | null;
  raised_at: string;
}

export interface WireQueueEntry {
  message_id: string;
  /** Null for another viewer's anonymous question (staff and its author see who). */
  user_id: string | null;
  /** Extension: the estimated wait until its answer starts, from recent answer times. */
  wait_ms?: number;
  /** Extension: upvotes (present under the `votes` policy and once it has one). */
  votes?: number;
}

/** GET /sessions/:id/queue: what the agent will answer, in order, and why. */
export interface QueueExplanation {
  policy: TurnPolicy;
  queue: Array<WireQueueEntry & { position: number; seq: number; author_name: string }>;
  /** Staff only (and a contributor's own): questions held for a moderator's approval. */
  awaiting_approval: Array<{ message_id: string; user_id: string }>;
  floor_user_id: string | null;
  explanation: string;
}

export type AgentStatus = 'idle' | 'thinking' | 'streaming' | 'paused';

export interface WireAgentState {
  status: AgentStatus;
  triggered_by?: string;
  message_id?: string;
  /** The answer streamed so far, for a participant who joins mid-answer. */
  partial_content?: string;
}

/** Extension: GET /sessions/:id/participation. */
/** One person's part in a session, as a teacher reads it. */
export interface PersonParticipation {
  user_id: string;
  name: string;
  role: string;
  guest: boolean;
  /** Removed (or banned) since. */
  removed: boolean;
  asked: number;
  answered: number;
  /** Queued, being answered, or waiting for approval now. */
  waiting: number;
  /** From question to the answer's arrival, over answered questions; null before any. */
  wait_median_ms: number | null;
  wait_max_ms: number | null;
  tokens: number;
  hands_raised: number;
  hands_granted: number;
  times_muted: number;
}

export interface Participation {
  totals: Omit<PersonParticipation, 'user_id' | 'name' | 'role' | 'guest' | 'removed'> & { people: number };
  people: PersonParticipation[];
}

// ---- server -> client events -------------------------------------------------

interface Base<T extends string> {
  type: T;
  session_id: string;
}
interface Durable<T extends string> extends Base<T> {
  seq: number;
}

export interface SessionStateEvent extends Base<'session_state'> {
  session: WireSession;
  you: {
    user_id: string;
    role: Role;
    /** Extension: this socket joined as a display screen (read-only, not a participant). */ display?: boolean;
  };
  seq: number;
  messages: WireMessage[];
  total_messages: number;
  has_more: boolean;
  participants: WireParticipant[];
  hands: WireHand[];
  queue: WireQueueEntry[];
  agent: WireAgentState;
  /**
   * Extension: members and their mute state, so a client can show the roster. Staff get every
   * member; contributors and display screens get those a room shows apart (staff, the muted) and
   * themselves (GET /sessions/:id/members lists everyone), and `members_complete: false`.
   */
  members?: WireMember[];
  /** Extension: whether `members` is the whole roster (false: anyone not in it is a contributor, or gone). */
  members_complete?: boolean;
}

export interface NewMessageEvent extends Durable<'new_message'> {
  message: WireMessage;
}
export interface MessageDeletedEvent extends Durable<'message_deleted'> {
  message_id: string;
  by: string;
}
export interface MemberUpdatedEvent extends Durable<'member_updated'> {
  user_id: string;
  role: Role;
  muted_until: string | null;
  /** Extension: the member's display name. */
  display_name?: string;
  /** Extension: on a guest's admission, that the seat is a guest's (no account). */
  guest?: boolean;
  /** Extension: on set_weight, the member's new weight. */
  weight?: number;
}
export interface MemberRemovedEvent extends Durable<'member_removed'> {
  user_id: string;
  banned: boolean;
  /** Extension: the moderator who removed them. */
  by?: string;
}
export interface HandRaisedEvent extends Durable<'hand_raised'> {
  user_id: string;
  note?: string;
  by?: string;
}
export interface HandLoweredEvent extends Durable<'hand_lowered'> {
  user_id: string;
  note?: string;
  by?: string;
}
export interface TurnGrantedEvent extends Durable<'turn_granted'> {
  user_id: string | null;
  by: string;
}
export interface SessionUpdatedEvent extends Durable<'session_updated'> {
  changes: Record<string, unknown>;
}
export interface SessionClosedEvent extends Durable<'session_closed'> {
  by: string;
}
export type HiddenEvent = Durable<'hidden'>;
/** Extension: a question's upvote count changed (who voted is not sent). */
export interface VotesChangedEvent extends Durable<'votes_changed'> {
  message_id: string;
  votes: number;
}
/**
 * Extension: a moderation action that has no event of its own in the base
 * protocol (approve_message, dismiss_message, cancel_agent, join code changes).
 */
export interface ModerationEvent extends Durable<'moderation'> {
  action: ModerateAction;
  by: string;
  message_id?: string;
  user_id?: string;
}

/**
 * Staff-only (moderators): a message or answer the safety check flagged; `action` is
 * `flagged` (shown, staff alerted) or `held` (its author and moderators only, not the tutor).
 */
export interface SafetyFlagEvent extends Durable<'safety_flag'> {
  flag_id: string;
  message_id: string;
  author_id: string | null;
  categories: SafetyFinding[];
  severity: SafetySeverity;
  action: 'flagged' | 'held';
  /** Extension: `message` or `answer` (the tutor's). */
  source: 'message' | 'answer';
}
/** Extension, moderators only: a moderator resolved a flag (or wrote a note on it). */
export interface SafetyFlagResolvedEvent extends Durable<'safety_flag_resolved'> {
  flag_id: string;
  message_id: string;
  status: 'open' | FlagResolution;
  note: string | null;
  by: string;
}

export type DurableEvent =
  | SafetyFlagEvent
  | SafetyFlagResolvedEvent
  | NewMessageEvent
  | MessageDeletedEvent
  | MemberUpdatedEvent
  | MemberRemovedEvent
  | HandRaisedEvent
  | HandLoweredEvent
  | TurnGrantedEvent
  | SessionUpdatedEvent
  | SessionClosedEvent
  | ModerationEvent
  | VotesChangedEvent
  | HiddenEvent;

export type DurableEventType = DurableEvent['type'];

export interface ParticipantJoinedEvent extends Base<'participant_joined'> {
  user_id: string;
  name: string;
  role: Role;
}
export interface ParticipantLeftEvent extends Base<'participant_left'> {
  user_id: string;
}
/**
 * Extension: who came and who went since the last presence frame, for a connection that joined
 * with `presence: "batched"` (in place of `participant_joined` and `participant_left`). Each user
 * is in one list, as they are now: add or replace those in `joined`, remove those in `left`.
 */
export interface ParticipantsChangedEvent extends Base<'participants_changed'> {
  joined: WireParticipant[];
  left: string[];
}
export interface TypingIndicatorEvent extends Base<'typing_indicator'> {
  user_id: string;
  is_typing: boolean;
  /** Extension: the typist's display name. */
  name?: string;
}
export interface AgentStatusEvent extends Base<'agent_status'> {
  status: AgentStatus;
  triggered_by?: string;
  message_id?: string;
}
export interface AgentDeltaEvent extends Base<'agent_delta'> {
  message_id: string;
  delta: string;
}
export interface QueueUpdatedEvent extends Base<'queue_updated'> {
  queue: WireQueueEntry[];
  /** Extension: the typical time one answer takes here now, in ms (what wait_ms is built from). */
  answer_ms?: number;
  /** Extension: why the first in line goes next, in the scheduler's words (what its answer's schedule_reason will say). */
  next_reason?: string;
}
export interface KickedEvent extends Base<'kicked'> {
  banned?: boolean;
  by?: string;
}

export type EphemeralEvent =
  | ParticipantJoinedEvent
  | ParticipantLeftEvent
  | ParticipantsChangedEvent
  | TypingIndicatorEvent
  | AgentStatusEvent
  | AgentDeltaEvent
  | QueueUpdatedEvent
  | KickedEvent;

// Every event type, checked by the compiler: a new one in the unions above cannot be forgotten here.
const DURABLE_TYPE_SET: Record<DurableEventType, true> = {
  new_message: true,
  safety_flag: true,
  safety_flag_resolved: true,
  message_deleted: true,
  member_updated: true,
  member_removed: true,
  hand_raised: true,
  hand_lowered: true,
  turn_granted: true,
  session_updated: true,
  session_closed: true,
  moderation: true,
  votes_changed: true,
  hidden: true,
};
const EPHEMERAL_TYPE_SET: Record<EphemeralEvent['type'], true> = {
  participant_joined: true,
  participant_left: true,
  participants_changed: true,
  typing_indicator: true,
  agent_status: true,
  agent_delta: true,
  queue_updated: true,
  kicked: true,
};
/** The durable event names (each carries a `seq`; PROTOCOL.md section 4.1). */
export const DURABLE_EVENT_TYPES = Object.keys(DURABLE_TYPE_SET) as readonly DurableEventType[];
/** The ephemeral event names (no `seq`; section 4.2). */
export const EPHEMERAL_EVENT_TYPES = Object.keys(EPHEMERAL_TYPE_SET) as readonly EphemeralEvent['type'][];

export type ServerEvent = SessionStateEvent | DurableEvent | EphemeralEvent;
export type ServerEventType = ServerEvent['type'];

export type ServerToClientEvents = {
  [K in ServerEventType]: (event: Extract<ServerEvent, { type: K }>) => void;
};

// ---- client -> server events -------------------------------------------------

/** A resumed join: the missed durable events, plus (extension) the ephemeral state now. */
export interface ResumedState {
  events: DurableEvent[];
  participants: WireParticipant[];
  queue: WireQueueEntry[];
  agent: WireAgentState;
}

export type JoinAck = Ack<{ state: SessionStateEvent }> | Ack<{ resumed: true } & ResumedState>;

export const MODERATE_ACTIONS = [
  'grant_turn',
  'lower_hand',
  'mute',
  'unmute',
  'set_role',
  'kick',
  'delete_message',
  'lock',
  'unlock',
  'pause_agent',
  'resume_agent',
  'cancel_agent',
  'approve_message',
  'dismiss_message',
  'set_policy',
  'set_agent',
  'rotate_join_code',
  'disable_join_code',
  'admit',
  'approve_all',
  'dismiss_all',
  'set_weight',
] as const;
export type ModerateAction = (typeof MODERATE_ACTIONS)[number];

/** The settings `set_policy` changes (any subset). */
export interface SetPolicyFields {
  turn_policy?: TurnPolicy;
  rate_limit?: { messages: number; per_seconds: number } | null;
  auto_grant?: boolean;
  /** Extension: hold new guests in a waiting room. */
  waiting_room?: boolean;
  /** Extension: let contributors ask anonymously to classmates. */
  anonymous_questions?: boolean;
  /** Extension: lower every raised hand with the switch (default: keep them). */
  clear_hands?: boolean;
  /** Extension: the safety check per category (categories left out keep theirs). */
  safety?: Partial<SafetySettings>;
  /** Extension: a class of minors (age-appropriate tutor rules). */
  minors?: boolean;
  /** Extension: mask personal data before the model reads a message. */
  redact_personal_data?: boolean;
}

/** The tutor settings `set_agent` changes (any subset). */
export interface SetAgentFields {
  instructions?: string;
  responds_to?: RespondsTo;
  /** Extension: the longest answer in tokens (null: the server's default). */
  max_answer_tokens?: number | null;
  /** Extension: the class's language, a BCP 47 tag such as es or ar (null: the tutor answers in the question's). */
  language?: string | null;
}

/** One moderator action, one shape per action (PROTOCOL.md section 6). */
export type ModerateCommand =
  | { action: 'grant_turn'; user_id: string }
  | { action: 'lower_hand'; user_id: string }
  /** No seconds: muted until unmuted. keep_questions (extension): keep their waiting questions instead of dropping them. */
  | { action: 'mute'; user_id: string; seconds?: number; keep_questions?: boolean }
  /** restore_questions (extension): bring back the questions their last mute dropped (the undo). */
  | { action: 'unmute'; user_id: string; restore_questions?: boolean }
  | { action: 'set_role'; user_id: string; role: Role }
  | { action: 'kick'; user_id: string; ban?: boolean }
  | { action: 'delete_message'; message_id: string }
  | { action: 'lock' }
  | { action: 'unlock' }
  /** stop_now (extension): stop the answer in progress too (default: it finishes). */
  | { action: 'pause_agent'; stop_now?: boolean }
  | { action: 'resume_agent'; answer_pending?: boolean }
  | { action: 'cancel_agent' }
  | { action: 'approve_message'; message_id: string }
  /** reason (extension): why, shown to the question's author. */
  | { action: 'dismiss_message'; message_id: string; reason?: string }
  | ({ action: 'set_policy' } & SetPolicyFields)
  | ({ action: 'set_agent' } & SetAgentFields)
  | { action: 'rotate_join_code' }
  | { action: 'disable_join_code' }
  /** Extension: let someone in from the waiting room. */
  | { action: 'admit'; user_id: string }
  /** Extension: approve every question held for approval. */
  | { action: 'approve_all' }
  | { action: 'dismiss_all'; reason?: string }
  /** Extension: a member's share of the tutor's time under round_robin, 1-4 (default 1). */
  | { action: 'set_weight'; user_id: string; weight: number };

/** The `moderate` event's payload: the session and one action's shape. */
export type ModeratePayload = { session_id: string } & ModerateCommand;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/**
 * Every field any action takes, all optional: what a validator sees before it knows the action
 * (the server's input class `implements` it; the server then narrows it to a ModerateCommand).
 */
export type ModerateFields = { session_id: string; action: ModerateAction } & Partial<
  UnionToIntersection<FieldsOf<ModerateCommand>>
>;
type FieldsOf<C> = C extends unknown ? Omit<C, 'action'> : never;

type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
/** Compile-time: every action of MODERATE_ACTIONS has one shape in ModerateCommand, and no shape is missing from it. */
export const MODERATE_COMMANDS_COVER_ACTIONS: Exact<ModerateAction, ModerateCommand['action']> = true;

export interface ClientToServerEvents {
  join: (
    payload: { session_id: string; last_seq?: number; display?: boolean; presence?: PresenceMode },
    ack: (answer: JoinAck) => void,
  ) => void;
  leave: (payload: { session_id: string }, ack: (answer: Ack) => void) => void;
  message: (
    payload: {
      session_id: string;
      content: string;
      client_msg_id: string;
      visibility?: 'all' | 'staff';
      anonymous?: boolean;
    },
    ack: (answer: Ack<{ message: WireMessage }>) => void,
  ) => void;
  typing_start: (payload: { session_id: string }, ack: (answer: Ack) => void) => void;
  typing_stop: (payload: { session_id: string }, ack: (answer: Ack) => void) => void;
  raise_hand: (payload: { session_id: string; note?: string }, ack: (answer: Ack) => void) => void;
  lower_hand: (payload: { session_id: string; note?: string }, ack: (answer: Ack) => void) => void;
  load_history: (
    payload: { session_id: string; before_seq: number; limit?: number },
    ack: (answer: Ack<{ messages: WireMessage[]; has_more: boolean }>) => void,
  ) => void;
  moderate: (payload: ModeratePayload, ack: (answer: Ack<ModerateResult>) => void) => void;
  upvote: (payload: { session_id: string; message_id: string }, ack: (answer: Ack<{ votes: number }>) => void) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
/** The payload a client sends with an event (the server's input classes `implements` it, so a drift fails the typecheck). */
export type ClientPayload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
export const CLIENT_EVENTS: readonly ClientEventName[] = [
  'join',
  'leave',
  'message',
  'typing_start',
  'typing_stop',
  'raise_hand',
  'lower_hand',
  'load_history',
  'moderate',
  'upvote',
];

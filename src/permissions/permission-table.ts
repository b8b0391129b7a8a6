import type { Role } from '../contract/protocol.js';

/**
 * Who may do what in a session (PROTOCOL.md section 3). The one place roles are
 * decided: REST guards and socket guards both read it, no handler checks roles
 * by hand. Platform admins act as moderators in every session.
 */
export const PERMISSIONS = {
  /** Read the session, presence, history, events, transcript; join the room. */
  read: ['moderator', 'contributor', 'observer'],
  /** Send a message to the room and the agent (subject to turn policy and rate limit). */
  send_message: ['moderator', 'contributor'],
  /** Write a private note only staff see. */
  write_note: ['moderator', 'observer'],
  typing: ['moderator', 'contributor'],
  raise_hand: ['moderator', 'contributor', 'observer'],
  /** Upvote a pending question, once (the class's voice: moderators decide instead). */
  upvote: ['contributor', 'observer'],
  /** Every moderation action, settings changes, members, audit. */
  moderate: ['moderator'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function roleAllows(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export { isStaff } from '../contract/protocol.js';

export const PERMISSION_DENIED_MESSAGES: Record<Permission, string> = {
  read: 'you may not read this session',
  send_message: 'observers can read only',
  write_note: 'only staff (moderators and observers) can write private notes',
  typing: 'observers can read only',
  raise_hand: 'you may not raise a hand here',
  upvote: 'contributors and observers upvote; moderators approve or dismiss instead',
  moderate: 'only a moderator may do that',
};

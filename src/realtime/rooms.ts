import type { Role } from '../contract/protocol.js';
import { isStaff } from '../permissions/permission-table.js';

/** Socket.IO room names. Staff and non-staff rooms exist so private notes reach staff only. */
export const rooms = {
  session: (sessionId: string) => `session:${sessionId}`,
  staff: (sessionId: string) => `session:${sessionId}:staff`,
  nonStaff: (sessionId: string) => `session:${sessionId}:others`,
  /** Moderators (and admins acting as moderators): held questions and the tutor's instructions. */
  moderators: (sessionId: string) => `session:${sessionId}:moderators`,
  user: (sessionId: string, userId: string) => `session:${sessionId}:user:${userId}`,
  /** Connections that joined with `presence: "batched"`: they hear of arrivals and departures in `participants_changed`. */
  presenceBatched: (sessionId: string) => `session:${sessionId}:presence-batched`,
  /** Every socket of one person, in any session (to close them when their tokens are revoked). */
  person: (userId: string) => `person:${userId}`,
};

/** The rooms a participant's role puts them in, besides the session's, their own and their person's. */
export function roleRooms(sessionId: string, role: Role): string[] {
  return [
    isStaff(role) ? rooms.staff(sessionId) : rooms.nonStaff(sessionId),
    ...(role === 'moderator' ? [rooms.moderators(sessionId)] : []),
  ];
}

/** Every role room of a session: a role change leaves those its new role does not give. */
export const allRoleRooms = (sessionId: string): string[] => [
  rooms.staff(sessionId),
  rooms.nonStaff(sessionId),
  rooms.moderators(sessionId),
];

/** Socket.IO room names. Staff and non-staff rooms exist so private notes reach staff only. */
export const rooms = {
  session: (sessionId: string) => `session:${sessionId}`,
  staff: (sessionId: string) => `session:${sessionId}:staff`,
  nonStaff: (sessionId: string) => `session:${sessionId}:others`,
  /** Moderators (and admins acting as moderators): held questions and the tutor's instructions. */
  moderators: (sessionId: string) => `session:${sessionId}:moderators`,
  user: (sessionId: string, userId: string) => `session:${sessionId}:user:${userId}`,
  /** Every socket of one person, in any session (to close them when their tokens are revoked). */
  person: (userId: string) => `person:${userId}`,
};

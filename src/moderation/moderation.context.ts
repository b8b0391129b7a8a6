import type { AuthUser } from '../auth/auth-user.js';
import { DomainError } from '../common/domain-error.js';
import type { SessionAccess } from '../sessions/session.mappers.js';
import type { DbTransaction } from '../persistence/transaction.js';
import type { CommittedEvent } from '../sessions/session-event-bus.js';
import type { EventAppender, Visibility } from '../sessions/session-log.service.js';
import type { AuditRepository } from './audit.repository.js';

/** Appends a moderation action's durable event and its audit row, in the same transaction. */
export async function appendAudited(
  audit: AuditRepository,
  tx: DbTransaction,
  log: EventAppender,
  entry: {
    sessionId: string;
    actor: AuthUser;
    action: string;
    type: CommittedEvent['type'];
    payload: Record<string, unknown>;
    targetUserId?: string | null;
    details?: Record<string, unknown>;
    internal?: CommittedEvent['internal'];
    /** Who may read the event (default: everyone). */
    visibility?: Visibility;
  },
): Promise<number> {
  const seq = await log.append(entry.type, entry.payload, entry.visibility ?? 'all', entry.internal);
  await audit.record(tx, {
    sessionId: entry.sessionId,
    seq,
    actorId: entry.actor.id,
    action: entry.action,
    targetUserId: entry.targetUserId,
    details: entry.details ?? entry.payload,
  });
  return seq;
}

/** Moderation changes a session; a closed one is read-only. */
export function ensureOpen(access: SessionAccess): void {
  if (access.session.status === 'closed')
    throw new DomainError('session_closed', 'this session has ended; it is read-only');
}

import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SessionLog } from '../sessions/session-log.service.js';
import { SessionRecords } from '../sessions/session-records.service.js';

/** "Muted until unmuted" is stored as this far-future instant, so clients read one field. */
export const MUTED_INDEFINITELY = new Date('9999-12-31T23:59:59.000Z');

// setTimeout cannot wait longer than ~24.8 days; longer mutes are re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ends timed mutes on time, with a `member_updated` event, also across a
 * restart: mutes are re-armed from the database at start-up, and one that
 * expired while the server was down is announced at once.
 */
@Injectable()
export class MuteScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MuteScheduler');
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly sessions: SessionRecords,
    private readonly log: SessionLog,
  ) {}

  async onApplicationBootstrap() {
    for (const member of await this.sessions.timedMutes()) {
      if (member.mutedUntil) this.schedule(member.sessionId, member.userId, member.mutedUntil);
    }
  }

  onApplicationShutdown() {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  schedule(sessionId: string, userId: string, until: Date): void {
    this.cancel(sessionId, userId);
    if (until.getTime() >= MUTED_INDEFINITELY.getTime()) return;
    const key = `${sessionId}:${userId}`;
    const delay = Math.max(0, until.getTime() - Date.now());
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        if (delay > MAX_TIMER_MS) return this.schedule(sessionId, userId, until);
        this.expire(sessionId, userId).catch((error: unknown) =>
          this.logger.error(`mute expiry failed: ${String(error)}`),
        );
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    timer.unref();
    this.timers.set(key, timer);
  }

  cancel(sessionId: string, userId: string): void {
    const key = `${sessionId}:${userId}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  private async expire(sessionId: string, userId: string) {
    await this.log.write(sessionId, async (tx, log) => {
      const member = await this.sessions.memberIn(tx, sessionId, userId);
      // Unmuted, re-muted for longer, or gone since: nothing to announce.
      if (!member || member.banned || !member.mutedUntil || member.mutedUntil.getTime() > Date.now()) return;
      await this.sessions.updateMember(tx, sessionId, userId, { mutedUntil: null });
      await log.append('member_updated', {
        user_id: userId,
        role: member.role,
        muted_until: null,
        display_name: member.displayName,
        reason: 'mute_expired',
      });
    });
  }
}

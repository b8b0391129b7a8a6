import { Inject, Injectable } from '@nestjs/common';
import { newId } from '../common/ids.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { SafetyService } from '../safety/safety.service.js';
import type { MessageRecord, SessionRecord as Session } from '../sessions/records.js';
import { LiveSessions } from '../sessions/live-sessions.service.js';
import { AgentLeases, MessageRecords, SessionRecords } from '../sessions/session-records.service.js';
import { toWireMessage } from '../sessions/session.mappers.js';
import { SessionLog } from '../sessions/session-log.service.js';
import type { Batch } from '../turns/turn-scheduler.js';
import { TurnsService } from '../turns/turns.service.js';
import { INTERRUPTS, LeaseLost, type Run } from './answer-run.js';
import { AgentRepository } from './agent.repository.js';
import type { TokenUsageFigures } from './providers/agent-provider.js';

/**
 * Stores how an answer ended, fenced by the lease: the answer (checked like a student's message),
 * a cancelled partial, or a failure notice; its questions settle or go back to pending; the floor
 * and the usage are recorded. Usually one statement, no transaction (SessionLog.writeOnce); what
 * needs a read or more (a safety flag, the floor holder answered, the in-person flag), and any
 * answer the statement did not take, is stored in one transaction that reads and decides again.
 */
@Injectable()
export class AnswerStore {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly agent: AgentRepository,
    private readonly leases: AgentLeases,
    private readonly sessions: SessionRecords,
    private readonly messages: MessageRecords,
    private readonly log: SessionLog,
    private readonly turns: TurnsService,
    private readonly safety: SafetyService,
    private readonly live: LiveSessions,
  ) {}

  /** Stores the outcome: the answer, a cancelled partial, or a failure notice; the queue moves on. */
  async finish(
    session: Session,
    batch: Batch,
    run: Run,
    failure: string | undefined,
    usage: TokenUsageFigures | undefined,
  ) {
    const ids = batch.messages.map((m) => m.id);
    const authors = [...new Set(batch.messages.map((m) => m.authorId))];
    const names = [...new Set(batch.messages.map((m) => m.authorName))].join(', ');
    // The answer is checked like a student's message; one the check flags is held from the class for a
    // moderator (who may release it), whatever the category's setting: the tutor's words are the school's.
    const failed = failure !== undefined && !run.stopReason;
    const assessment =
      !failed && run.partial.trim() && this.safety.enabled(session.safety)
        ? this.safety.assess(session.safety, await this.safety.check(run.partial))
        : undefined;
    const held = assessment?.status === 'held' || assessment?.status === 'flagged';
    const safetyStatus = held ? 'held' : (assessment?.status ?? null);
    const interrupted = INTERRUPTS.has(run.stopReason);
    const clearsInPersonFlag = !failed && !interrupted && session.humanAnsweredWhilePaused;
    const message: Pick<MessageRecord, 'role' | 'content' | 'status' | 'authorName'> = failed
      ? {
          role: 'system',
          content: `${session.agentName} could not answer ${names}: ${failure}`,
          status: 'failed',
          authorName: 'Roundtable',
        }
      : {
          role: 'assistant',
          content: run.partial,
          status: run.stopReason ? 'cancelled' : 'complete',
          authorName: session.agentName,
        };
    const truncated = !failed && run.truncated === true;
    const settles = failed ? 'failed' : interrupted ? 'requeued' : 'answered';
    const usageRow = usage && {
      id: newId(),
      sessionId: session.id,
      userId: authors[0] ?? null,
      messageId: run.messageId,
      ...usage,
    };
    if (!assessment?.status && !clearsInPersonFlag) {
      const written = await this.log.writeOnce(session.id, () => {
        const live = this.live.peek(session.id);
        // The floor holder answered: the floor is freed (and maybe granted) in the transaction below.
        if (!live || (live.session.floorUserId !== null && authors.includes(live.session.floorUserId))) return null;
        const record: MessageRecord = {
          id: run.messageId,
          sessionId: session.id,
          seq: 0,
          ...message,
          authorId: null,
          authorRole: null,
          visibility: 'all',
          clientMsgId: null,
          replyTo: ids,
          agentState: 'none',
          scheduleReason: batch.reason,
          answeredSeq: null,
          anonymous: false,
          votes: 0,
          dismissReason: null,
          truncated,
          safety: null,
          heldAgentState: null,
          createdAt: new Date(),
          deletedAt: null,
          deletedById: null,
        };
        return {
          lastSeq: live.lastSeq,
          events: [
            {
              type: 'new_message',
              visibility: 'all',
              payload: (seq) => {
                record.seq = seq;
                return { message: toWireMessage(record) };
              },
              internal: { settles },
            },
          ],
          messages: [record],
          fence: { owner: this.config.instanceId, generation: run.generation },
          settle: interrupted
            ? { ids, agentState: 'pending', answered: false }
            : { ids, agentState: failed ? 'failed' : 'answered', answered: true },
          also: usageRow && !interrupted ? [this.agent.usageRow(usageRow)] : [],
          result: () => undefined,
        };
      });
      if (written) return;
    }
    await this.log.write(session.id, async (tx, log) => {
      // The fence: an instance that no longer holds this generation of the lease stores nothing.
      if (!(await this.leases.holdsLease(tx, session.id, this.config.instanceId, run.generation)))
        throw new LeaseLost();
      const seq = await log.append(
        'new_message',
        async (seq) => {
          const created = await this.messages.create(tx, {
            id: run.messageId,
            sessionId: session.id,
            seq,
            ...message,
            replyTo: ids,
            scheduleReason: batch.reason,
            truncated,
            visibility: held ? 'held' : 'all',
            safety: safetyStatus,
          });
          return { message: toWireMessage(created) };
        },
        held ? 'moderators' : 'all',
        {
          settles,
          ...(clearsInPersonFlag ? { humanAnsweredWhilePaused: false } : {}),
        },
      );
      if (assessment?.status) {
        const flag = this.safety.flagOf(
          held ? { ...assessment, status: 'held' } : assessment,
          { sessionId: session.id, id: run.messageId, authorId: null, source: 'answer' },
          new Date(),
        );
        await this.safety.record(tx, [flag]);
        if (held) await log.append('safety_flag', this.safety.eventOf(flag), 'moderators');
      }
      if (interrupted) {
        // Interrupted, not answered: on resume the agent may take these up again.
        await this.messages.updateMany(tx, ids, { agentState: 'pending' });
        return;
      }
      await this.messages.updateMany(tx, ids, { agentState: failed ? 'failed' : 'answered', answeredSeq: seq });
      if (clearsInPersonFlag) await this.sessions.update(tx, session.id, { humanAnsweredWhilePaused: false });
      if (usageRow) await this.agent.recordUsage(tx, usageRow);
      await this.turns.releaseFloorIfAnswered(tx, log, session.id, authors);
    });
  }
}

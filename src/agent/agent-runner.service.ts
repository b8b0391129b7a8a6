import { redactSecrets } from '../common/redact-secrets.js';
import { ClusterSignals } from '../persistence/cluster-signals.js';
import { answerTokens } from '../sessions/agent-queue.js';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { WireAgentState } from '../contract/protocol.js';
import { newId } from '../common/ids.js';
import type { SessionRecord as Session } from '../sessions/records.js';
import { AgentLeases, MessageRecords } from '../sessions/session-records.service.js';
import { LiveSessions } from '../sessions/live-sessions.service.js';
import { SessionEventBus } from '../sessions/session-event-bus.js';
import { TurnsService } from '../turns/turns.service.js';
import { AnswerPrompt } from './answer-prompt.service.js';
import { INTERRUPTS, LeaseLost, type Run, type StopReason } from './answer-run.js';
import { AnswerStore } from './answer-store.service.js';
import { AgentRepository } from './agent.repository.js';
import { AGENT_PROVIDER, type AgentProvider, type TokenUsageFigures } from './providers/agent-provider.js';

class AgentTimeout extends Error {}
class BudgetSpent extends Error {}

/** The agent's lease: renewed every third of it while answering; a holder that stops renewing loses it after this. */
const LEASE_TTL_MS = 12_000;
/** How often an instance looks for answers a dead instance left (lease expired, question still answering). */
const WATCHDOG_MS = 2_000;
/** The cluster channel for "stop the answer you are streaming in this session". */
const STOP_CHANNEL = 'agent-stop';
/** The cluster channel for "I stopped: these sessions are free, answer what is pending in them". */
const HANDBACK_CHANNEL = 'agent-handback';
// A fast model streams a token every few milliseconds; people read at a far slower
// pace. Deltas are sent at most once per tick (or sooner past a size), not per token.
const DELTA_TICK_MS = 40;
const DELTA_MAX_CHARS = 1024;

/**
 * The tutor at work: for each session, answers what the scheduler says is
 * next, one batch at a time, streaming to everyone, and stores the answer as
 * one durable message. Crash-safe: what was being answered when the process
 * died is pending again at start-up and answered once.
 */
@Injectable()
export class AgentRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AgentRunner');
  private readonly runs = new Map<string, Run>();
  private readonly loops = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: Array<() => void> = [];
  private stopped = false;
  private handingBack?: Promise<void>;
  private watchdog?: NodeJS.Timeout;

  /** Sessions whose lease this instance lost mid-answer: it takes the lease back once it is free. */
  private readonly takeovers = new Set<string>();

  constructor(
    @Inject(AGENT_PROVIDER) private readonly provider: AgentProvider,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly agent: AgentRepository,
    private readonly leases: AgentLeases,
    private readonly messages: MessageRecords,
    private readonly bus: SessionEventBus,
    private readonly turns: TurnsService,
    private readonly live: LiveSessions,
    private readonly signals: ClusterSignals,
    private readonly prompts: AnswerPrompt,
    private readonly store: AnswerStore,
  ) {}

  async onApplicationBootstrap() {
    // The agent looks at a session again when a committed event added to its queue or changed its
    // settings: a signal from the log itself, not the screen-facing queue_updated.
    this.unsubscribe.push(
      this.bus.onDurable((event) => {
        const queued = event.type === 'new_message' && event.internal?.agentState === 'pending';
        const approved = event.type === 'moderation' && event.payload.action === 'approve_message';
        // A member's change can free kept questions (an unmute, a mute that ended, a restore).
        if (queued || approved || event.type === 'session_updated' || event.type === 'member_updated')
          this.kick(event.sessionId);
      }),
    );
    // A moderator on another instance stopping this instance's answer (cancel, pause and stop, close).
    await this.signals.subscribe(STOP_CHANNEL, (m) => {
      if (m.to === this.config.instanceId && typeof m.session_id === 'string')
        this.stop(m.session_id, m.reason as StopReason);
    });
    await this.signals.subscribe(HANDBACK_CHANNEL, (m) => {
      if (m.from === this.config.instanceId || !Array.isArray(m.sessions)) return;
      for (const id of m.sessions) if (typeof id === 'string') this.kick(id);
    });
    if (this.signals.clustered) {
      // Another instance that dies mid-answer renews its lease no more: within a lease's time plus
      // one period, an instance finds the lease expired with a question still being answered and takes over.
      this.watchdog = setInterval(
        () => void this.adoptOrphans().catch((error: unknown) => this.logger.warn(`lease watchdog: ${String(error)}`)),
        WATCHDOG_MS,
      );
      this.watchdog.unref();
    }
    const requeued = await this.leases.requeueInterrupted(this.config.instanceId);
    if (requeued) this.logger.log(`${requeued} message(s) interrupted by a restart are pending again`);
    for (const sessionId of await this.messages.sessionsWithPending()) this.kick(sessionId);
  }

  onApplicationShutdown() {
    return this.handBack();
  }

  /**
   * This instance is stopping: it takes up no new question, stops its answers in progress (each
   * partial stored as cancelled, its questions pending again), gives back every lease it holds
   * and tells the other instances, which answer what is pending there at once. Idempotent.
   */
  handBack(): Promise<void> {
    this.handingBack ??= (async () => {
      this.stopped = true;
      clearInterval(this.watchdog);
      for (const off of this.unsubscribe.splice(0)) off();
      for (const timer of this.retryTimers) clearTimeout(timer);
      // The answers stopped here release their leases as they end; every other lease goes below.
      const interrupted = [...this.runs.keys()];
      for (const run of this.runs.values()) {
        run.stopReason ??= 'shutdown';
        run.controller.abort(new Error('shutdown'));
      }
      await Promise.allSettled([...this.loops.values()]);
      const released = await this.leases.releaseLeasesOf(this.config.instanceId).catch((): string[] => []);
      const sessions = [...new Set([...interrupted, ...released])];
      if (sessions.length && this.signals.clustered) {
        this.logger.log(`handed back ${sessions.length} session(s) to the other instances`);
        await this.signals.publish(HANDBACK_CHANNEL, { from: this.config.instanceId, sessions }).catch(() => undefined);
      }
    })();
    return this.handingBack;
  }

  /** What a snapshot shows of the agent. */
  stateOf(session: Pick<Session, 'id' | 'agentPaused'>): WireAgentState {
    const run = this.runs.get(session.id);
    if (run)
      return {
        status: run.status,
        triggered_by: run.triggeredBy,
        message_id: run.messageId,
        partial_content: run.partial,
      };
    return { status: session.agentPaused ? 'paused' : 'idle' };
  }

  /** Stops the answer in flight (what was streamed is stored as cancelled). Returns whether one was running. */
  stop(sessionId: string, reason: StopReason): boolean {
    const run = this.runs.get(sessionId);
    if (!run) return false;
    run.stopReason = reason;
    run.controller.abort(new Error(reason));
    return true;
  }

  /**
   * Stops the answer in flight wherever it runs: here, or on the instance holding the session's
   * lease (a signal over Redis, which that instance acts on). Returns whether one was running.
   */
  async stopAnywhere(sessionId: string, reason: StopReason): Promise<boolean> {
    if (this.stop(sessionId, reason)) return true;
    if (!this.signals.clustered) return false;
    const lease = await this.leases.leaseOf(sessionId);
    if (!lease || lease.owner === this.config.instanceId || lease.until.getTime() < Date.now()) return false;
    await this.signals.publish(STOP_CHANNEL, { session_id: sessionId, reason, to: lease.owner });
    return true;
  }

  /** Answers another instance left when it died: taken over (their questions pending again) and answered here. */
  private async adoptOrphans() {
    for (const sessionId of await this.leases.orphanedAnswers(this.config.instanceId)) {
      if (this.runs.has(sessionId)) continue;
      this.takeovers.add(sessionId);
      this.kick(sessionId);
    }
  }

  /** Something changed: look at this session's queue again. */
  kick(sessionId: string): void {
    if (this.stopped) return;
    this.dirty.add(sessionId);
    if (this.loops.has(sessionId)) return;
    const loop = this.loop(sessionId)
      .catch((error: unknown) =>
        this.logger.error(
          `agent loop for ${sessionId} failed: ${error instanceof Error ? error.stack : String(error)}`,
        ),
      )
      .finally(() => {
        this.loops.delete(sessionId);
        // A kick between the loop's last look and here found the loop still registered and only
        // marked the session: it is not lost, the session is looked at again.
        if (this.dirty.has(sessionId)) this.kick(sessionId);
      });
    this.loops.set(sessionId, loop);
  }

  private async loop(sessionId: string) {
    while (this.dirty.has(sessionId) && !this.stopped) {
      this.dirty.delete(sessionId);
      while (!this.stopped && (await this.answerNext(sessionId))) {
        // one batch answered; look again
      }
    }
  }

  private retryLater(sessionId: string) {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.kick(sessionId);
    }, LEASE_TTL_MS / 3);
    timer.unref();
    this.retryTimers.add(timer);
  }

  /** Answers the next batch; false when there is nothing (more) to do now. */
  private async answerNext(sessionId: string): Promise<boolean> {
    // Everything the runner decides from is the live state (no query): the session, its queue, its members.
    const live = await this.live.get(sessionId);
    const session = live?.session;
    if (!live || !session || session.status !== 'active' || session.agentPaused) return false;
    const policy = session.turnPolicy;
    if (this.takeovers.has(sessionId)) {
      // This instance lost the lease mid-answer: it waits for the lease to be free (its holder may have died).
      const lease = await this.leases.acquireLease(sessionId, this.config.instanceId, LEASE_TTL_MS);
      if (!lease) {
        this.retryLater(sessionId);
        return false;
      }
      this.takeovers.delete(sessionId);
      await this.takeOver(sessionId, lease);
      return true;
    }
    const batch = this.turns.nextBatchOf(live);
    if (!batch) return false;
    const questionIds = batch.messages.map((m) => m.id);
    // One statement: the lease, and (when it was this instance's already) the questions marked answering.
    const lease = await this.leases.acquireLeaseAndMark(sessionId, this.config.instanceId, LEASE_TTL_MS, questionIds);
    if (!lease) {
      this.retryLater(sessionId); // another instance is answering this session
      return false;
    }
    if (lease.taken && (await this.takeOver(sessionId, lease))) return true; // the queue changed: look again
    if (this.stopped) {
      // Stopping meanwhile (the hand-back has already stopped the answers it found): start nothing.
      if (!lease.taken) await this.leases.requeueAnswering(sessionId).catch(() => 0);
      await this.leases.releaseLease(sessionId, this.config.instanceId).catch(() => undefined);
      return false;
    }
    // A lease taken just now marked nothing (what its last holder was answering was requeued first).
    if (lease.taken) await this.leases.markAnswering(questionIds);

    const run: Run = {
      messageId: newId(),
      // Who is being answered, for everyone to see: nobody, for an anonymous question.
      triggeredBy: batch.messages[0].anonymous ? undefined : batch.messages[0].authorId,
      status: 'thinking',
      partial: '',
      unsent: '',
      controller: new AbortController(),
      questionIds,
      generation: lease.generation,
    };
    this.runs.set(sessionId, run);
    this.live.claim(sessionId, questionIds);
    this.publishStatus(sessionId, run);
    // Announced on the next turn of the event loop, while the model's request is under way.
    this.publishQueueSoon(sessionId);

    // The lease is renewed while the answer runs; a renewal that finds another holder, or that keeps
    // failing past most of the lease's time, stops the answer here: it is never stored twice.
    let renewedAt = Date.now();
    const renew = setInterval(() => {
      this.leases
        .renewLease(sessionId, this.config.instanceId, run.generation, LEASE_TTL_MS)
        .then((held) => {
          if (held) renewedAt = Date.now();
          else this.loseLease(sessionId, run, 'another instance holds the lease now');
        })
        .catch((error: unknown) => {
          this.logger.warn({
            session_id: sessionId,
            msg: `lease renewal failed: ${redactSecrets(error instanceof Error ? error.message : String(error))}`,
          });
          if (Date.now() - renewedAt > (LEASE_TTL_MS * 2) / 3)
            this.loseLease(sessionId, run, 'the lease could not be renewed in time');
        });
    }, LEASE_TTL_MS / 3);
    const timeout = setTimeout(() => run.controller.abort(new AgentTimeout('timed out')), this.config.agent.timeoutMs);
    let usage: TokenUsageFigures | undefined;
    let failure: string | undefined = await this.budgetSpent(sessionId, batch.messages[0].authorId);
    try {
      if (failure) throw new BudgetSpent(failure);
      const prompt = await this.prompts.build(live, batch, policy);
      for await (const chunk of this.provider.stream({
        messages: prompt,
        model: session.agentModel ?? this.config.agent.model,
        signal: run.controller.signal,
        answering: batch.messages.length,
        maxTokens: session.maxAnswerTokens ?? this.config.agent.maxAnswerTokens,
      })) {
        if (run.controller.signal.aborted) break;
        if ('usage' in chunk) {
          usage = chunk.usage;
          continue;
        }
        if ('cut' in chunk) {
          run.truncated = true;
          continue;
        }
        if (run.status === 'thinking') {
          run.status = 'streaming';
          this.publishStatus(sessionId, run);
        }
        run.unsent += chunk.delta;
        if (run.unsent.length >= DELTA_MAX_CHARS) this.flushDeltas(sessionId, run);
        else run.flushTimer ??= setTimeout(() => this.flushDeltas(sessionId, run), DELTA_TICK_MS);
      }
      this.flushDeltas(sessionId, run);
      if (run.controller.signal.aborted) throw run.controller.signal.reason;
      if (!run.partial.trim()) failure = 'the model returned an empty answer';
    } catch (error) {
      if (error instanceof BudgetSpent) failure = error.message;
      else if (!run.stopReason)
        failure = this.describeFailure(
          run.controller.signal.reason instanceof AgentTimeout ? run.controller.signal.reason : error,
        );
    } finally {
      clearInterval(renew);
      clearTimeout(timeout);
      // Whatever the model sent before a stop or failure is broadcast before the stored message.
      this.flushDeltas(sessionId, run);
    }

    try {
      if (run.stopReason === 'lease_lost') throw new LeaseLost();
      await this.store.finish(session, batch, run, failure, usage);
    } catch (error) {
      if (!(error instanceof LeaseLost)) throw error;
      // Fenced: nothing of this answer is stored. Whoever holds the lease answers these questions once.
      this.live.forget(sessionId);
      this.takeovers.add(sessionId);
      this.retryLater(sessionId);
    } finally {
      this.runs.delete(sessionId);
      // A pause lets the answer in progress finish (or stops it, "stop now"): either way the agent is paused now.
      const paused = run.stopReason === 'pause' || this.live.peek(sessionId)?.session.agentPaused === true;
      this.bus.publishEphemeral(sessionId, {
        type: 'agent_status',
        session_id: sessionId,
        status: paused ? 'paused' : 'idle',
      });
      await this.turns.publishQueue(sessionId);
      if (this.stopped || run.stopReason === 'close')
        await this.leases.releaseLease(sessionId, this.config.instanceId).catch(() => undefined);
    }
    return !INTERRUPTS.has(run.stopReason) && run.stopReason !== 'lease_lost';
  }

  private publishQueueSoon(sessionId: string) {
    this.turns
      .publishQueue(sessionId)
      .catch((error: unknown) => this.logger.warn(`queue announcement for ${sessionId} failed: ${String(error)}`));
  }

  private loseLease(sessionId: string, run: Run, why: string) {
    if (run.stopReason) return;
    this.logger.warn({
      session_id: sessionId,
      generation: run.generation,
      msg: `stopping the answer in progress: ${why}`,
    });
    run.stopReason = 'lease_lost';
    run.controller.abort(new LeaseLost(why));
  }

  /**
   * The lease came from another holder (or back to this instance after it lost it): what that
   * holder was answering is pending again and the live state reloads, so each interrupted
   * question is answered once, here. Returns whether anything was requeued.
   */
  private async takeOver(sessionId: string, lease: { generation: number }): Promise<boolean> {
    const requeued = await this.leases.requeueAnswering(sessionId);
    if (requeued) {
      this.logger.log({
        session_id: sessionId,
        generation: lease.generation,
        msg: `took over the agent's lease: ${requeued} interrupted question(s) pending again`,
      });
      this.live.forget(sessionId);
    }
    return requeued > 0;
  }

  private flushDeltas(sessionId: string, run: Run) {
    clearTimeout(run.flushTimer);
    run.flushTimer = undefined;
    if (!run.unsent) return;
    const delta = run.unsent;
    run.unsent = '';
    run.partial += delta;
    // The tutor's time is charged as it is spent, so one long answer cannot run up a debt unseen.
    const live = this.live.peek(sessionId);
    live?.queue.chargeStreaming(run.questionIds, answerTokens(delta.length), live.weightOf);
    this.bus.publishEphemeral(sessionId, {
      type: 'agent_delta',
      session_id: sessionId,
      message_id: run.messageId,
      delta,
    });
  }

  /**
   * The operator's optional daily token budgets (UTC days), per session and per
   * person: the reason the next answer is not given, or undefined while there is budget left.
   */
  private async budgetSpent(sessionId: string, authorId: string): Promise<string | undefined> {
    const { perSessionPerDay, perUserPerDay } = this.config.agent.budgets;
    if (!perSessionPerDay && !perUserPerDay) return undefined;
    const midnight = new Date();
    midnight.setUTCHours(0, 0, 0, 0);
    const spent = await this.agent.tokensSince(sessionId, authorId, midnight);
    if (perSessionPerDay && spent.session >= perSessionPerDay)
      return "the tutor's daily budget for this session is spent; it renews at midnight UTC";
    if (perUserPerDay && spent.user >= perUserPerDay)
      return 'your daily budget of tutor answers is spent; it renews at midnight UTC';
    return undefined;
  }

  /**
   * What the room reads when an answer fails: short and generic. Provider errors
   * can carry URLs, keys and account details; those go to the log only, redacted.
   */
  private describeFailure(error: unknown): string {
    if (error instanceof AgentTimeout)
      return `no answer within ${Math.round(this.config.agent.timeoutMs / 1000)} s; a moderator can ask again`;
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn(`provider ${this.provider.name} failed: ${redactSecrets(message)}`);
    return 'the model service failed; a moderator can ask again';
  }

  private publishStatus(sessionId: string, run: Run) {
    this.bus.publishEphemeral(sessionId, {
      type: 'agent_status',
      session_id: sessionId,
      status: run.status,
      triggered_by: run.triggeredBy,
      message_id: run.messageId,
    });
  }
}

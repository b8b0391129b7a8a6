import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ClusterSignals } from '../persistence/cluster-signals.js';

/** An instance's claim that a person is connected to it lasts this long unless renewed. */
export const PRESENCE_TTL_MS = 20_000;
/** How often an instance renews its claims and looks for claims nobody renewed. */
export const PRESENCE_HEARTBEAT_MS = 5_000;

// Keys share a hash tag per session ({id}), so one session's keys stay together on a sharded Redis.
const sessionKey = (sessionId: string) => `roundtable:presence:{${sessionId}}`;
const userKeyPrefix = (sessionId: string) => `roundtable:presence:{${sessionId}}:`;
const SESSIONS_KEY = 'roundtable:presence:sessions';
/** Held by the instance that sweeps this heartbeat: one sweep per heartbeat for the whole deployment. */
const SWEEPER_KEY = 'roundtable:presence:sweeper';

/**
 * Arrive: this instance claims the person (until ARGV[2]); 1 when no other instance holds a live
 * claim, so this is their first connection anywhere.
 */
const ARRIVE = `
local live = 0
local claims = redis.call('HGETALL', KEYS[1])
for i = 1, #claims, 2 do
  if claims[i] ~= ARGV[1] and tonumber(claims[i + 1]) > tonumber(ARGV[3]) then live = live + 1 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
redis.call('SADD', KEYS[3], ARGV[6])
if live == 0 then return 1 else return 0 end`;

/** Leave: this instance drops its claim; 1 when no live claim is left, so they are gone everywhere. */
const LEAVE = `
redis.call('HDEL', KEYS[1], ARGV[1])
local claims = redis.call('HGETALL', KEYS[1])
for i = 1, #claims, 2 do
  if tonumber(claims[i + 1]) > tonumber(ARGV[2]) then return 0 end
end
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[3])
return 1`;

/** Renew: this instance's claims on the listed people (ARGV[3..]) of one session, until ARGV[2]. */
const RENEW = `
for i = 3, #ARGV do redis.call('HSET', KEYS[1] .. ARGV[i], ARGV[1], ARGV[2]) end
return 1`;

/**
 * Sweep: claims nobody renewed are dropped; the people left with none are gone everywhere and
 * returned as [session, user, session, user, ...]. Atomic, so whichever instance sweeps first
 * announces each of them, once; and only the first instance to sweep in a heartbeat (KEYS[2],
 * held for ARGV[4] ms) walks the claims at all, so their cost does not grow with the instances.
 */
const SWEEP = `
if not redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', ARGV[4]) then return {} end
local gone = {}
local sessions = redis.call('SMEMBERS', KEYS[1])
for _, sessionId in ipairs(sessions) do
  local skey = ARGV[2] .. '{' .. sessionId .. '}'
  local users = redis.call('HKEYS', skey)
  for _, userId in ipairs(users) do
    local ukey = skey .. ':' .. userId
    local claims = redis.call('HGETALL', ukey)
    local live = 0
    for i = 1, #claims, 2 do
      if tonumber(claims[i + 1]) > tonumber(ARGV[1]) then live = live + 1 else redis.call('HDEL', ukey, claims[i]) end
    end
    if live == 0 then
      redis.call('HDEL', skey, userId)
      table.insert(gone, sessionId)
      table.insert(gone, userId)
    end
  end
  if redis.call('HLEN', skey) == 0 then redis.call('SREM', KEYS[1], sessionId) end
end
return gone`;

/**
 * Who is connected to which session across every instance of a deployment (REDIS_URL), in Redis:
 * each instance claims the people connected to it, per session, and renews its claims every
 * PRESENCE_HEARTBEAT_MS. A person's first claim anywhere is their `participant_joined`, and the
 * end of their last one their `participant_left`, so two tabs on two instances are one
 * participant. Claims of an instance that died stop being renewed and are swept after
 * PRESENCE_TTL_MS: its people are announced gone within PRESENCE_TTL_MS + PRESENCE_HEARTBEAT_MS, unless they reconnected
 * elsewhere meanwhile (then nobody sees them leave). Without REDIS_URL there is one instance and
 * this is not used.
 */
@Injectable()
export class SharedPresence {
  /** This process's claims (a restarted instance is a new claimant). */
  private readonly self = randomBytes(8).toString('hex');

  constructor(private readonly signals: ClusterSignals) {}

  get enabled(): boolean {
    return this.signals.clustered;
  }

  /** Claims the person; true when this is their first connection anywhere. */
  async arrive(sessionId: string, userId: string, name: string, now = Date.now()): Promise<boolean> {
    const redis = await this.signals.commands();
    const first = await redis.eval(ARRIVE, {
      keys: [userKeyPrefix(sessionId) + userId, sessionKey(sessionId), SESSIONS_KEY],
      arguments: [this.self, String(now + PRESENCE_TTL_MS), String(now), userId, name, sessionId],
    });
    return first === 1;
  }

  /** Drops the claim; true when that was their last connection anywhere. */
  async leave(sessionId: string, userId: string, now = Date.now()): Promise<boolean> {
    const redis = await this.signals.commands();
    const last = await redis.eval(LEAVE, {
      keys: [userKeyPrefix(sessionId) + userId, sessionKey(sessionId)],
      arguments: [this.self, String(now), userId],
    });
    return last === 1;
  }

  /** Renews this instance's claims on everyone connected to it. */
  async renew(local: Array<{ sessionId: string; userIds: string[] }>, now = Date.now()): Promise<void> {
    if (local.length === 0) return;
    const redis = await this.signals.commands();
    const until = String(now + PRESENCE_TTL_MS);
    await Promise.all(
      local.map(({ sessionId, userIds }) =>
        redis.eval(RENEW, {
          keys: [userKeyPrefix(sessionId)],
          arguments: [this.self, until, ...userIds],
        }),
      ),
    );
  }

  /** Drops claims nobody renewed; the people gone everywhere because of it. */
  async sweep(now = Date.now()): Promise<Array<{ sessionId: string; userId: string }>> {
    const redis = await this.signals.commands();
    const flat = (await redis.eval(SWEEP, {
      keys: [SESSIONS_KEY, SWEEPER_KEY],
      // Held a little less than a heartbeat, so the next heartbeat (of any instance) sweeps again.
      arguments: [String(now), 'roundtable:presence:', this.self, String(PRESENCE_HEARTBEAT_MS - 500)],
    })) as string[];
    const gone: Array<{ sessionId: string; userId: string }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) gone.push({ sessionId: flat[i], userId: flat[i + 1] });
    return gone;
  }

  /** Everyone connected to the session on any instance, by user id, with their names. */
  async everyone(sessionId: string): Promise<Map<string, string>> {
    const redis = await this.signals.commands();
    return new Map(Object.entries(await redis.hGetAll(sessionKey(sessionId))));
  }
}

import type { Participation, PersonParticipation } from '../contract/protocol.js';
import type { ParticipationRows } from './participation.repository.js';

export type { Participation, PersonParticipation };

const WAITING = new Set(['pending', 'awaiting_approval', 'answering']);

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/**
 * Per person and in total: questions asked, answered and waiting, how long
 * answers took to come (median and longest), tokens, hands and mutes. A pure
 * function of the rows, so it is checked against a scripted session.
 */
export function participation(rows: ParticipationRows): Participation {
  const people = new Map<string, PersonParticipation & { waits: number[] }>();
  const person = (userId: string, fallbackName = 'former member') => {
    let p = people.get(userId);
    if (!p) {
      p = {
        user_id: userId,
        name: fallbackName,
        role: 'former member',
        guest: false,
        removed: true,
        asked: 0,
        answered: 0,
        waiting: 0,
        wait_median_ms: null,
        wait_max_ms: null,
        tokens: 0,
        hands_raised: 0,
        hands_granted: 0,
        times_muted: 0,
        waits: [],
      };
      people.set(userId, p);
    }
    return p;
  };
  for (const m of rows.members)
    Object.assign(person(m.userId, m.displayName), {
      name: m.displayName,
      role: m.role,
      guest: m.guest,
      removed: m.banned,
    });
  const allWaits: number[] = [];
  for (const q of rows.questions) {
    const p = person(q.authorId, q.authorName);
    p.asked++;
    if (WAITING.has(q.agentState)) p.waiting++;
    if (q.agentState === 'answered') {
      p.answered++;
      const at = q.answeredSeq !== null ? rows.answeredAt.get(q.answeredSeq) : undefined;
      if (at) {
        const wait = Math.max(0, at.getTime() - q.createdAt.getTime());
        p.waits.push(wait);
        allWaits.push(wait);
      }
    }
  }
  for (const [userId, tokens] of rows.tokens) person(userId).tokens += tokens;
  for (const h of rows.hands) {
    if (h.type === 'hand_raised') person(h.userId).hands_raised++;
    else person(h.userId).hands_granted++;
  }
  for (const [userId, n] of rows.mutes) person(userId).times_muted += n;
  const list = [...people.values()].map(({ waits, ...p }) => ({
    ...p,
    wait_median_ms: median(waits),
    wait_max_ms: waits.length ? Math.max(...waits) : null,
  }));
  const sum = (key: 'asked' | 'answered' | 'waiting' | 'tokens' | 'hands_raised' | 'hands_granted' | 'times_muted') =>
    list.reduce((n, p) => n + p[key], 0);
  return {
    totals: {
      people: list.filter((p) => !p.removed).length,
      asked: sum('asked'),
      answered: sum('answered'),
      waiting: sum('waiting'),
      wait_median_ms: median(allWaits),
      wait_max_ms: allWaits.length ? Math.max(...allWaits) : null,
      tokens: sum('tokens'),
      hands_raised: sum('hands_raised'),
      hands_granted: sum('hands_granted'),
      times_muted: sum('times_muted'),
    },
    people: list,
  };
}

const CSV_COLUMNS: Array<keyof PersonParticipation> = [
  'user_id',
  'name',
  'role',
  'guest',
  'removed',
  'asked',
  'answered',
  'waiting',
  'wait_median_ms',
  'wait_max_ms',
  'tokens',
  'hands_raised',
  'hands_granted',
  'times_muted',
];

/** RFC 4180: every field that holds a comma, quote or line break is quoted; a leading =+-@ is defused for spreadsheets. */
function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function participationCsv(report: Participation): string {
  const lines = [CSV_COLUMNS.join(','), ...report.people.map((p) => CSV_COLUMNS.map((c) => csvField(p[c])).join(','))];
  return lines.join('\r\n') + '\r\n';
}

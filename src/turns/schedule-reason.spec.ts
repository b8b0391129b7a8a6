// The scheduler's reasons are English sentences (schedule_reason, next_reason); the web client
// reads them into its catalogue's words in the page's language (readReason in
// client/web/src/features/room/state/room-state.ts). Every kind of sentence the scheduler can
// say goes through the client's reader here, so a new or reworded sentence it cannot read fails.
import { readReason } from '../../client/web/src/features/room/state/room-state.js';
import { i18n } from '../../client/web/src/lib/i18n.js';
import { nextBatch, type PendingMessage, type SchedulerInput } from './turn-scheduler.js';

const msg = (id: string, authorId: string, seq: number, extra: Partial<PendingMessage> = {}): PendingMessage => ({
  id,
  authorId,
  authorName: authorId === 'a' ? 'Ana María' : authorId === 'b' ? "Ben O'Neil" : 'Chen',
  seq,
  ...extra,
});

const reasonOf = (input: Partial<SchedulerInput> & Pick<SchedulerInput, 'policy'>) =>
  nextBatch({ pending: [], lastServed: new Map(), ...input })!.reason;

const EVERY_KIND: Array<[string, string]> = [
  ['fifo', reasonOf({ policy: 'fifo', pending: [msg('1', 'a', 1)] })],
  ['hand_raise', reasonOf({ policy: 'hand_raise', pending: [msg('1', 'a', 1)] })],
  ['moderated', reasonOf({ policy: 'moderated', pending: [msg('1', 'a', 1)] })],
  ['merge', reasonOf({ policy: 'merge', pending: [msg('1', 'a', 1), msg('2', 'b', 2)] })],
  ['round_robin, never answered', reasonOf({ policy: 'round_robin', pending: [msg('1', 'a', 1), msg('2', 'b', 2)] })],
  [
    'round_robin, answered before',
    reasonOf({
      policy: 'round_robin',
      pending: [msg('1', 'a', 5), msg('2', 'b', 6)],
      lastServed: new Map([
        ['a', 3],
        ['b', 4],
      ]),
    }),
  ],
  [
    'round_robin by tokens, others waiting',
    reasonOf({
      policy: 'round_robin',
      pending: [msg('1', 'a', 1), msg('2', 'b', 2)],
      tutorTokens: new Map([
        ['a', 1200],
        ['b', 34567],
      ]),
    }),
  ],
  [
    'round_robin by tokens, alone',
    reasonOf({ policy: 'round_robin', pending: [msg('1', 'a', 1)], tutorTokens: new Map([['a', 10]]) }),
  ],
  ['votes', reasonOf({ policy: 'votes', pending: [msg('1', 'a', 1, { votes: 1 }), msg('2', 'b', 2, { votes: 3 })] })],
  [
    'votes, not twice in a row',
    reasonOf({
      policy: 'votes',
      pending: [msg('1', 'a', 5, { votes: 9 }), msg('2', 'b', 6, { votes: 2 })],
      lastServed: new Map([['a', 4]]),
    }),
  ],
];

describe("the web client reads every reason the scheduler gives, in the page's language", () => {
  afterAll(() => i18n.changeLanguage('en'));

  it.each(EVERY_KIND)('%s', async (_kind, reason) => {
    await i18n.changeLanguage('en');
    const english = readReason(reason);
    expect(english).not.toBeNull();
    // It keeps who it is about, and drops the bookkeeping (no policy prefix, no seq).
    expect(english).not.toMatch(/^[a-z_]+:|seq \d/);
    if (!reason.startsWith('merge') && /Ana María|Ben O'Neil/.test(reason))
      expect(english).toMatch(/Ana María|Ben O'Neil/);
    await i18n.changeLanguage('es');
    const spanish = readReason(reason);
    expect(spanish).not.toBeNull();
    expect(spanish).not.toEqual(english);
  });

  it('a "votes, not twice in a row" reason is one the scheduler really gives', () => {
    expect(EVERY_KIND.find(([kind]) => kind === 'votes, not twice in a row')![1]).toMatch(
      /not answered twice in a row/,
    );
  });

  it('a sentence it does not know is not read into words that would be wrong', () => {
    expect(readReason('round_robin: something new')).toBeNull();
  });
});

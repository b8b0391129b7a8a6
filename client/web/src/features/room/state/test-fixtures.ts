// Shared by the state unit tests: a session as the server describes it.
import type { WireSession } from '../../../../../sdk/roundtable-client.js';

export function wireSession(overrides: Partial<WireSession> = {}): WireSession {
  return {
    id: 's1',
    title: 'Algebra',
    status: 'active',
    turn_policy: 'round_robin',
    auto_grant: false,
    agent: {
      name: 'Tutor',
      instructions: '',
      model: null,
      responds_to: 'all',
      paused: false,
      max_answer_tokens: null,
      language: null,
    },
    rate_limit: null,
    guest_role: 'contributor',
    waiting_room: false,
    anonymous_questions: false,
    safety: {
      self_harm: 'hold',
      violence: 'hold',
      sexual: 'hold',
      harassment: 'flag',
      profanity: 'flag',
      personal_data: 'flag',
    },
    minors: true,
    redact_personal_data: true,
    retention_days: null,
    join_code: null,
    locked: false,
    floor_user_id: null,
    created_by: 'u-teacher',
    created_at: '2026-11-24T09:00:00.000Z',
    closed_at: null,
    last_seq: 0,
    ...overrides,
  };
}

import type { ModerateCommand, ModerateFields } from '../contract/protocol.js';
import { DomainError } from '../common/domain-error.js';

type Fields = Omit<ModerateFields, 'session_id'>;

const required = <T>(value: T | undefined, message: string): T => {
  if (value === undefined || value === null || value === '') throw new DomainError('bad_request', message);
  return value;
};

/**
 * The validated `moderate` payload (every field optional, each checked for its type) narrowed to
 * its action's shape: what the action needs is there, and nothing another action takes comes
 * along. A missing field is a bad_request that names it; nothing has changed yet.
 */
export function toModerateCommand(input: Fields): ModerateCommand {
  const userId = () => required(input.user_id, 'user_id is required');
  const messageId = () => required(input.message_id, 'message_id is required');
  const reason = input.reason !== undefined ? { reason: input.reason } : {};
  switch (input.action) {
    case 'grant_turn':
    case 'lower_hand':
    case 'admit':
      return { action: input.action, user_id: userId() };
    case 'mute':
      return { action: 'mute', user_id: userId(), seconds: input.seconds, keep_questions: input.keep_questions };
    case 'unmute':
      return { action: 'unmute', user_id: userId(), restore_questions: input.restore_questions };
    case 'set_role':
      return { action: 'set_role', user_id: userId(), role: required(input.role, 'role is required') };
    case 'kick':
      return { action: 'kick', user_id: userId(), ban: input.ban };
    case 'set_weight':
      return { action: 'set_weight', user_id: userId(), weight: required(input.weight, 'weight is required (1 to 4)') };
    case 'delete_message':
    case 'approve_message':
      return { action: input.action, message_id: messageId() };
    case 'dismiss_message':
      return { action: 'dismiss_message', message_id: messageId(), ...reason };
    case 'pause_agent':
      return { action: 'pause_agent', stop_now: input.stop_now };
    case 'resume_agent':
      return { action: 'resume_agent', answer_pending: input.answer_pending };
    case 'dismiss_all':
      return { action: 'dismiss_all', ...reason };
    case 'set_policy':
      return {
        action: 'set_policy',
        turn_policy: input.turn_policy,
        rate_limit: input.rate_limit,
        auto_grant: input.auto_grant,
        waiting_room: input.waiting_room,
        anonymous_questions: input.anonymous_questions,
        clear_hands: input.clear_hands,
        safety: input.safety,
        minors: input.minors,
        redact_personal_data: input.redact_personal_data,
      };
    case 'set_agent':
      return {
        action: 'set_agent',
        instructions: input.instructions,
        responds_to: input.responds_to,
        max_answer_tokens: input.max_answer_tokens,
        language: input.language,
      };
    case 'lock':
    case 'unlock':
    case 'cancel_agent':
    case 'rotate_join_code':
    case 'disable_join_code':
    case 'approve_all':
      return { action: input.action };
    default: {
      const unknown: never = input.action;
      throw new DomainError('bad_request', `unknown action ${String(unknown)}`);
    }
  }
}

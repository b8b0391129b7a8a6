import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import type { ModerateCommand, ModerateResult } from '../contract/protocol.js';
import type { SessionAccess } from '../sessions/session.mappers.js';
import { MembersModerationService } from './members-moderation.service.js';
import { SessionControlService } from './session-control.service.js';

/** The `moderate` socket event: one action of PROTOCOL.md section 6, dispatched. */
@Injectable()
export class ModerationService {
  constructor(
    private readonly members: MembersModerationService,
    private readonly control: SessionControlService,
  ) {}

  async moderate(actor: AuthUser, access: SessionAccess, input: ModerateCommand): Promise<ModerateResult> {
    const { action } = input;
    switch (input.action) {
      case 'grant_turn':
        await this.members.grantTurn(actor, access, input.user_id);
        return {};
      case 'lower_hand':
        await this.members.lowerHand(actor, access, input.user_id);
        return {};
      case 'mute':
        return this.members.mute(actor, access, input.user_id, input.seconds, input.keep_questions ?? false);
      case 'unmute':
        return this.members.unmute(actor, access, input.user_id, input.restore_questions ?? false);
      case 'set_role':
        await this.members.setRole(actor, access, input.user_id, input.role, { allowAdd: false });
        return {};
      case 'kick':
        return this.members.kick(actor, access, input.user_id, input.ban ?? false);
      case 'delete_message':
        await this.members.deleteMessage(actor, access, input.message_id);
        return {};
      case 'lock':
      case 'unlock':
        await this.control.update(actor, access, { locked: action === 'lock' }, action);
        return {};
      case 'pause_agent':
        await this.control.pauseAgent(actor, access, input.stop_now ?? false);
        return {};
      case 'resume_agent':
        await this.control.resumeAgent(actor, access, input.answer_pending ?? false);
        return {};
      case 'cancel_agent':
        await this.control.cancelAgent(actor, access);
        return {};
      case 'approve_message':
        await this.control.approveMessage(actor, access, input.message_id, true);
        return {};
      case 'dismiss_message':
        await this.control.approveMessage(actor, access, input.message_id, false, input.reason);
        return {};
      case 'set_weight':
        await this.members.setWeight(actor, access, input.user_id, input.weight);
        return {};
      case 'approve_all':
        return this.control.decideAll(actor, access, true);
      case 'dismiss_all':
        return this.control.decideAll(actor, access, false, input.reason);
      case 'set_policy':
        await this.control.update(
          actor,
          access,
          {
            turn_policy: input.turn_policy,
            rate_limit: input.rate_limit,
            auto_grant: input.auto_grant,
            waiting_room: input.waiting_room,
            anonymous_questions: input.anonymous_questions,
            safety: input.safety,
            minors: input.minors,
            redact_personal_data: input.redact_personal_data,
          },
          action,
          { clearHands: input.clear_hands },
        );
        return {};
      case 'set_agent':
        await this.control.update(
          actor,
          access,
          {
            agent: {
              instructions: input.instructions,
              responds_to: input.responds_to,
              max_answer_tokens: input.max_answer_tokens,
              language: input.language,
            },
          },
          action,
        );
        return {};
      case 'admit':
        await this.members.admit(actor, access, input.user_id);
        return {};
      case 'rotate_join_code':
      case 'disable_join_code':
        return this.control.changeJoinCode(actor, access, action === 'rotate_join_code');
      default: {
        const unknown: never = input;
        throw new Error(`unhandled moderation action ${JSON.stringify(unknown)}`);
      }
    }
  }
}

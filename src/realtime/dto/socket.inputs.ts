import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  MODERATE_ACTIONS,
  PRESENCE_MODES,
  RESPONDS_TO,
  ROLES,
  TURN_POLICIES,
  type ClientPayload,
  type ModerateAction,
  type ModerateFields,
  type PresenceMode,
  type RespondsTo,
  type Role,
  type TurnPolicy,
} from '../../contract/protocol.js';
import { LanguageTag, MAX_INT, NoControlCharacters, OptionalNotNull } from '../../common/input-limits.js';
import { RateLimitInput, SafetySettingsInput } from '../../sessions/dto/session.inputs.js';

export class SessionRefInput implements ClientPayload<'typing_start'> {
  @IsUUID('all', { message: 'session_id must be a session id (uuid)' })
  session_id!: string;
}

export class JoinInput extends SessionRefInput implements ClientPayload<'join'> {
  @IsOptional()
  @IsInt({ message: 'last_seq must be an integer' })
  @Min(0, { message: 'last_seq must be at least 0' })
  @Max(MAX_INT, { message: `last_seq must be at most ${MAX_INT}` })
  last_seq?: number;

  @IsOptional()
  @IsBoolean({ message: 'display must be a boolean' })
  display?: boolean;

  @IsOptional()
  @IsIn(PRESENCE_MODES, { message: 'presence must be "each" or "batched"' })
  presence?: PresenceMode;
}

export class MessageInput extends SessionRefInput implements ClientPayload<'message'> {
  // Length is checked by the service so that oversized content answers `too_large`.
  @IsString({ message: 'content must be a string' })
  @NoControlCharacters('content', { multiline: true })
  content!: string;

  @IsString({ message: 'client_msg_id must be a string' })
  @Length(1, 100, { message: 'client_msg_id must be 1 to 100 characters' })
  @NoControlCharacters('client_msg_id', { multiline: false })
  client_msg_id!: string;

  @IsOptional()
  @IsIn(['all', 'staff'], { message: 'visibility must be "all" or "staff"' })
  visibility?: 'all' | 'staff';

  @IsOptional()
  @IsBoolean({ message: 'anonymous must be a boolean' })
  anonymous?: boolean;
}

export class UpvoteInput extends SessionRefInput implements ClientPayload<'upvote'> {
  @IsUUID('all', { message: 'message_id must be a message id (uuid)' })
  message_id!: string;
}

export class HandInput extends SessionRefInput implements ClientPayload<'raise_hand'> {
  @IsOptional()
  @IsString({ message: 'note must be a string' })
  @MaxLength(280, { message: 'note must be at most 280 characters' })
  @NoControlCharacters('note', { multiline: false })
  note?: string;
}

export class LoadHistoryInput extends SessionRefInput implements ClientPayload<'load_history'> {
  @IsInt({ message: 'before_seq must be an integer' })
  @Min(1, { message: 'before_seq must be at least 1' })
  @Max(MAX_INT, { message: `before_seq must be at most ${MAX_INT}` })
  before_seq!: number;

  @IsOptional()
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be between 1 and 200' })
  @Max(200, { message: 'limit must be between 1 and 200' })
  limit?: number;
}

export class ModerateInput extends SessionRefInput implements ModerateFields {
  @IsIn(MODERATE_ACTIONS, { message: `action must be one of: ${MODERATE_ACTIONS.join(', ')}` })
  action!: ModerateAction;

  @OptionalNotNull()
  @IsUUID('all', { message: 'user_id must be a user id (uuid)' })
  user_id?: string;

  @OptionalNotNull()
  @IsUUID('all', { message: 'message_id must be a message id (uuid)' })
  message_id?: string;

  @OptionalNotNull()
  @IsInt({ message: 'seconds must be an integer' })
  @Min(1, { message: 'seconds must be between 1 and 31536000' })
  @Max(31_536_000, { message: 'seconds must be between 1 and 31536000' })
  seconds?: number;

  @OptionalNotNull()
  @IsIn(ROLES, { message: `role must be one of: ${ROLES.join(', ')}` })
  role?: Role;

  @OptionalNotNull()
  @IsBoolean({ message: 'ban must be a boolean' })
  ban?: boolean;

  @OptionalNotNull()
  @IsBoolean({ message: 'answer_pending must be a boolean' })
  answer_pending?: boolean;

  @OptionalNotNull()
  @IsIn(TURN_POLICIES, { message: `turn_policy must be one of: ${TURN_POLICIES.join(', ')}` })
  turn_policy?: TurnPolicy;

  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitInput)
  rate_limit?: RateLimitInput | null;

  @OptionalNotNull()
  @IsBoolean({ message: 'auto_grant must be a boolean' })
  auto_grant?: boolean;

  @OptionalNotNull()
  @IsString({ message: 'instructions must be a string' })
  @MaxLength(4000, { message: 'instructions must be at most 4000 characters' })
  @NoControlCharacters('instructions', { multiline: true })
  instructions?: string;

  @OptionalNotNull()
  @IsIn(RESPONDS_TO, { message: `responds_to must be one of: ${RESPONDS_TO.join(', ')}` })
  responds_to?: RespondsTo;

  @OptionalNotNull()
  @IsBoolean({ message: 'waiting_room must be a boolean' })
  waiting_room?: boolean;

  @OptionalNotNull()
  @IsBoolean({ message: 'anonymous_questions must be a boolean' })
  anonymous_questions?: boolean;

  @OptionalNotNull()
  @IsBoolean({ message: 'clear_hands must be a boolean' })
  clear_hands?: boolean;

  @OptionalNotNull()
  @ValidateNested()
  @Type(() => SafetySettingsInput)
  safety?: SafetySettingsInput;

  @OptionalNotNull()
  @IsBoolean({ message: 'minors must be a boolean' })
  minors?: boolean;

  @OptionalNotNull()
  @IsBoolean({ message: 'redact_personal_data must be a boolean' })
  redact_personal_data?: boolean;

  @OptionalNotNull()
  @IsString({ message: 'reason must be a string' })
  @MaxLength(280, { message: 'reason must be at most 280 characters' })
  @NoControlCharacters('reason', { multiline: false })
  reason?: string;

  @OptionalNotNull()
  @IsBoolean({ message: 'keep_questions must be a boolean' })
  keep_questions?: boolean;

  @OptionalNotNull()
  @IsBoolean({ message: 'restore_questions must be a boolean' })
  restore_questions?: boolean;

  @OptionalNotNull()
  @IsBoolean({ message: 'stop_now must be a boolean' })
  stop_now?: boolean;

  @IsOptional()
  @IsInt({ message: 'max_answer_tokens must be an integer' })
  @Min(16, { message: 'max_answer_tokens must be between 16 and 32000' })
  @Max(32000, { message: 'max_answer_tokens must be between 16 and 32000' })
  max_answer_tokens?: number | null;

  @IsOptional()
  @LanguageTag('language')
  language?: string | null;

  @OptionalNotNull()
  @IsInt({ message: 'weight must be an integer' })
  @Min(1, { message: 'weight must be between 1 and 4' })
  @Max(4, { message: 'weight must be between 1 and 4' })
  weight?: number;
}

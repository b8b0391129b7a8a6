import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { LanguageTag, MAX_INT, NoControlCharacters, OptionalNotNull } from '../../common/input-limits.js';
import {
  GUEST_ROLES,
  RESPONDS_TO,
  TURN_POLICIES,
  type GuestRole,
  type RespondsTo,
  type SafetyMode,
  type SafetySettings,
  type TurnPolicy,
} from '../../contract/protocol.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class AgentSettingsInput {
  @ApiPropertyOptional({ maxLength: 4000 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(4000, { message: 'agent.instructions must be at most 4000 characters' })
  @NoControlCharacters('agent.instructions', { multiline: true })
  instructions?: string;

  @ApiPropertyOptional({ description: 'model name passed to the provider' })
  @OptionalNotNull()
  @IsString()
  @Length(1, 100, { message: 'agent.model must be 1 to 100 characters' })
  @NoControlCharacters('agent.model', { multiline: false })
  model?: string;

  @ApiPropertyOptional({ enum: RESPONDS_TO })
  @OptionalNotNull()
  @IsIn(RESPONDS_TO, { message: `agent.responds_to must be one of: ${RESPONDS_TO.join(', ')}` })
  responds_to?: RespondsTo;

  @ApiPropertyOptional({ description: 'the name the agent answers to (@name)', example: 'tutor' })
  @OptionalNotNull()
  @IsString()
  @Length(1, 40, { message: 'agent.name must be 1 to 40 characters' })
  @NoControlCharacters('agent.name', { multiline: false })
  name?: string;

  @ApiPropertyOptional({
    description: "the longest answer, in tokens (null: the server's MAX_ANSWER_TOKENS)",
    minimum: 16,
    maximum: 32000,
    nullable: true,
  })
  @IsOptional()
  @IsInt({ message: 'agent.max_answer_tokens must be an integer' })
  @Min(16, { message: 'agent.max_answer_tokens must be between 16 and 32000' })
  @Max(32000, { message: 'agent.max_answer_tokens must be between 16 and 32000' })
  max_answer_tokens?: number | null;

  @ApiPropertyOptional({
    description: "the class's language: the tutor answers in it (null: in the question's)",
    example: 'es',
    nullable: true,
  })
  @IsOptional()
  @LanguageTag('agent.language')
  language?: string | null;
}

export class RateLimitInput {
  @ApiProperty({ minimum: 1, maximum: 10000 })
  @IsInt({ message: 'rate_limit.messages must be an integer' })
  @Min(1, { message: 'rate_limit.messages must be at least 1' })
  @Max(10000)
  messages!: number;

  @ApiProperty({ minimum: 1, maximum: 86400 })
  @IsInt({ message: 'rate_limit.per_seconds must be an integer' })
  @Min(1, { message: 'rate_limit.per_seconds must be at least 1' })
  @Max(86400)
  per_seconds!: number;
}

const SAFETY_MODES = ['off', 'flag', 'hold'] as const;
const safetyMode = (category: string) =>
  IsIn(SAFETY_MODES, { message: `safety.${category} must be off, flag or hold` });

/** The safety check per category (docs/SAFETY.md); categories left out keep their setting. */
export class SafetySettingsInput implements Partial<SafetySettings> {
  @ApiPropertyOptional({ enum: SAFETY_MODES, default: 'hold' })
  @OptionalNotNull()
  @safetyMode('self_harm')
  self_harm?: SafetyMode;
  @ApiPropertyOptional({ enum: SAFETY_MODES, default: 'hold' })
  @OptionalNotNull()
  @safetyMode('violence')
  violence?: SafetyMode;
  @ApiPropertyOptional({ enum: SAFETY_MODES, default: 'hold' })
  @OptionalNotNull()
  @safetyMode('sexual')
  sexual?: SafetyMode;
  @ApiPropertyOptional({ enum: SAFETY_MODES, default: 'flag' })
  @OptionalNotNull()
  @safetyMode('harassment')
  harassment?: SafetyMode;
  @ApiPropertyOptional({ enum: SAFETY_MODES, default: 'flag' })
  @OptionalNotNull()
  @safetyMode('profanity')
  profanity?: SafetyMode;
  @ApiPropertyOptional({ enum: SAFETY_MODES, default: 'flag' })
  @OptionalNotNull()
  @safetyMode('personal_data')
  personal_data?: SafetyMode;
}

export class CreateSessionInput {
  @ApiProperty({ example: 'Algebra, period 3' })
  @Transform(trim)
  @IsString()
  @Length(1, 200, { message: 'title must be 1 to 200 characters' })
  @NoControlCharacters('title', { multiline: false })
  title!: string;

  @ApiPropertyOptional({ enum: TURN_POLICIES, default: 'round_robin' })
  @OptionalNotNull()
  @IsIn(TURN_POLICIES, { message: `turn_policy must be one of: ${TURN_POLICIES.join(', ')}` })
  turn_policy?: TurnPolicy;

  @ApiPropertyOptional({ description: 'hand_raise: grant the floor to the head of the queue automatically' })
  @OptionalNotNull()
  @IsBoolean({ message: 'auto_grant must be a boolean' })
  auto_grant?: boolean;

  @ApiPropertyOptional({ type: AgentSettingsInput })
  @OptionalNotNull()
  @ValidateNested()
  @Type(() => AgentSettingsInput)
  agent?: AgentSettingsInput;

  @ApiPropertyOptional({ type: RateLimitInput, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitInput)
  rate_limit?: RateLimitInput | null;

  @ApiPropertyOptional({ enum: GUEST_ROLES, default: 'contributor' })
  @OptionalNotNull()
  @IsIn(GUEST_ROLES, { message: `guest_role must be one of: ${GUEST_ROLES.join(', ')}` })
  guest_role?: GuestRole;

  @ApiPropertyOptional({ description: 'new guests wait until a moderator admits them', default: false })
  @OptionalNotNull()
  @IsBoolean({ message: 'waiting_room must be a boolean' })
  waiting_room?: boolean;

  @ApiPropertyOptional({
    description: 'contributors may ask anonymously to classmates (staff still see who)',
    default: false,
  })
  @OptionalNotNull()
  @IsBoolean({ message: 'anonymous_questions must be a boolean' })
  anonymous_questions?: boolean;

  @ApiPropertyOptional({
    type: SafetySettingsInput,
    description:
      'the safety check per category: off, flag (shown, staff alerted) or hold (author and moderators only, not the tutor, until released)',
  })
  @OptionalNotNull()
  @ValidateNested()
  @Type(() => SafetySettingsInput)
  safety?: SafetySettingsInput;

  @ApiPropertyOptional({ description: 'a class of minors: the tutor follows age-appropriate rules', default: true })
  @OptionalNotNull()
  @IsBoolean({ message: 'minors must be a boolean' })
  minors?: boolean;

  @ApiPropertyOptional({
    description: "mask phone numbers, e-mail and street addresses in people's messages before the model reads them",
    default: true,
  })
  @OptionalNotNull()
  @IsBoolean({ message: 'redact_personal_data must be a boolean' })
  redact_personal_data?: boolean;

  @ApiPropertyOptional({
    description: "days after closing before the session is purged (null: the server's RETENTION_DAYS)",
    minimum: 1,
    maximum: 36500,
    nullable: true,
  })
  @IsOptional()
  @IsInt({ message: 'retention_days must be an integer' })
  @Min(1, { message: 'retention_days must be between 1 and 36500' })
  @Max(36500, { message: 'retention_days must be between 1 and 36500' })
  retention_days?: number | null;
}

export class UpdateSessionInput extends CreateSessionInput {
  @ApiPropertyOptional()
  @OptionalNotNull()
  @Transform(trim)
  @IsString()
  @Length(1, 200, { message: 'title must be 1 to 200 characters' })
  declare title: string;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsBoolean({ message: 'locked must be a boolean' })
  locked?: boolean;
}

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

export class ListSessionsQuery {
  @ApiPropertyOptional({ enum: ['active', 'closed'] })
  @IsOptional()
  @IsIn(['active', 'closed'], { message: 'status must be active or closed' })
  status?: 'active' | 'closed';

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @Max(100, { message: 'limit must be between 1 and 100' })
  limit?: number;
}

export class MessagesQuery {
  @ApiPropertyOptional({ description: 'messages with a lower seq than this' })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'before_seq must be an integer' })
  @Min(1, { message: 'before_seq must be at least 1' })
  @Max(MAX_INT, { message: `before_seq must be at most ${MAX_INT}` })
  before_seq?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be between 1 and 200' })
  @Max(200, { message: 'limit must be between 1 and 200' })
  limit?: number;
}

export class EventsQuery {
  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'after_seq must be an integer' })
  @Min(0, { message: 'after_seq must be at least 0' })
  @Max(MAX_INT, { message: `after_seq must be at most ${MAX_INT}` })
  after_seq?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be between 1 and 1000' })
  @Max(1000, { message: 'limit must be between 1 and 1000' })
  limit?: number;
}

export class TranscriptQuery {
  @ApiPropertyOptional({ enum: ['json', 'markdown'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'markdown'], { message: 'format must be json or markdown' })
  format?: 'json' | 'markdown';

  @ApiPropertyOptional({ description: 'staff: include private notes (default: the conversation only)', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'include_notes must be true or false' })
  include_notes?: boolean;
}

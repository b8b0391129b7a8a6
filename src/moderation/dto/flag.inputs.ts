import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { NoControlCharacters } from '../../common/input-limits.js';
import { SAFETY_CATEGORIES, type SafetyCategory } from '../../contract/protocol.js';
import type { FlagAction } from '../../contract/protocol.js';

const FLAG_STATUSES = ['open', 'released', 'hidden', 'dismissed'] as const;
const FLAG_ACTIONS = ['flagged', 'held', 'not_checked'] as const;
const RESOLUTIONS = ['release', 'hide', 'dismiss', 'note'] as const;
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

export class ListFlagsQuery {
  @ApiPropertyOptional({ enum: FLAG_STATUSES })
  @IsOptional()
  @IsIn(FLAG_STATUSES, { message: `status must be one of: ${FLAG_STATUSES.join(', ')}` })
  status?: (typeof FLAG_STATUSES)[number];

  @ApiPropertyOptional({ enum: SAFETY_CATEGORIES })
  @IsOptional()
  @IsIn(SAFETY_CATEGORIES, { message: `category must be one of: ${SAFETY_CATEGORIES.join(', ')}` })
  category?: SafetyCategory;

  @ApiPropertyOptional({ enum: FLAG_ACTIONS })
  @IsOptional()
  @IsIn(FLAG_ACTIONS, { message: `action must be one of: ${FLAG_ACTIONS.join(', ')}` })
  action?: (typeof FLAG_ACTIONS)[number];

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be between 1 and 500' })
  @Max(500, { message: 'limit must be between 1 and 500' })
  limit?: number;
}

export class AdminFlagsQuery extends ListFlagsQuery {
  @ApiPropertyOptional({ description: 'one session only' })
  @IsOptional()
  @IsUUID('all', { message: 'session_id must be a session id (uuid)' })
  session_id?: string;
}

export class ResolveFlagInput {
  @ApiProperty({
    enum: RESOLUTIONS,
    description:
      'release (show it; the tutor answers it), hide (a tombstone), dismiss (the alert), note (a staff note, the flag stays as it is)',
  })
  @IsIn(RESOLUTIONS, { message: `action must be one of: ${RESOLUTIONS.join(', ')}` })
  action!: FlagAction;

  @ApiPropertyOptional({ maxLength: 1000, description: 'a staff note (with any action; required with note)' })
  @IsOptional()
  @IsString({ message: 'note must be a string' })
  @MaxLength(1000, { message: 'note must be at most 1000 characters' })
  @NoControlCharacters('note', { multiline: true })
  note?: string;
}

import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';
import { DisplayName, NoControlCharacters } from '../../common/input-limits.js';

export class GuestInput {
  @ApiProperty({ example: 'K7PX2MQA' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @IsString()
  @Length(4, 32, { message: 'join_code must be 4 to 32 characters' })
  @NoControlCharacters('join_code', { multiline: false })
  join_code!: string;

  @ApiProperty({ example: 'Sam', maxLength: 60 })
  @DisplayName()
  display_name!: string;
}

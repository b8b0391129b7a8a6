import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { ROLES, type Role } from '../../contract/protocol.js';

export class SetMemberInput {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of: ${ROLES.join(', ')}` })
  role!: Role;
}

export class RemoveMemberQuery {
  @ApiPropertyOptional({ description: 'keep them out for good (a new guest token does not help)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'ban must be true or false' })
  ban?: boolean;
}

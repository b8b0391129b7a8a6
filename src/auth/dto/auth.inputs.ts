import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { DisplayName } from '../../common/input-limits.js';

const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class RegisterInput {
  @ApiProperty({ example: 'ada@example.org' })
  @Transform(lower)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 200 })
  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(200)
  password!: string;

  @ApiProperty({ example: 'Ada', maxLength: 60 })
  @DisplayName()
  display_name!: string;
}

export class LoginInput {
  @ApiProperty()
  @Transform(lower)
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(200)
  password!: string;
}

export class ChangePasswordInput {
  @ApiProperty()
  @IsString()
  @MaxLength(200)
  current_password!: string;

  @ApiProperty({ minLength: 8, maxLength: 200 })
  @IsString()
  @MinLength(8, { message: 'new_password must be at least 8 characters' })
  @MaxLength(200)
  new_password!: string;
}

import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength, MinLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
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

  @ApiProperty({ example: 'Ada' })
  @Transform(trim)
  @IsString()
  @Length(1, 60, { message: 'display_name must be 1 to 60 characters' })
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

export class GuestInput {
  @ApiProperty({ example: 'K7PX2MQA' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value))
  @IsString()
  @Length(4, 32, { message: 'join_code must be 4 to 32 characters' })
  join_code!: string;

  @ApiProperty({ example: 'Sam' })
  @Transform(trim)
  @IsString()
  @Length(1, 60, { message: 'display_name must be 1 to 60 characters' })
  display_name!: string;
}

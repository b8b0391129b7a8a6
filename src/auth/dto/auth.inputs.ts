import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength, MinLength, ValidateBy } from 'class-validator';
import { displayNameProblem, normalizeDisplayName } from '../../common/display-name.js';
import { NoControlCharacters } from '../../common/input-limits.js';

/** A display name, normalized (NFKC, one kind of space) and then checked: one line, nothing invisible, no brackets. */
const DisplayName = () => (target: object, property: string) => {
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeDisplayName(value) : value))(target, property);
  ValidateBy({
    name: 'isDisplayName',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && displayNameProblem(value) === null,
      defaultMessage: (args) => (typeof args?.value === 'string' ? displayNameProblem(args.value) : null) ?? 'display_name must be a string',
    },
  })(target, property);
};
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

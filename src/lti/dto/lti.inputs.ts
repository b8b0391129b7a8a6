import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, IsUrl, Length, MaxLength } from 'class-validator';

const url = { require_tld: false, require_protocol: true, protocols: ['https', 'http'] };

/** POST /admin/lti/platforms: an LMS, as its LTI 1.3 registration gives it. */
export class RegisterPlatformInput {
  @ApiProperty({ example: 'Springfield Canvas' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ example: 'https://canvas.instructure.com' })
  @IsUrl(url, { message: 'issuer must be an http(s) URL' })
  @MaxLength(500)
  issuer!: string;

  @ApiProperty({ example: '10000000000001' })
  @IsString()
  @Length(1, 200)
  client_id!: string;

  @ApiProperty({ example: ['1:abcdef'] })
  @IsArray()
  @ArrayMinSize(1, { message: 'deployment_ids needs at least one deployment id' })
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  deployment_ids!: string[];

  @ApiProperty({ example: 'https://sso.canvaslms.com/api/lti/authorize_redirect' })
  @IsUrl(url, { message: 'auth_login_url must be an http(s) URL' })
  @MaxLength(500)
  auth_login_url!: string;

  @ApiProperty({ example: 'https://sso.canvaslms.com/api/lti/security/jwks' })
  @IsUrl(url, { message: 'jwks_url must be an http(s) URL' })
  @MaxLength(500)
  jwks_url!: string;
}

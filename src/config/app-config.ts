import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

import { ConfigError } from './config-error.js';
import { loadSignInConfig, type SignInConfig } from './sign-in-config.js';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * The environment the server reads (PROTOCOL.md section 8), validated once at
 * start-up. Nothing else in the code reads process.env.
 */
export class EnvironmentVariables {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsString()
  HOST?: string;

  @IsOptional()
  @IsString()
  @Transform(emptyToUndefined)
  DATA_DIR?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(16, { message: 'JWT_SECRET must be at least 16 characters' })
  JWT_SECRET?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  OPENAI_API_KEY?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\//, { message: 'OPENAI_BASE_URL must be an http(s) URL' })
  OPENAI_BASE_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  AGENT_MODEL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  AGENT_TIMEOUT_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10000)
  OFFLINE_AGENT_DELAY_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(16)
  @Max(32000)
  MAX_ANSWER_TOKENS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(60)
  JWT_TTL_SECONDS?: number;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @IsIn(['json', 'pretty'], { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  ADMIN_EMAILS?: string;

  // Sign-in with a school's identity provider (src/config/sign-in-config.ts checks them together).
  @IsOptional()
  @IsString()
  OIDC_PROVIDERS?: string;

  @IsOptional()
  @IsString()
  OIDC_GOOGLE_CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  OIDC_GOOGLE_CLIENT_SECRET?: string;

  @IsOptional()
  @IsString()
  OIDC_GOOGLE_ALLOWED_DOMAINS?: string;

  @IsOptional()
  @IsString()
  OIDC_MICROSOFT_CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  OIDC_MICROSOFT_CLIENT_SECRET?: string;

  @IsOptional()
  @IsString()
  OIDC_MICROSOFT_TENANT?: string;

  @IsOptional()
  @IsString()
  OIDC_MICROSOFT_ALLOWED_DOMAINS?: string;

  @IsOptional()
  @IsString()
  PASSWORD_LOGIN?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  PUBLIC_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  WEB_DIST_DIR?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  AGENT_MODELS?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  MAX_SOCKETS_PER_USER?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(64)
  @Max(1048576)
  MAX_SOCKET_BUFFER_KB?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(300000)
  WS_PING_INTERVAL_MS?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^(off|\d{1,5}\/\d{1,5})$/, { message: 'DEFAULT_RATE_LIMIT must be "off" or MESSAGES/SECONDS, e.g. 6/60' })
  DEFAULT_RATE_LIMIT?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  MAX_PENDING_PER_AUTHOR?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  MAX_GUESTS_PER_SESSION?: number;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  CORS_ORIGINS?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^(true|false|\d{1,2}|[\w.:/, -]+)$/, {
    message: 'TRUST_PROXY must be true, false, a hop count, or addresses/subnets (comma-separated)',
  })
  TRUST_PROXY?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  AUTH_RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  GUEST_RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  WRONG_JOIN_CODES_PER_10_MIN?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  TOKEN_BUDGET_PER_SESSION_DAY?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  TOKEN_BUDGET_PER_USER_DAY?: number;

  @IsOptional()
  @IsIn(['openai', 'offline'], { message: 'SAFETY_PROVIDER must be openai or offline' })
  SAFETY_PROVIDER?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  SAFETY_MODEL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\//, { message: 'SAFETY_BASE_URL must be an http(s) URL' })
  SAFETY_BASE_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(2000)
  SAFETY_HELP_TEXT?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(36500)
  RETENTION_DAYS?: number;
}

/** What a student who wrote about hurting themselves reads, unless SAFETY_HELP_TEXT says otherwise. */
export const DEFAULT_HELP_TEXT =
  'It sounds like you might be going through something really hard. You are not alone, and your teacher has been told so they can help. ' +
  'If you are in danger right now, call your local emergency number. You can also talk to a trusted adult, or reach a helpline: ' +
  'in the US call or text 988, in the UK call Childline on 0800 1111, or find one near you at https://findahelpline.com.';

/**
 * The same words in the languages the web client ships, for a class whose tutor answers in one of
 * them (agent.language). A school's own SAFETY_HELP_TEXT (its counsellor, its lines) wins over
 * these; SAFETY_HELP_TEXT_<LANGUAGE> (SAFETY_HELP_TEXT_ES) wins for that language.
 */
export const DEFAULT_HELP_TEXTS: Readonly<Record<string, string>> = {
  en: DEFAULT_HELP_TEXT,
  es:
    'Parece que estás pasando por algo muy difícil. No tienes que pasarlo a solas: tu profesor lo sabe para poder ayudarte. ' +
    'Si estás en peligro ahora mismo, llama al número de emergencias de tu zona (112 en Europa). También puedes hablar con un adulto de confianza o llamar a una línea de ayuda: ' +
    'en España, el 024 o la Fundación ANAR en el 900 20 20 10; en México, la Línea de la Vida en el 800 911 2000; o busca una cerca de ti en https://findahelpline.com.',
  ar:
    'يبدو أنك تمرّ بشيء صعب جدًا. لست وحدك، وقد أُخبر معلّمك ليتمكن من مساعدتك. ' +
    'إن كنت في خطر الآن، فاتصل برقم الطوارئ في بلدك. ويمكنك أيضًا التحدث إلى شخص بالغ تثق به، أو التواصل مع خط للمساعدة: ' +
    'ابحث عن خط قريب منك في https://findahelpline.com.',
};

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  jwtSecret: string;
  jwtTtlSeconds: number;
  agent: {
    provider: 'openai' | 'offline';
    apiKey?: string;
    baseUrl?: string;
    model: string;
    /** The models a session may choose (AGENT_MODELS plus the default); only platform admins may name another. */
    models: string[];
    /** Optional daily token budgets (UTC days); unset: none. */
    budgets: { perSessionPerDay?: number; perUserPerDay?: number };
    timeoutMs: number;
    offlineDelayMs: number;
    /** The longest answer, in tokens, for sessions without a cap of their own (MAX_ANSWER_TOKENS). */
    maxAnswerTokens: number;
  };
  safety: {
    /** The moderation endpoint through the openai SDK, or the offline word and phrase lists. */
    provider: 'openai' | 'offline';
    model: string;
    apiKey?: string;
    baseUrl?: string;
    timeoutMs: number;
    /** What the author of a self-harm message reads: kind words and where to find help (the school's, if set). */
    helpText: string | null;
    /** The same per language (primary subtag: es, ar), from SAFETY_HELP_TEXT_<LANGUAGE>. */
    helpTexts: Readonly<Record<string, string>>;
  };
  /** Days after a session closes before the retention job purges it (null: kept). */
  retentionDays: number | null;
  logLevel: string;
  /** This server's identity for the agent lease; kept in DATA_DIR so a restart keeps it. */
  instanceId: string;
  /** Users who register with one of these emails become platform admins. */
  adminEmails: string[];
  /** Password sign-in, and the school identity providers (OpenID Connect). */
  signIn: SignInConfig;
  webDistDir?: string;
  /** Browser origins other than the server's own that may open sockets (CORS_ORIGINS). */
  corsOrigins: string[];
  /** Express's `trust proxy`: which proxies' X-Forwarded-For to believe (unset: none). */
  trustProxy?: boolean | number | string;
  limits: {
    /** Sign-ins and sign-ups per address and minute; guest joins per address and minute. */
    authPerMinute: number;
    guestJoinsPerMinute: number;
    /** Join codes that match no session, per address and 10 minutes, before that address must wait. */
    wrongJoinCodesPer10Min: number;
    /** Sockets one person may hold at once, across sessions and tabs. */
    socketsPerUser: number;
    /** Bytes the server holds for one connection that is not reading, before it cuts the connection. */
    socketBufferBytes: number;
    /** Plain WebSocket: how often the server pings; a connection that missed the previous ping is dropped. */
    wsPingIntervalMs: number;
    /** Sessions without a rate limit of their own get this one (null: none). */
    defaultRateLimit: { messages: number; perSeconds: number } | null;
    /** Questions one person may have waiting for the agent in a session (moderators are exempt). */
    pendingPerAuthor: number;
    /** Guests one session admits. */
    guestsPerSession: number;
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export { ConfigError };

/** Validates the environment; throws one error listing every bad key. */
/** SAFETY_HELP_TEXT_ES and the like: the help text for classes in that language. */
function helpTextsByLanguage(env: Record<string, string | undefined>): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const language = /^SAFETY_HELP_TEXT_([A-Z]{2,3})$/.exec(name)?.[1];
    if (!language || !value?.trim()) continue;
    if (value.length > 2000)
      throw new ConfigError(`invalid configuration:\n  ${name}: must be at most 2000 characters`);
    texts[language.toLowerCase()] = value;
  }
  return texts;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = plainToInstance(EnvironmentVariables, { ...env }, { excludeExtraneousValues: false });
  const errors = validateSync(parsed, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const dataDir = resolve(parsed.DATA_DIR ?? './data');
  const useOpenAi = Boolean(parsed.OPENAI_API_KEY || parsed.OPENAI_BASE_URL);
  const model = parsed.AGENT_MODEL ?? (useOpenAi ? 'gpt-4o-mini' : 'offline-tutor');
  return {
    port: parsed.PORT ?? 3000,
    host: parsed.HOST ?? '0.0.0.0',
    dataDir,
    databaseUrl: parsed.DATABASE_URL,
    redisUrl: parsed.REDIS_URL,
    jwtSecret:
      parsed.JWT_SECRET ?? loadOrCreateFile(dataDir, 'jwt-secret', () => randomBytes(48).toString('base64url')),
    jwtTtlSeconds: parsed.JWT_TTL_SECONDS ?? 7 * 24 * 3600,
    agent: {
      provider: useOpenAi ? 'openai' : 'offline',
      budgets: {
        perSessionPerDay: parsed.TOKEN_BUDGET_PER_SESSION_DAY,
        perUserPerDay: parsed.TOKEN_BUDGET_PER_USER_DAY,
      },
      models: [
        ...new Set([
          model,
          ...(parsed.AGENT_MODELS ?? '')
            .split(',')
            .map((m) => m.trim())
            .filter(Boolean),
        ]),
      ],
      apiKey: parsed.OPENAI_API_KEY,
      baseUrl: parsed.OPENAI_BASE_URL,
      model,
      timeoutMs: parsed.AGENT_TIMEOUT_MS ?? 60_000,
      offlineDelayMs: parsed.OFFLINE_AGENT_DELAY_MS ?? 15,
      maxAnswerTokens: parsed.MAX_ANSWER_TOKENS ?? 1024,
    },
    safety: {
      // OpenAI itself (a key, no other base URL) has the moderation endpoint; other OpenAI-compatible
      // servers (Ollama, vLLM, a gateway) mostly do not: they check offline unless told otherwise.
      provider:
        (parsed.SAFETY_PROVIDER as 'openai' | 'offline' | undefined) ??
        (parsed.OPENAI_API_KEY && !parsed.OPENAI_BASE_URL ? 'openai' : 'offline'),
      model: parsed.SAFETY_MODEL ?? 'omni-moderation-latest',
      apiKey: parsed.OPENAI_API_KEY,
      baseUrl: parsed.SAFETY_BASE_URL ?? parsed.OPENAI_BASE_URL,
      timeoutMs: 5000,
      helpText: parsed.SAFETY_HELP_TEXT ?? null,
      helpTexts: helpTextsByLanguage(env),
    },
    retentionDays: parsed.RETENTION_DAYS ?? null,
    logLevel: parsed.LOG_LEVEL ?? 'info',
    instanceId: loadOrCreateFile(dataDir, 'instance-id', () => randomBytes(12).toString('hex')),
    corsOrigins: (parsed.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    trustProxy: parseTrustProxy(parsed.TRUST_PROXY),
    limits: {
      authPerMinute: parsed.AUTH_RATE_LIMIT_PER_MINUTE ?? 60,
      guestJoinsPerMinute: parsed.GUEST_RATE_LIMIT_PER_MINUTE ?? 600,
      wrongJoinCodesPer10Min: parsed.WRONG_JOIN_CODES_PER_10_MIN ?? 20,
      socketsPerUser: parsed.MAX_SOCKETS_PER_USER ?? 10,
      socketBufferBytes: (parsed.MAX_SOCKET_BUFFER_KB ?? 4096) * 1024,
      wsPingIntervalMs: parsed.WS_PING_INTERVAL_MS ?? 25_000,
      defaultRateLimit: parseRateLimit(parsed.DEFAULT_RATE_LIMIT ?? '6/60'),
      pendingPerAuthor: parsed.MAX_PENDING_PER_AUTHOR ?? 3,
      guestsPerSession: parsed.MAX_GUESTS_PER_SESSION ?? 1000,
    },
    adminEmails: (parsed.ADMIN_EMAILS ?? '')
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean),
    webDistDir: parsed.WEB_DIST_DIR,
    signIn: loadSignInConfig(parsed),
  };
}

/** For entry points: the configuration, or the list of bad keys on stderr and exit code 2. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

function parseTrustProxy(value: string | undefined): boolean | number | string | undefined {
  if (value === undefined || value === 'false') return undefined;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

function parseRateLimit(value: string): { messages: number; perSeconds: number } | null {
  if (value === 'off') return null;
  const [messages, perSeconds] = value.split('/').map(Number);
  return messages > 0 && perSeconds > 0 ? { messages, perSeconds } : null;
}

/** A value generated once and kept in the data directory (mode 0600), such as the JWT signing key. */
function loadOrCreateFile(dataDir: string, name: string, generate: () => string): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = generate();
  try {
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
}

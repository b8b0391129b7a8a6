import type {
  FlagAction,
  Participation,
  QueueExplanation,
  Role,
  WireFlag,
  WireSession,
  WireUser,
} from '../../src/contract/protocol.js';

/** A REST error: the server's {statusCode, error, message, code}. */
export class RoundtableApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { statusCode?: number; error?: string; message?: string; code?: string },
    readonly headers: Headers,
  ) {
    super(body.message ?? `HTTP ${status}`);
    this.name = 'RoundtableApiError';
  }
}

export interface SignInOptions {
  password_login: boolean;
  /** Each is a button: the browser goes to /auth/oidc/<id>/start?next=<path>. */
  providers: Array<{ id: string; name: string }>;
}

export interface AuthAnswer {
  access_token: string;
  user: WireUser;
}

/** An answer's body: parsed when it is JSON, else its text. */
async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  return text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
}

/** A failed answer as an error: the server's JSON error body, or its text as the message. */
function errorOf(response: Response, parsed: unknown): RoundtableApiError {
  return new RoundtableApiError(
    response.status,
    typeof parsed === 'object' && parsed !== null ? parsed : { message: String(parsed) || undefined },
    response.headers,
  );
}

/** The REST side of Roundtable: auth and the session admin API (docs/PROTOCOL.md). */
export class RoundtableApi {
  constructor(
    readonly baseUrl: string,
    public token?: string,
  ) {}

  withToken(token: string): RoundtableApi {
    return new RoundtableApi(this.baseUrl, token);
  }

  /** A file the server makes (a transcript, a CSV), as a Blob to hand to the user. */
  async download(path: string): Promise<Blob> {
    const response = await fetch(new URL(path, this.baseUrl), {
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
    });
    if (!response.ok) throw errorOf(response, await bodyOf(response));
    return response.blob();
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const parsed = await bodyOf(response);
    if (!response.ok) throw errorOf(response, parsed);
    return parsed as T;
  }

  register(email: string, password: string, displayName: string) {
    return this.call<AuthAnswer>('POST', '/auth/register', { email, password, display_name: displayName });
  }

  login(email: string, password: string) {
    return this.call<AuthAnswer>('POST', '/auth/login', { email, password });
  }

  guest(joinCode: string, displayName: string) {
    return this.call<AuthAnswer & { session_id: string; role: Role }>('POST', '/auth/guest', {
      join_code: joinCode,
      display_name: displayName,
    });
  }

  /** How people sign in on this server: password sign-in on or off, and the school identity providers. */
  signInOptions() {
    return this.call<SignInOptions>('GET', '/auth/options');
  }

  me() {
    return this.call<{ user: WireUser }>('GET', '/auth/me');
  }

  createSession(input: Record<string, unknown>) {
    return this.call<{ session: WireSession }>('POST', '/sessions', input);
  }

  listSessions(query = '') {
    return this.call<{ sessions: WireSession[]; next_cursor: string | null }>('GET', `/sessions${query}`);
  }

  getSession(id: string) {
    return this.call<{ session: WireSession; you: { role: Role } }>('GET', `/sessions/${id}`);
  }

  updateSession(id: string, changes: Record<string, unknown>) {
    return this.call<{ session: WireSession }>('PATCH', `/sessions/${id}`, changes);
  }

  closeSession(id: string) {
    return this.call<{ session: WireSession }>('POST', `/sessions/${id}/close`);
  }

  setMember(id: string, userId: string, role: Role) {
    return this.call('PUT', `/sessions/${id}/members/${userId}`, { role });
  }

  removeMember(id: string, userId: string, ban = false) {
    return this.call('DELETE', `/sessions/${id}/members/${userId}${ban ? '?ban=true' : ''}`);
  }

  members(id: string) {
    return this.call<
      Array<{ user_id: string; display_name: string; role: Role; muted_until: string | null; online: boolean }>
    >('GET', `/sessions/${id}/members`);
  }

  /** What the agent will answer, in order, and why (staff also read what waits for approval). */
  queue(id: string) {
    return this.call<QueueExplanation>('GET', `/sessions/${id}/queue`);
  }

  /** Moderators: per person and in total, how the session went. */
  participation(id: string) {
    return this.call<Participation>('GET', `/sessions/${id}/participation`);
  }

  /** Moderators: the session's safety flags, newest first. */
  flags(id: string, limit = 200) {
    return this.call<{ flags: WireFlag[] }>('GET', `/sessions/${id}/flags?limit=${limit}`);
  }

  resolveFlag(id: string, flagId: string, action: FlagAction, note?: string) {
    return this.call<{ flag: WireFlag }>('POST', `/sessions/${id}/flags/${flagId}/resolve`, {
      action,
      ...(note ? { note } : {}),
    });
  }
}

import { createParamDecorator, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Socket } from 'socket.io';
import type { AuthUser } from '../auth/auth-user.js';
import { DomainError } from '../common/domain-error.js';
import type { Permission } from '../permissions/permission-table.js';
import { SessionAccessService } from '../sessions/session-access.service.js';
import type { SessionAccess } from '../sessions/session.mappers.js';

type PermissionOf = Permission | ((payload: Record<string, unknown>) => Permission);

const SOCKET_PERMISSION = 'roundtable:socket-permission';
/** The permission (PROTOCOL.md section 3) a socket event needs, possibly depending on its payload. */
export const SocketPermission = (permission: PermissionOf) => SetMetadata(SOCKET_PERMISSION, permission);

// The guard sees the raw payload object; the handler's validated copy is a
// different object, so the access travels keyed by the raw one.
const accessByPayload = new WeakMap<object, SessionAccess>();

/** Sockets: resolves the caller's access to payload.session_id and checks the event's permission. */
@Injectable()
export class SocketSessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: SessionAccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const ws = context.switchToWs();
    const payload: unknown = ws.getData();
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new DomainError('bad_request', 'the payload must be an object with a session_id');
    }
    const user = ws.getClient<Socket>().data.user as AuthUser;
    const declared = this.reflector.get<PermissionOf>(SOCKET_PERMISSION, context.getHandler());
    const permission = typeof declared === 'function' ? declared(payload as Record<string, unknown>) : declared;
    const access = await this.access.authorize(user, (payload as { session_id?: unknown }).session_id, permission ?? 'read');
    accessByPayload.set(payload, access);
    return true;
  }
}

/** The caller's access to the event's session, set by SocketSessionGuard. */
export const SocketAccess = createParamDecorator((_: unknown, context: ExecutionContext): SessionAccess => {
  const access = accessByPayload.get(context.switchToWs().getData());
  if (!access) throw new DomainError('internal', 'session access was not resolved');
  return access;
});

import { createParamDecorator, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthUser } from '../auth/auth-user.js';
import type { Permission } from '../permissions/permission-table.js';
import type { SessionAccess } from './session.mappers.js';
import { SessionAccessService } from './session-access.service.js';

const SESSION_PERMISSION = 'roundtable:session-permission';

/** The permission (PROTOCOL.md section 3) a route on /sessions/:id needs. */
export const RequireSessionPermission = (permission: Permission) => SetMetadata(SESSION_PERMISSION, permission);

/** REST: resolves the caller's access to /sessions/:id and checks the route's permission. */
@Injectable()
export class SessionPermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: SessionAccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const permission = this.reflector.get<Permission | undefined>(SESSION_PERMISSION, context.getHandler());
    if (!permission) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ user: AuthUser; params: { id?: string }; sessionAccess?: SessionAccess }>();
    request.sessionAccess = await this.access.authorize(request.user, request.params.id, permission);
    return true;
  }
}

/** The caller's access to the session of the route, set by SessionPermissionGuard. */
export const Access = createParamDecorator(
  (_: unknown, context: ExecutionContext): SessionAccess => context.switchToHttp().getRequest().sessionAccess,
);

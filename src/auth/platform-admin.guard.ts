import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import type { AuthUser } from './auth-user.js';

/** REST routes for platform admins only (ADMIN_EMAILS and an operator's grant, checked per request). */
@Injectable()
export class PlatformAdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (!user?.isAdmin) throw new DomainError('forbidden', 'platform admins only');
    return true;
  }
}

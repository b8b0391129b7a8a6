import type { AuthUser } from '../auth/auth-user.js';
import { DomainError } from '../common/domain-error.js';

/**
 * The operator pays for every model call: a session may use the default model
 * or one the operator offers (AGENT_MODELS). Only platform admins may name
 * another.
 */
export function checkModelAllowed(user: AuthUser, model: string | null | undefined, offered: readonly string[]): void {
  if (model === undefined || model === null || offered.includes(model) || user.isAdmin) return;
  throw new DomainError(
    'forbidden',
    `the model "${model.slice(0, 100)}" is not offered on this server; choose one of: ${offered.join(', ')}`,
  );
}

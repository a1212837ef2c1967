// Which SPIFFE identities a token's user may be issued, the CA's one authorization decision:
// a Kubernetes service-account user `system:serviceaccount:<ns>:<sa>` may have exactly its own
// identity; the CA's admin users (the demo's single token) any identity in the trust domain; nobody else.
import type { SpiffeIdentity } from '../../../../lib/identity/spiffe';

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

export interface IdentityPolicy {
  trustDomain: string;
  /** Users that may be issued any identity of the trust domain (`--ca-admin-users`). */
  adminUsers: ReadonlySet<string>;
  /** Without a token file every caller is anonymous; issue to them only when asked (tests). */
  allowAnonymous: boolean;
  /** The name unauthenticated callers carry. */
  anonymousUser: string;
}

export type Decision = { ok: true } | { ok: false; reason: string };

/** The service account a Kubernetes-style user name stands for, or undefined. */
export function serviceAccountOf(user: string): { namespace: string; serviceAccount: string } | undefined {
  if (!user.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) return undefined;
  const parts = user.slice(SERVICE_ACCOUNT_USER_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], serviceAccount: parts[1] };
}

export function mayHold(user: string, id: SpiffeIdentity, policy: IdentityPolicy): Decision {
  if (id.trustDomain !== policy.trustDomain)
    return { ok: false, reason: `trust domain ${id.trustDomain} is not this CA's (${policy.trustDomain})` };
  if (user === policy.anonymousUser)
    return policy.allowAnonymous
      ? { ok: true }
      : { ok: false, reason: 'anonymous callers get no identity (serve with --token-file)' };
  if (policy.adminUsers.has(user)) return { ok: true };
  const sa = serviceAccountOf(user);
  if (sa && sa.namespace === id.namespace && sa.serviceAccount === id.serviceAccount) return { ok: true };
  return {
    ok: false,
    reason: sa
      ? `user ${user} may only have ns/${sa.namespace}/sa/${sa.serviceAccount}`
      : `user ${user} is neither a service account (${SERVICE_ACCOUNT_USER_PREFIX}<ns>:<sa>) nor a CA admin (--ca-admin-users)`,
  };
}

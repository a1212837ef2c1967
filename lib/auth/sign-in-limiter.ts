// Exponential backoff for sign-in, per client: after a few failed tokens a client must wait, the
// wait doubling with each further failure up to a ceiling. In memory and bounded: beyond
// `clientsMax` clients the one idle longest is forgotten, so a flood of addresses costs no memory.
import { type SignInLimits, signInLimits } from './settings';

export type Admission = { ok: true } | { ok: false; retryAfterS: number };

interface ClientState {
  failures: number;
  /** Epoch ms before which the client may not try again. */
  blockedUntil: number;
  /** Epoch ms of the last failure: failures are forgotten a ceiling's wait after it. */
  lastFailure: number;
}

export class SignInLimiter {
  // A Map keeps insertion order; a client is re-inserted on each failure, so the first is the
  // one idle longest.
  private readonly clients = new Map<string, ClientState>();

  constructor(private readonly limits: SignInLimits) {}

  get size(): number {
    return this.clients.size;
  }

  /** Whether `key` may try a token now; call before checking it, with no await in between. */
  admit(key: string, nowMs: number): Admission {
    const state = this.current(key, nowMs);
    if (!state || state.blockedUntil <= nowMs) return { ok: true };
    return { ok: false, retryAfterS: Math.ceil((state.blockedUntil - nowMs) / 1000) };
  }

  failed(key: string, nowMs: number): void {
    const failures = (this.current(key, nowMs)?.failures ?? 0) + 1;
    const over = failures - this.limits.freeFailures;
    const waitS =
      over <= 0 ? 0 : Math.min(this.limits.backoffBaseS * 2 ** (over - 1), this.limits.backoffMaxS);
    this.clients.delete(key);
    this.clients.set(key, { failures, blockedUntil: nowMs + waitS * 1000, lastFailure: nowMs });
    while (this.clients.size > this.limits.clientsMax) {
      const oldest = this.clients.keys().next().value;
      if (oldest === undefined) break;
      this.clients.delete(oldest);
    }
  }

  succeeded(key: string): void {
    this.clients.delete(key);
  }

  private current(key: string, nowMs: number): ClientState | undefined {
    const state = this.clients.get(key);
    if (state && nowMs - state.lastFailure > this.limits.backoffMaxS * 1000 && state.blockedUntil <= nowMs) {
      this.clients.delete(key);
      return undefined;
    }
    return state;
  }
}

const globalLimiter = globalThis as typeof globalThis & { __meshlensSignInLimiter?: SignInLimiter };

/** The process's limiter, with the limits from the environment. */
export function signInLimiter(): SignInLimiter {
  globalLimiter.__meshlensSignInLimiter ??= new SignInLimiter(signInLimits());
  return globalLimiter.__meshlensSignInLimiter;
}

// The dashboard's security settings, read from the environment. No `server-only` and no
// `next/headers` here, so that the proxy (proxy.ts) and route handlers read the same values.
import { randomBytes } from 'node:crypto';

export type AuthMode = 'anonymous' | 'token';

type Env = Readonly<Record<string, string | undefined>>;

/** Failed sign-ins a client may make before it has to wait. */
export const SIGN_IN_FREE_FAILURES = 3;
/** The first wait after the free failures; each further failure doubles it. */
export const SIGN_IN_BACKOFF_BASE_S = 1;
/** The longest wait between sign-in attempts; the wait doubles per failure up to this. */
export const SIGN_IN_BACKOFF_MAX_S = 900;
/** Clients whose failures are remembered at once (the oldest is forgotten beyond it). */
export const SIGN_IN_CLIENTS_MAX = 10_000;

/** `MESHLENS_AUTH`: `token` requires sign-in for changes; anything else runs anonymous. */
export function authMode(env: Env = process.env): AuthMode {
  return env.MESHLENS_AUTH === 'token' ? 'token' : 'anonymous';
}

/** `MESHLENS_AUTH_READS=1` with `MESHLENS_AUTH=token`: pages and reading APIs need a session too. */
export function readsNeedSession(env: Env = process.env): boolean {
  return authMode(env) === 'token' && isOn(env.MESHLENS_AUTH_READS);
}

/** `MESHLENS_TRUST_FORWARDED_PROTO=1`: a TLS-terminating proxy in front sets `X-Forwarded-Proto`. */
export function trustForwardedProto(env: Env = process.env): boolean {
  return isOn(env.MESHLENS_TRUST_FORWARDED_PROTO);
}

/** `MESHLENS_TRUST_FORWARDED_FOR=1`: a proxy in front appends the client's address to `X-Forwarded-For`. */
export function trustForwardedFor(env: Env = process.env): boolean {
  return isOn(env.MESHLENS_TRUST_FORWARDED_FOR);
}

/** `MESHLENS_ALLOWED_ORIGINS`: other origins (a reverse proxy's public one) allowed to write. */
export function allowedOrigins(env: Env = process.env): string[] {
  return list(env.MESHLENS_ALLOWED_ORIGINS);
}

/** `MESHLENS_ALLOWED_HOSTS`: `Host` names (`name` for any port, `name:port`) besides loopback. */
export function allowedHosts(env: Env = process.env): string[] {
  return list(env.MESHLENS_ALLOWED_HOSTS);
}

export interface SignInLimits {
  freeFailures: number;
  backoffBaseS: number;
  backoffMaxS: number;
  clientsMax: number;
}

/**
 * `MESHLENS_SIGN_IN_FREE_FAILURES`, `MESHLENS_SIGN_IN_BACKOFF_BASE_S`, `MESHLENS_SIGN_IN_BACKOFF_MAX_S`,
 * `MESHLENS_SIGN_IN_CLIENTS_MAX`.
 */
export function signInLimits(env: Env = process.env): SignInLimits {
  return {
    freeFailures: whole(env, 'MESHLENS_SIGN_IN_FREE_FAILURES', SIGN_IN_FREE_FAILURES, 0),
    backoffBaseS: whole(env, 'MESHLENS_SIGN_IN_BACKOFF_BASE_S', SIGN_IN_BACKOFF_BASE_S, 1),
    backoffMaxS: whole(env, 'MESHLENS_SIGN_IN_BACKOFF_MAX_S', SIGN_IN_BACKOFF_MAX_S, 1),
    clientsMax: whole(env, 'MESHLENS_SIGN_IN_CLIENTS_MAX', SIGN_IN_CLIENTS_MAX, 1),
  };
}

const globalSecret = globalThis as typeof globalThis & { __meshlensSessionSecret?: string };

/** `MESHLENS_SESSION_SECRET`, else a random secret for this process (sessions end on restart). */
export function sessionSecret(env: Env = process.env): string {
  const fromEnv = env.MESHLENS_SESSION_SECRET;
  if (fromEnv && fromEnv.length >= 16) return fromEnv;
  globalSecret.__meshlensSessionSecret ??= randomBytes(32).toString('base64url');
  return globalSecret.__meshlensSessionSecret;
}

function isOn(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A whole number setting; a malformed value falls back to the default, with a line in the log. */
function whole(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (Number.isSafeInteger(n) && n >= min) return n;
  console.error(`meshlens: ${name}=${raw} is not a whole number >= ${min}; using ${fallback}`);
  return fallback;
}

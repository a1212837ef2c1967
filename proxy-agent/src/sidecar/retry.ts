// Retry policy: which outcomes of an upstream try are retried (Envoy's retry_on conditions, as Istio
// passes them through) and the full-jitter exponential back-off between tries (base 25 ms, cap 250 ms).

import { durationMs } from '../../../lib/mesh-config/duration';
import type { HTTPRetry } from '../../../lib/mesh-config/schema';

export const On = {
  FIVE_XX: 1,
  GATEWAY_ERROR: 2,
  CONNECT_FAILURE: 4,
  RESET: 8,
  RETRIABLE_4XX: 16,
  RETRIABLE_STATUS_CODES: 32,
  REFUSED_STREAM: 64,
  // gRPC status conditions: a gRPC answer's grpc-status (trailers or trailers-only), as Envoy's retry_on.
  CANCELLED: 128,
  DEADLINE_EXCEEDED: 256,
  INTERNAL: 512,
  RESOURCE_EXHAUSTED: 1024,
  UNAVAILABLE: 2048,
} as const;

/** grpc-status codes of the gRPC retry conditions. */
const GRPC_CONDITION: Readonly<Record<number, number>> = {
  1: On.CANCELLED,
  4: On.DEADLINE_EXCEEDED,
  8: On.RESOURCE_EXHAUSTED,
  13: On.INTERNAL,
  14: On.UNAVAILABLE,
};

const BY_NAME: Record<string, number> = {
  '5xx': On.FIVE_XX,
  'gateway-error': On.GATEWAY_ERROR,
  'connect-failure': On.CONNECT_FAILURE,
  reset: On.RESET,
  'retriable-4xx': On.RETRIABLE_4XX,
  'retriable-status-codes': On.RETRIABLE_STATUS_CODES,
  'refused-stream': On.REFUSED_STREAM,
  // gRPC status conditions apply to gRPC answers only (a plain HTTP answer has no grpc-status).
  cancelled: On.CANCELLED,
  'deadline-exceeded': On.DEADLINE_EXCEEDED,
  internal: On.INTERNAL,
  'resource-exhausted': On.RESOURCE_EXHAUSTED,
  unavailable: On.UNAVAILABLE,
};

export interface RetryPolicy {
  /** Retries after the first try (Istio's `attempts`). */
  retries: number;
  /** 0: no per-try timeout. */
  perTryTimeoutMs: number;
  /** Bit set of `On` conditions. */
  on: number;
  statusCodes: ReadonlySet<number>;
}

export const BACKOFF_BASE_MS = 25;
export const BACKOFF_CAP_MS = 250;

/**
 * Istio's default when a route sets no retries: 2 retries on
 * `connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes` (503).
 */
export const ISTIO_DEFAULT_RETRY: RetryPolicy = {
  retries: 2,
  perTryTimeoutMs: 0,
  on: On.CONNECT_FAILURE | On.REFUSED_STREAM | On.UNAVAILABLE | On.CANCELLED | On.RETRIABLE_STATUS_CODES,
  statusCodes: new Set([503]),
};

export function compileRetryPolicy(r: HTTPRetry | undefined): RetryPolicy {
  if (r === undefined) return ISTIO_DEFAULT_RETRY;
  const perTryTimeoutMs = durationMs(r.perTryTimeout, 0);
  if (r.retryOn === undefined) return { ...ISTIO_DEFAULT_RETRY, retries: r.attempts, perTryTimeoutMs };
  let on = 0;
  const statusCodes = new Set<number>();
  for (const raw of r.retryOn.split(',')) {
    const c = raw.trim();
    if (/^\d{3}$/.test(c)) {
      // Istio turns bare status codes into retriable-status-codes.
      statusCodes.add(Number(c));
      on |= On.RETRIABLE_STATUS_CODES;
    } else on |= BY_NAME[c] ?? 0;
  }
  return { retries: r.attempts, perTryTimeoutMs, on, statusCodes };
}

/** How one try ended. */
export type TryOutcome =
  /** `grpcStatus`: a gRPC answer's status, known from its head (trailers-only) or its trailers. */
  | { kind: 'response'; status: number; grpcStatus?: number }
  /** `reason`: Envoy's transport failure reason (`TLS error: …`) when the TLS handshake failed. */
  | { kind: 'connect-failure'; reason?: string }
  /** The connection broke after it was made, before a response. */
  | { kind: 'reset' }
  | { kind: 'per-try-timeout' };

/** Whether the policy retries this outcome (ignoring how many retries are left). */
export function isRetriable(policy: RetryPolicy, outcome: TryOutcome): boolean {
  const on = policy.on;
  switch (outcome.kind) {
    case 'response': {
      const s = outcome.status;
      const g = outcome.grpcStatus;
      if (g !== undefined && ((GRPC_CONDITION[g] ?? 0) & on) !== 0) return true;
      if (s >= 500 && on & On.FIVE_XX) return true;
      if ((s === 502 || s === 503 || s === 504) && on & On.GATEWAY_ERROR) return true;
      if (s === 409 && on & On.RETRIABLE_4XX) return true;
      return (on & On.RETRIABLE_STATUS_CODES) !== 0 && policy.statusCodes.has(s);
    }
    case 'connect-failure':
      return (on & (On.CONNECT_FAILURE | On.FIVE_XX | On.GATEWAY_ERROR | On.REFUSED_STREAM)) !== 0;
    case 'reset':
      return (on & (On.RESET | On.FIVE_XX)) !== 0;
    case 'per-try-timeout':
      return (on & (On.RESET | On.FIVE_XX | On.GATEWAY_ERROR)) !== 0;
  }
}

/**
 * Full-jitter back-off before retry number `retry` (1 for the first retry): uniform in
 * [0, min(cap, base × 2^(retry-1))), as Envoy's JitteredExponentialBackOffStrategy.
 */
export function backoffMs(
  retry: number,
  random: number,
  baseMs = BACKOFF_BASE_MS,
  capMs = BACKOFF_CAP_MS,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random * ceiling);
}

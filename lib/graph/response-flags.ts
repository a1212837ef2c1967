// Envoy response flags in words, for the side panel and tooltips.

export const RESPONSE_FLAG_MEANINGS: Record<string, string> = {
  '-': 'no flag: the request was answered normally',
  UH: 'no healthy upstream: every endpoint was ejected or unhealthy (503)',
  UF: 'upstream connection failure (503)',
  UO: 'upstream overflow: the circuit breaker rejected the request (503)',
  NR: 'no route configured for the request (404)',
  URX: 'retries exhausted: the retry limit was reached and the last attempt failed',
  UT: 'upstream request timeout (504)',
  UC: 'upstream connection terminated (503)',
  UR: 'upstream remote reset (503)',
  LR: 'connection reset locally',
  DC: 'downstream connection terminated: the caller went away',
  DI: 'delayed by fault injection',
  FI: 'aborted by fault injection',
  RL: 'rate limited (429)',
  UAEX: 'denied by an external authorization service',
  RLSE: 'rate limit service error',
  DPE: 'downstream protocol error',
  UPE: 'upstream protocol error',
  UMSDR: 'upstream request reached max stream duration',
  SI: 'stream idle timeout',
};

/** `UT,URX` → its flags, each with its meaning. Unknown flags are kept, with a generic explanation. */
export function explainFlags(flags: string): { flag: string; meaning: string }[] {
  return flags
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '')
    .map((flag) => ({ flag, meaning: RESPONSE_FLAG_MEANINGS[flag] ?? 'an Envoy response flag' }));
}

/** A response code in words: 0 means the caller got no response at all. */
/** gRPC status codes by number (grpc/doc/statuscodes.md). */
export const GRPC_STATUS_NAMES: readonly string[] = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** `14` → `UNAVAILABLE`; undefined for what is not a gRPC status (HTTP codes have three digits). */
export function grpcStatusName(code: string): string | undefined {
  return /^\d{1,2}$/.test(code) ? GRPC_STATUS_NAMES[Number(code)] : undefined;
}

/** A response key in words; on a gRPC element the keys are gRPC statuses (`14` → UNAVAILABLE). */
export function describeCode(code: string, protocol = 'http'): string {
  if (code === '-') return protocol === 'tcp' ? 'TCP (no response code)' : 'no response';
  const grpc = protocol === 'grpc' ? grpcStatusName(code) : undefined;
  if (grpc !== undefined) return code === '0' ? 'OK' : `${grpc} (gRPC error)`;
  if (code === '0') return 'no response';
  if (code.startsWith('2')) return 'success';
  if (code.startsWith('3')) return 'redirect';
  if (code.startsWith('4')) return 'client error';
  if (code.startsWith('5')) return 'server error';
  return 'other';
}

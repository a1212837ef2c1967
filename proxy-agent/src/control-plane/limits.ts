// Every limit the control plane enforces against its clients, with its default: one place to read them,
// each changeable with a flag of `meshlens-agent control-plane` (docs/security.md lists them).

/** A request's headers must arrive within this (Node's `headersTimeout`); flag `--headers-timeout`. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/**
 * A whole request (headers and body) must arrive within this; flag `--request-timeout`. It ends when the
 * request has been read, so a watch (a GET without a body) streams on for as long as it likes.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Kubernetes' own request limit is 3 MiB; config objects here are far smaller. Flag `--max-body-bytes`. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/**
 * Nesting of objects and arrays in a body. Istio's shapes need about 8; the bound keeps a hostile
 * `[[[[…` from overflowing the stack of the parser, the merge patch or validation. Flag `--max-body-depth`.
 */
export const DEFAULT_MAX_BODY_DEPTH = 64;
/**
 * A watcher whose unsent output passes this is closed, as kube-apiserver closes a watcher that cannot
 * keep up: the client lists and watches again. Flag `--watch-buffer-bytes`.
 */
export const DEFAULT_WATCH_BUFFER_BYTES = 4 * 1024 * 1024;
/**
 * Concurrent watches one user (token) may hold; beyond it 429. Sidecars often share a token and open
 * one watch per kind each, hence the generous default. Flag `--max-watches-per-user`.
 */
export const DEFAULT_MAX_WATCHES_PER_USER = 512;
/** Open connections; beyond it Node closes new ones at once. Flag `--max-connections`. */
export const DEFAULT_MAX_CONNECTIONS = 4096;
/** Watch events kept for resuming watches, by count (`--watch-history`) and by size (`--watch-history-bytes`). */
export const DEFAULT_HISTORY = 1000;
export const DEFAULT_HISTORY_BYTES = 64 * 1024 * 1024;
/** Objects the control plane holds, all kinds together (etcd's quota plays this part in Kubernetes). */
export const DEFAULT_MAX_OBJECTS = 10_000;
/** How far back from its end `GET /v1/audit` reads the audit log; flag `--audit-scan-bytes`. */
export const DEFAULT_AUDIT_SCAN_BYTES = 16 * 1024 * 1024;
/**
 * The file audit log rotates to `audit.log.1` at this size (one backup kept: the disk holds at most twice
 * this). Flag `--audit-max-bytes`; with etcd, `--audit-max-entries` bounds the log instead.
 */
export const DEFAULT_AUDIT_MAX_BYTES = 64 * 1024 * 1024;
/** With `--store etcd`, how many audit entries (newest first) `GET /v1/audit` reads; flag `--audit-scan-entries`. */
export const DEFAULT_AUDIT_SCAN_ENTRIES = 10_000;

/**
 * Largest body of a certificate signing request (`POST /v1/certificates`): a CSR is about 1 KiB, and the
 * ASN.1 parser should never see megabytes. Flag `--max-csr-bytes`.
 */
export const DEFAULT_MAX_CSR_BYTES = 64 * 1024;

export interface Limits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxBodyBytes: number;
  maxBodyDepth: number;
  watchBufferBytes: number;
  maxWatchesPerUser: number;
  maxConnections: number;
  historySize: number;
  historyBytes: number;
  maxObjects: number;
  auditScanBytes: number;
  auditMaxBytes: number;
  auditScanEntries: number;
  maxCsrBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  headersTimeoutMs: DEFAULT_HEADERS_TIMEOUT_MS,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  maxBodyDepth: DEFAULT_MAX_BODY_DEPTH,
  watchBufferBytes: DEFAULT_WATCH_BUFFER_BYTES,
  maxWatchesPerUser: DEFAULT_MAX_WATCHES_PER_USER,
  maxConnections: DEFAULT_MAX_CONNECTIONS,
  historySize: DEFAULT_HISTORY,
  historyBytes: DEFAULT_HISTORY_BYTES,
  maxObjects: DEFAULT_MAX_OBJECTS,
  auditScanBytes: DEFAULT_AUDIT_SCAN_BYTES,
  auditMaxBytes: DEFAULT_AUDIT_MAX_BYTES,
  auditScanEntries: DEFAULT_AUDIT_SCAN_ENTRIES,
  maxCsrBytes: DEFAULT_MAX_CSR_BYTES,
};

/** The limits with `overrides` applied; throws naming the first that is not a positive integer. */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof Limits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new Error(`limit ${key} must be a positive integer`);
    out[key] = value;
  }
  if (out.headersTimeoutMs > out.requestTimeoutMs)
    throw new Error('the headers timeout must not be longer than the request timeout');
  return out;
}

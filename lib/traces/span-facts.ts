// What a sidecar span says about its hop, read from Istio's span tags: kind, status code, response flags
// in words, upstream cluster, peer, and the retry attempts recorded as span events (Jaeger logs).

import { explainFlags, grpcStatusName } from '@/lib/graph/response-flags';
import type { KeyValue, Log, Span } from '@/lib/jaeger/model';
import { findTag, tagNumber, tagString, tagText } from './tags';

export interface Attempt {
  attempt: number;
  /** `host:port` the attempt went to. */
  endpoint?: string;
  /** 0: no response. */
  statusCode?: number;
  responseFlags?: string;
  durationMs?: number;
  /** µs since the epoch (the event's time). */
  timestamp: number;
}

export interface HopFacts {
  kind?: string;
  method?: string;
  url?: string;
  statusCode?: number;
  /** The gRPC status of a gRPC hop (`UNAVAILABLE (14)`), absent on other protocols. */
  grpcStatus?: GrpcStatus;
  /** Envoy's flags, absent when `-` (none). */
  responseFlags?: { flag: string; meaning: string }[];
  upstreamCluster?: string;
  peerAddress?: string;
  canonicalService?: string;
  attempts: Attempt[];
}

function fieldOf(fields: readonly KeyValue[], key: string): KeyValue | undefined {
  return findTag(fields, key);
}

function numberField(fields: readonly KeyValue[], key: string): number | undefined {
  const f = fieldOf(fields, key);
  if (f === undefined) return undefined;
  const n = Number(tagText(f));
  return tagText(f).trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** A retry attempt event: any log carrying an `attempt` number (whatever its event name). */
export function attemptOf(log: Log): Attempt | undefined {
  const attempt = numberField(log.fields, 'attempt');
  if (attempt === undefined) return undefined;
  const endpoint = fieldOf(log.fields, 'endpoint');
  const flags = fieldOf(log.fields, 'response_flags');
  return {
    attempt,
    endpoint: endpoint === undefined ? undefined : tagText(endpoint),
    statusCode: numberField(log.fields, 'http.status_code'),
    responseFlags: flags === undefined ? undefined : tagText(flags),
    durationMs: numberField(log.fields, 'duration_ms'),
    timestamp: log.timestamp,
  };
}

/** The span's attempts in order. */
export function attemptsOf(span: Pick<Span, 'logs'>): Attempt[] {
  return span.logs
    .map(attemptOf)
    .filter((a): a is Attempt => a !== undefined)
    .sort((a, b) => a.attempt - b.attempt || a.timestamp - b.timestamp);
}

export interface GrpcStatus {
  code: number;
  /** `UNAVAILABLE`; `OK` for 0. */
  name: string;
}

/**
 * The gRPC status a span carries: OpenTelemetry's `rpc.grpc.status_code`, or `grpc.status_code` as Envoy's
 * tracers write it. Undefined when absent or not a gRPC status (0–16).
 */
export function grpcStatusOf(tags: readonly KeyValue[]): GrpcStatus | undefined {
  const tag = findTag(tags, 'rpc.grpc.status_code') ?? findTag(tags, 'grpc.status_code');
  return tag === undefined ? undefined : grpcStatusOfCode(tagText(tag).trim());
}

/** A gRPC status code (`14`, `"14"`) with its name; undefined when it is not one (0–16). */
export function grpcStatusOfCode(code: number | string): GrpcStatus | undefined {
  const text = String(code);
  const name = grpcStatusName(text);
  return name === undefined ? undefined : { code: Number(text), name };
}

/** A gRPC status in words: `UNAVAILABLE (gRPC 14)`. */
export function grpcStatusInWords(status: GrpcStatus): string {
  return `${status.name} (gRPC ${status.code})`;
}

/** A flags string in words; undefined for none (`-` or empty). */
export function flagsInWords(flags: string | undefined): { flag: string; meaning: string }[] | undefined {
  if (flags === undefined || flags.trim() === '' || flags.trim() === '-') return undefined;
  return explainFlags(flags);
}

export function hopFacts(span: Pick<Span, 'tags' | 'logs'>): HopFacts {
  return {
    kind: tagString(span.tags, 'span.kind'),
    method: tagString(span.tags, 'http.method'),
    url: tagString(span.tags, 'http.url'),
    statusCode: tagNumber(span.tags, 'http.status_code'),
    grpcStatus: grpcStatusOf(span.tags),
    responseFlags: flagsInWords(tagString(span.tags, 'response_flags')),
    upstreamCluster: tagString(span.tags, 'upstream_cluster'),
    peerAddress: tagString(span.tags, 'peer.address'),
    canonicalService: tagString(span.tags, 'istio.canonical_service'),
    attempts: attemptsOf(span),
  };
}

// Fault injection (Envoy's fault filter): delay a percentage of requests by a fixed time (flag DI) and
// abort a percentage with a status code (flag FI). Each decided with its own random draw.

import { durationMs } from '../../../lib/mesh-config/duration';
import type { HTTPFaultInjection } from '../../../lib/mesh-config/schema';

export interface FaultPolicy {
  delayMs: number;
  /** Share of requests delayed, 0..1. */
  delayFraction: number;
  abortStatus: number;
  abortFraction: number;
}

/** A percentage left out applies the fault to every request. */
export function compileFault(f: HTTPFaultInjection | undefined): FaultPolicy | undefined {
  if (f === undefined || (f.delay === undefined && f.abort === undefined)) return undefined;
  return {
    delayMs: f.delay ? durationMs(f.delay.fixedDelay, 0) : 0,
    delayFraction: f.delay ? (f.delay.percentage?.value ?? 100) / 100 : 0,
    abortStatus: f.abort?.httpStatus ?? 0,
    abortFraction: f.abort ? (f.abort.percentage?.value ?? 100) / 100 : 0,
  };
}

export interface FaultDecision {
  /** 0: no delay. */
  delayMs: number;
  /** 0: no abort. */
  abortStatus: number;
}

const NONE: FaultDecision = { delayMs: 0, abortStatus: 0 };

export function decideFault(
  policy: FaultPolicy | undefined,
  delayRandom: number,
  abortRandom: number,
): FaultDecision {
  if (policy === undefined) return NONE;
  const delayMs = policy.delayMs > 0 && delayRandom < policy.delayFraction ? policy.delayMs : 0;
  const abortStatus = policy.abortStatus > 0 && abortRandom < policy.abortFraction ? policy.abortStatus : 0;
  return delayMs === 0 && abortStatus === 0 ? NONE : { delayMs, abortStatus };
}

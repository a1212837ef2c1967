// How a demo app misbehaves: error bursts on chosen instances, a latency tail on chosen versions.
// The knobs live on the service's ServiceEntry (annotation below) so that a scenario is a
// control-plane change; the decisions here are pure functions of the knobs, the clock and a die.

export const BEHAVIOUR_ANNOTATION = 'demo.meshlens.io/behaviour';

export interface Behaviour {
  /** Instances that fail in bursts: `burstMs` of mostly-503 every `periodMs`. */
  errorBursts?: { instances: string[]; periodMs: number; burstMs: number; failPercent: number };
  /** Versions with a slow tail: `percent` of requests take an extra `delayMs` (± 50 %). */
  latencyTail?: { versions: string[]; percent: number; delayMs: number };
}

export function parseBehaviour(annotation: string | undefined): Behaviour {
  if (!annotation) return {};
  try {
    const value: unknown = JSON.parse(annotation);
    return typeof value === 'object' && value !== null ? (value as Behaviour) : {};
  } catch {
    return {};
  }
}

export interface Decision {
  /** Status to answer with instead of the normal response, if any. */
  failWith?: number;
  /** Extra delay before answering. */
  delayMs: number;
}

/**
 * What one request to `instance` (of `version`) should do now. `random` yields [0, 1);
 * bursts are phase-shifted per instance name so several flaky instances don't fail in lock-step.
 */
export function decide(
  behaviour: Behaviour,
  instance: string,
  version: string,
  nowMs: number,
  random: () => number,
): Decision {
  const decision: Decision = { delayMs: 0 };
  const bursts = behaviour.errorBursts;
  if (bursts?.instances.includes(instance) && bursts.periodMs > 0) {
    const phase = (nowMs + phaseOffset(instance, bursts.periodMs)) % bursts.periodMs;
    if (phase < bursts.burstMs && random() * 100 < bursts.failPercent) decision.failWith = 503;
  }
  const tail = behaviour.latencyTail;
  if (tail?.versions.includes(version) && random() * 100 < tail.percent) {
    decision.delayMs = Math.round(tail.delayMs * (0.5 + random()));
  }
  return decision;
}

function phaseOffset(name: string, period: number): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return h % period;
}

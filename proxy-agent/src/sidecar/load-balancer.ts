// Load balancing across the endpoints of a cluster that may take traffic: ROUND_ROBIN, LEAST_REQUEST
// (Envoy's power of two choices) and RANDOM. Istio's default is LEAST_REQUEST.
export type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'PASSTHROUGH';

export interface Balanceable {
  activeRequests: number;
}

export interface LbState {
  next: number;
}

export function pickEndpoint<E extends Balanceable>(
  candidates: readonly E[],
  policy: LbPolicy,
  state: LbState,
  random: () => number,
): E | undefined {
  const n = candidates.length;
  if (n <= 1) return candidates[0];
  switch (policy) {
    case 'ROUND_ROBIN': {
      const i = state.next % n;
      state.next = (i + 1) % n;
      return candidates[i];
    }
    case 'RANDOM':
      return candidates[Math.floor(random() * n)];
    default: {
      // Two distinct random choices; the one with fewer active requests wins.
      const a = Math.floor(random() * n);
      let b = Math.floor(random() * (n - 1));
      if (b >= a) b++;
      const ea = candidates[a] as E;
      const eb = candidates[b] as E;
      return eb.activeRequests < ea.activeRequests ? eb : ea;
    }
  }
}

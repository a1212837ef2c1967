// Envoy response flags: a bit set per request, rendered in Envoy's own order (`UT,URX`), and the local
// replies Envoy sends when the sidecar answers instead of an upstream.

/** Bits in Envoy's enum order, so that joining them gives Envoy's flag string. */
export const Flag = {
  UH: 1 << 1,
  UT: 1 << 2,
  LR: 1 << 3,
  UR: 1 << 4,
  UF: 1 << 5,
  UC: 1 << 6,
  UO: 1 << 7,
  NR: 1 << 8,
  DI: 1 << 9,
  FI: 1 << 10,
  DC: 1 << 14,
  URX: 1 << 15,
  /** Downstream protocol error: a malformed HTTP/2 frame, a gRPC call without `te: trailers`. */
  DPE: 1 << 18,
  /** Upstream protocol error. */
  UPE: 1 << 23,
} as const;

export type FlagName = keyof typeof Flag;

const ORDER = (Object.keys(Flag) as FlagName[]).sort((a, b) => Flag[a] - Flag[b]);
const rendered = new Map<number, string>();

/** `-` when no flag is set, else the flags joined with ',' in Envoy's order. */
export function flagString(bits: number): string {
  if (bits === 0) return '-';
  let s = rendered.get(bits);
  if (s === undefined) {
    s = ORDER.filter((f) => (bits & Flag[f]) !== 0).join(',');
    rendered.set(bits, s);
  }
  return s;
}

export interface LocalReply {
  status: number;
  body: string;
}

/** What Envoy answers when it replies itself, by the flag that caused the reply. */
export const LOCAL_REPLY = {
  NR: { status: 404, body: '' },
  UH: { status: 503, body: 'no healthy upstream' },
  UF: {
    status: 503,
    body: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure',
  },
  UC: {
    status: 503,
    body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
  },
  UO: {
    status: 503,
    body: 'upstream connect error or disconnect/reset before headers. reset reason: overflow',
  },
  UT: { status: 504, body: 'upstream request timeout' },
  FI: { status: 503, body: 'fault filter abort' },
} as const satisfies Record<string, LocalReply>;

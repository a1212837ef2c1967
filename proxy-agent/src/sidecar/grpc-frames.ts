// gRPC over HTTP/2 as the sidecar reads it: messages counted from their 5-byte length prefixes (Istio's
// istio_request_messages_total / istio_response_messages_total), and the status from grpc-status.

/** Counts the length-prefixed messages of one direction of a gRPC stream, across chunk boundaries. */
export class GrpcMessageCounter {
  messages = 0;
  /** Body bytes of the current message still to skip. */
  private remaining = 0;
  /** Bytes of the current 5-byte prefix seen so far, and its length bytes. */
  private headerSeen = 0;
  private length = 0;

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, chunk.length - i);
        this.remaining -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i++] as number;
      // Byte 0 is the compressed flag; bytes 1-4 the big-endian length.
      if (this.headerSeen > 0) this.length = this.length * 256 + byte;
      this.headerSeen++;
      if (this.headerSeen === 5) {
        this.messages++;
        this.remaining = this.length;
        this.headerSeen = 0;
        this.length = 0;
      }
    }
  }
}

export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** grpc-status from headers or trailers; undefined when absent or not a number. */
export function grpcStatusOf(headers: Record<string, unknown> | undefined): number | undefined {
  const v = headers?.['grpc-status'];
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s !== 'string' || !/^\d{1,2}$/.test(s)) return undefined;
  return Number(s);
}

/** gRPC's status for an HTTP status when no grpc-status came (the gRPC HTTP mapping). */
export function grpcStatusForHttp(status: number): number {
  switch (status) {
    case 200:
      return GrpcStatus.UNKNOWN;
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return 12;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

/** `/package.Service/Method` → service and method; undefined for any other path. */
export function grpcMethodOf(path: string): { service: string; method: string } | undefined {
  const m = /^\/([^/?]+)\/([^/?]+)$/.exec(path);
  return m ? { service: m[1] as string, method: m[2] as string } : undefined;
}

// Ratings over gRPC, with @grpc/grpc-js on both ends: the service (`/bookinfo.Ratings/Get`, JSON
// messages — the framing is gRPC's whatever the encoding), the ratings server that reads the store and
// the external service, and the client reviews calls it with through its sidecar. Failures are gRPC
// statuses (UNAVAILABLE), not HTTP codes. Loaded only by the apps that speak gRPC (memory).
import * as grpc from '@grpc/grpc-js';
import { type Behaviour, decide } from './app-behaviour';
import type { AppHandle } from './app-handle';
import type { StoreClient } from './store';

type Msg = Record<string, unknown>;

const json = {
  serialize: (v: Msg) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer): Msg => {
    const v: unknown = JSON.parse(b.toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Msg) : {};
  },
};

export const RATINGS_GET = '/bookinfo.Ratings/Get';

const RATINGS_SERVICE = {
  get: {
    path: RATINGS_GET,
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
} satisfies grpc.ServiceDefinition;

/** A call's deadline, as the HTTP calls' timeout. */
const CALL_DEADLINE_MS = 15_000;
/** Largest message either end accepts (the ratings are a few dozen bytes). */
const MAX_MESSAGE_BYTES = 64 * 1024;

export interface RatingsServerOptions {
  port: number;
  instance: string;
  version: string;
  behaviour: () => Behaviour;
  store: StoreClient;
  /** The other dependencies (the external service over HTTP): an error text, or undefined when fine. */
  dependencies: (headers: Record<string, string>) => Promise<string | undefined>;
  /** Which request metadata to pass on to the dependencies (B3 and the request id). */
  forwarded: readonly string[];
}

function metadataHeaders(md: grpc.Metadata, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = md.get(name)[0];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

export async function startRatingsServer(options: RatingsServerOptions): Promise<AppHandle> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  server.addService(RATINGS_SERVICE, {
    get: async (call: grpc.ServerUnaryCall<Msg, Msg>, done: grpc.sendUnaryData<Msg>) => {
      const decision = decide(
        options.behaviour(),
        options.instance,
        options.version,
        Date.now(),
        Math.random,
      );
      if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
      if (decision.failWith !== undefined) {
        done({ code: grpc.status.UNAVAILABLE, details: `demo error burst on ${options.instance}` });
        return;
      }
      const id = typeof call.request.id === 'number' ? call.request.id : 0;
      const [stored, failed] = await Promise.all([
        options.store.get(`ratings/${id}`),
        options.dependencies(metadataHeaders(call.metadata, options.forwarded)),
      ]);
      if (failed !== undefined || stored.value === undefined) {
        // A failed dependency fails this call too, as an HTTP app answers 503.
        done({ code: grpc.status.UNAVAILABLE, details: failed ?? stored.error ?? 'store failed' });
        return;
      }
      let ratings: unknown = {};
      try {
        ratings = JSON.parse(stored.value);
      } catch {
        done({ code: grpc.status.INTERNAL, details: 'the store answered no JSON' });
        return;
      }
      done(null, {
        service: 'ratings',
        version: options.version,
        instance: options.instance,
        id,
        ratings,
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/** A ratings client through the sidecar's outbound port; the service is named by :authority. */
export class RatingsClient {
  private readonly client: grpc.Client;

  constructor(outboundPort: number, authority: string) {
    this.client = new grpc.Client(`127.0.0.1:${outboundPort}`, grpc.credentials.createInsecure(), {
      'grpc.default_authority': authority,
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      // Retries are the sidecar's job (the VirtualService), as in a mesh.
      'grpc.enable_retries': 0,
    });
  }

  /** Calls Get; resolves with the gRPC status code (0 OK) and its message. */
  get(id: number, headers: Record<string, string>): Promise<{ code: number; details: string }> {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(headers)) md.set(k, v);
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        RATINGS_GET,
        json.serialize,
        json.deserialize,
        { id },
        md,
        { deadline: Date.now() + CALL_DEADLINE_MS },
        (err: grpc.ServiceError | null) =>
          resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: '' }),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

/** A gRPC status code in words, as `14 UNAVAILABLE`. */
export function grpcStatusName(code: number): string {
  return `${code} ${grpc.status[code] ?? 'UNKNOWN'}`;
}

// A real gRPC service for the protocol tests (and the bench): @grpc/grpc-js server and client with
// JSON messages (gRPC framing is the same whatever the message encoding), all four kinds of call.
import * as grpc from '@grpc/grpc-js';

const json = {
  serialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer) => JSON.parse(b.toString()) as Record<string, unknown>,
};
type Msg = Record<string, unknown>;

function method(path: string, requestStream: boolean, responseStream: boolean) {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  };
}

export const RATINGS_SERVICE = {
  get: method('/demo.Ratings/Get', false, false),
  list: method('/demo.Ratings/List', false, true),
  record: method('/demo.Ratings/Record', true, false),
  chat: method('/demo.Ratings/Chat', true, true),
} satisfies grpc.ServiceDefinition;

export const RatingsClient = grpc.makeGenericClientConstructor(RATINGS_SERVICE, 'Ratings');
export type RatingsClientT = InstanceType<typeof RatingsClient>;

export interface GrpcServerHandle {
  port: number;
  calls: number;
  close(): Promise<void>;
}

/** Get answers {stars}; `{fail: code, times: n}` fails the first n calls with that status. */
export async function startRatingsServer(): Promise<GrpcServerHandle> {
  const server = new grpc.Server();
  const handle = { port: 0, calls: 0, close: async () => {} };
  /** Failures so far by request id (`times` counts per id). */
  const failed = new Map<unknown, number>();
  server.addService(RATINGS_SERVICE, {
    get: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      handle.calls++;
      const req = call.request;
      const n = failed.get(req.id) ?? 0;
      if (typeof req.fail === 'number' && n < Number(req.times ?? Number.POSITIVE_INFINITY)) {
        failed.set(req.id, n + 1);
        cb({ code: req.fail, details: 'ratings store down' });
        return;
      }
      cb(null, { id: req.id, stars: 5 });
    },
    list: (call: grpc.ServerWritableStream<Msg, Msg>) => {
      handle.calls++;
      for (let i = 0; i < Number(call.request.n ?? 3); i++) call.write({ i });
      call.end();
    },
    record: (call: grpc.ServerReadableStream<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      handle.calls++;
      let n = 0;
      call.on('data', () => n++);
      call.on('end', () => cb(null, { received: n }));
    },
    chat: (call: grpc.ServerDuplexStream<Msg, Msg>) => {
      handle.calls++;
      call.on('data', (m: Msg) => call.write({ echo: m.text }));
      call.on('end', () => call.end());
    },
  });
  handle.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
  handle.close = () => new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  return handle;
}

/** A client of the sidecar's outbound port, naming the service by :authority. */
export function ratingsClient(outboundPort: number, authority: string): RatingsClientT {
  return new RatingsClient(`127.0.0.1:${outboundPort}`, grpc.credentials.createInsecure(), {
    'grpc.default_authority': authority,
  });
}

export function unary(
  client: RatingsClientT,
  req: Msg,
): Promise<{ err: grpc.ServiceError | null; res?: Msg }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      RATINGS_SERVICE.get.path,
      json.serialize,
      json.deserialize,
      req,
      (err: grpc.ServiceError | null, res?: Msg) => resolve({ err, res }),
    );
  });
}

export { grpc, json };

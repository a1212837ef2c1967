// The gRPC benchmark's upstream: a real @grpc/grpc-js server with one unary method that echoes its
// message (bytes as they are: no serialization cost in the way). Prints `listening <port>`.
//   node grpc-upstream.mjs [port]
import * as grpc from '@grpc/grpc-js';

const identity = (b) => b;
const server = new grpc.Server();
server.addService(
  {
    unary: {
      path: '/bench.Echo/Unary',
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  },
  { unary: (call, done) => done(null, call.request) },
);
server.bindAsync(
  `127.0.0.1:${Number(process.argv[2] ?? 0)}`,
  grpc.ServerCredentials.createInsecure(),
  (err, port) => {
    if (err) throw err;
    console.log(`listening ${port}`);
  },
);
process.on('SIGTERM', () => server.forceShutdown());

// The Node floor for the TCP benchmark: a bare net server piping each connection to 127.0.0.1:<target>
// (no routing, no telemetry). Prints `listening <port>`.
//   node tcp-pipe-proxy.mjs <port> <targetPort>
import net from 'node:net';

const target = Number(process.argv[3]);
const server = net.createServer({ allowHalfOpen: true }, (down) => {
  const up = net.connect(target, '127.0.0.1');
  down.pipe(up).pipe(down);
  down.on('error', () => up.destroy());
  up.on('error', () => down.destroy());
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () =>
  console.log(`listening ${server.address().port}`),
);

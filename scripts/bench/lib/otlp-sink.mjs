// An OTLP/HTTP trace receiver that accepts and discards, so the sidecar's exporter does real work against a
// live backend during the benchmark. Counts the spans it received. Prints `listening <port>`;
// GET /count answers the number of POSTs and bytes received.
import http from 'node:http';

let posts = 0;
let bytes = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ posts, bytes }));
    return;
  }
  req.on('data', (d) => {
    bytes += d.length;
  });
  req.on('end', () => {
    posts++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () =>
  console.log(`listening ${server.address().port}`),
);
process.on('SIGTERM', () => process.exit(0));

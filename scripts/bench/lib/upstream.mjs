// The upstream app for the sidecar benchmark, run as its own process: answers every request with a small
// JSON body (about what a Bookinfo service answers) on keep-alive connections. Prints `listening <port>`.
import http from 'node:http';

const BODY = Buffer.from(
  JSON.stringify({
    id: 0,
    reviews: [{ reviewer: 'Reviewer1', text: 'An extremely entertaining play by Shakespeare.' }],
  }),
);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));

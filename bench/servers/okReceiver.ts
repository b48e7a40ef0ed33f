// Forwarding benchmark receiver: a bare node:http server that drains each request and answers 200 at once.
// Usage: node okReceiver.js <port>
import http from 'node:http';

const port = Number(process.argv[2]);
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(200).end());
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});

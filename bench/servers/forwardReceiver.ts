// Forwarding benchmark receiver: answers every POST 200 at once and notes, per delivery, its webhook-id, when it arrived
// (wall clock, sub-millisecond) and, for a Standard Webhooks envelope, when the ledger received the callback.
// GET /report hands the notes back as JSON; GET /reset forgets them. Usage: node forwardReceiver.js <port>
import http from 'node:http';

const port = Number(process.argv[2]);
const RECEIVED_AT = /"receivedAt":"([^"]+)"/;
/** [webhook-id, arrival ms, ledger receivedAt ms or null], in arrival order. */
let arrivals: Array<[string, number, number | null]> = [];

const server = http.createServer((request, response) => {
  if (request.method !== 'POST') {
    if (request.url === '/reset') arrivals = [];
    const body = request.url === '/report' ? JSON.stringify({ arrivals }) : '{}';
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return;
  }
  const arrivedAt = performance.timeOrigin + performance.now();
  const id = String(request.headers['webhook-id'] ?? '');
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => {
    if (body.length < 65_536) body += chunk;
  });
  request.on('end', () => {
    response.writeHead(200).end();
    const receivedAt = RECEIVED_AT.exec(body)?.[1];
    arrivals.push([id, arrivedAt, receivedAt === undefined ? null : Date.parse(receivedAt)]);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});

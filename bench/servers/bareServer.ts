// Ingest baseline: a bare node:http server that reads the body, parses the JSON and answers {"code":0}. Nothing is stored.
// Usage: node bareServer.js <port>
import http from 'node:http';

const port = Number(process.argv[2]);
const OK = '{"code":0}';

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(OK);
      return;
    }
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      if (body === null || typeof body !== 'object') throw new Error('not an object');
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(OK);
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"code":400}');
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});

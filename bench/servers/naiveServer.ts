// Naive-ingest baseline: the service's parse, authentication and interpretation of a callback, then one row per
// request in its own SQLite commit (better-sqlite3, WAL, synchronous=FULL): no group commit, no framework, no projector.
// Usage: node naiveServer.js <port> <sqlite file> <callback key> <token>
import http from 'node:http';
import { URL } from 'node:url';
import Database from 'better-sqlite3';
import { parseCallbackBody } from '../../src/domain/callbackJson';
import { interpretCallback } from '../../src/domain/interpretCallback';
import { authenticateCallback, type CallbackAuthConfig } from '../../src/ingest/authenticateCallback';
import { storedCallback } from '../../src/ingest/storedCallback';

const [portArg, file, key, token] = process.argv.slice(2);
const port = Number(portArg);
const auth: CallbackAuthConfig = { keys: [key!], token: token!, clockSkewSeconds: 60, maxExpiryAheadSeconds: 660, quarantineMaxLateSeconds: 0 };
const OK = '{"code":0}';
const utf8 = new TextDecoder('utf-8', { fatal: true });

const db = new Database(file!);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id    TEXT NOT NULL UNIQUE,
  stream      TEXT NOT NULL,
  type        TEXT NOT NULL,
  data        TEXT NOT NULL,
  metadata    TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
) STRICT`);
// Outside a transaction, every run() is its own commit: one fsync of the WAL per request.
const insert = db.prepare(
  'INSERT OR IGNORE INTO events (event_id, stream, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
);

function reply(response: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(body);
}

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method === 'GET') return reply(response, 200, OK);
    const receivedAt = new Date();
    let raw: string;
    try {
      raw = utf8.decode(Buffer.concat(chunks));
    } catch {
      return reply(response, 400, '{"code":400,"error":"invalid_encoding"}');
    }
    const parsed = parseCallbackBody(raw);
    if (!parsed.ok) return reply(response, 400, `{"code":400,"error":"${parsed.error}"}`);
    const urlToken = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? undefined;
    const outcome = authenticateCallback(parsed.payload, urlToken, auth, Math.floor(Date.now() / 1000));
    if (!outcome.ok) return reply(response, 401, `{"code":401,"error":"${outcome.error}"}`);
    const event = interpretCallback(parsed.payload, raw);
    const stored = storedCallback(event, {
      receivedAt: receivedAt.toISOString(),
      clientAddress: request.socket.remoteAddress ?? '',
      authenticatedBy: outcome.by,
      ...(outcome.keyIndex === undefined ? {} : { keyIndex: outcome.keyIndex }),
    });
    try {
      const info = insert.run(stored.id, event.stream, stored.type, JSON.stringify(stored.data), JSON.stringify(stored.metadata), Date.now());
      reply(response, 200, OK, { 'callback-event-id': stored.id, 'callback-stored': info.changes > 0 ? 'new' : 'duplicate' });
    } catch {
      reply(response, 503, '{"code":503,"error":"store_unavailable"}');
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
process.on('SIGTERM', () => {
  server.close(() => {
    db.close();
    process.exit(0);
  });
  server.closeAllConnections();
});

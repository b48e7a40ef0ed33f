// Connections on loopback: a request cut for time is answered 408 and its connection destroyed, idle keep-alive
// connections are closed after HTTP_KEEP_ALIVE_TIMEOUT_MS, and connections beyond MAX_CONNECTIONS are refused, counted and logged.
import type { Client } from 'graphql-ws';
import pino from 'pino';
import { setTimeout as delay } from 'node:timers/promises';
import { SessionUpdatedDocument } from '../graphql/generated';
import { collect, subscriptionClient, waitForSubscribers } from '../support/graphqlClient';
import { rawConnection, settlesWithin, type RawConnection } from '../support/loopbackSockets';
import { parseMetrics, valueOf, type Sample } from '../support/metricsText';
import { exitWithin, listeningUrl, runCli } from '../support/serviceProcess';
import { tempDataDir, useTestService } from '../support/testService';

const CALLBACK_HEAD = (contentLength: number) =>
  `POST /callbacks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${contentLength}\r\n\r\n`;
const GET = (path: string, connection: 'keep-alive' | 'close' = 'keep-alive') => `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: ${connection}\r\n\r\n`;
/** A whole answer with a body: head, blank line, and a JSON object. */
const ANSWER = /^HTTP\/1\.1 \d{3} [^]*?\r\n\r\n\{.*\}$/;

describe('requests not received whole by HTTP_REQUEST_TIMEOUT_MS (1 s)', () => {
  const fixture = useTestService({ HTTP_REQUEST_TIMEOUT_MS: '1000' });

  it('a callback whose body stalls is answered 408 with the JSON error, then its connection is destroyed, not half-closed', async () => {
    // A client that keeps its own side open after the service's FIN, as a slow attacker would.
    const client = rawConnection(fixture.service.url, { allowHalfOpen: true });
    client.socket.write(CALLBACK_HEAD(100) + '{"event_type":1,');
    await expectTimedOutAndDestroyed(client, ' '.repeat(10));
    const samples = await scrape(fixture.service.url);
    expect(valueOf(samples, 'css_ledger_callbacks_total', { type: 'unknown', outcome: 'rejected', error: 'request_timeout' })).toBe(1);
  }, 30_000);

  it('a connection that never sends a byte is answered and destroyed the same way', async () => {
    await expectTimedOutAndDestroyed(rawConnection(fixture.service.url, { allowHalfOpen: true }), 'GET /healthz HTTP/1.1\r\n');
  }, 30_000);
});

/**
 * The service answers 408 (due at 1 s, checked every second), ends the connection, and has destroyed its side:
 * half-closed, it would go on reading what the client sends (here `probe`, bytes the parser takes, one per 100 ms);
 * destroyed, the first byte is answered with a reset and the next write fails, long before a new deadline (1 s).
 */
async function expectTimedOutAndDestroyed(client: RawConnection, probe: string): Promise<void> {
  expect(await settlesWithin(client.ended, 10_000)).toBe(true);
  const [head, body] = client.received().split('\r\n\r\n');
  expect(head).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  expect(head).toMatch(/\r\nconnection: close$/im);
  expect(JSON.parse(body!)).toEqual({ code: 408, error: 'request_timeout', message: 'the request was not received in time' });
  for (const byte of probe.slice(0, 5)) {
    if (client.socket.destroyed) break;
    client.socket.write(byte);
    await delay(100);
  }
  expect(client.socket.destroyed).toBe(true);
}

describe('idle connections (HTTP_KEEP_ALIVE_TIMEOUT_MS=1000)', () => {
  // Node closes an idle connection one second after the advertised timeout, for clients that honour it exactly.
  const IDLE_MS = 1_000 + 1_000;
  const fixture = useTestService({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000' });

  it('closes a keep-alive connection that sends no further request', async () => {
    const client = rawConnection(fixture.service.url);
    client.socket.write(GET('/healthz'));
    await client.waitFor(ANSWER);
    expect(client.received()).toMatch(/\r\nkeep-alive: timeout=1\r\n/i);
    const answeredAt = Date.now();
    expect(await settlesWithin(client.closed, 10_000)).toBe(true);
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(IDLE_MS - 100);
  }, 30_000);
});

describe('MAX_CONNECTIONS=4', () => {
  const logLines: Array<{ msg: string; refused?: number; maxConnections?: number }> = [];
  let subscriber: Client | undefined;
  const open: RawConnection[] = [];
  // Declared first: after-all hooks run in order, and the clients go before the service does.
  afterAll(async () => {
    open.forEach((client) => client.socket.destroy());
    await subscriber?.dispose();
  });
  const logger = pino({ level: 'warn' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  const fixture = useTestService({ MAX_CONNECTIONS: '4', HTTP_KEEP_ALIVE_TIMEOUT_MS: '60000' }, logger);

  const refusalLines = () => logLines.filter((line) => /connections? refused/.test(line.msg));
  const refusedInLog = () => refusalLines().reduce((sum, line) => sum + (line.refused ?? 0), 0);

  it('refuses connections beyond the bound, a WebSocket counting as one, counts them in /metrics and logs them once per interval', async () => {
    // Four open: a GraphQL subscription's WebSocket and three keep-alive connections that were answered.
    subscriber = subscriptionClient(fixture.service.url);
    await collect(subscriber, SessionUpdatedDocument, {}).ready;
    await waitForSubscribers(fixture.service, 1);
    for (let i = 0; i < 3; i++) {
      const client = rawConnection(fixture.service.url);
      client.socket.write(GET('/healthz'));
      await client.waitFor(ANSWER);
      open.push(client);
    }

    // Five more: each closed by the service without an answer.
    const extra = Array.from({ length: 5 }, () => rawConnection(fixture.service.url));
    extra.forEach((client) => client.socket.write(GET('/healthz')));
    for (const client of extra) {
      expect(await settlesWithin(client.closed, 5_000)).toBe(true);
      expect(client.received()).toBe('');
    }

    // Logged at once for the first, then one line with the count of the rest (not one line per connection).
    for (let i = 0; i < 100 && refusedInLog() < 5; i++) await delay(100);
    expect(refusedInLog()).toBe(5);
    expect(refusalLines().length).toBe(2);
    expect(refusalLines()[0]).toMatchObject({ refused: 1, maxConnections: 4 });

    // One place freed, /metrics counts the refusals (and any probe refused before the service saw the place free).
    open.pop()!.socket.destroy();
    const { samples, refusedProbes } = await scrapeOnceAdmitted(fixture.service.url);
    expect(valueOf(samples, 'css_ledger_http_connections_refused_total')).toBe(5 + refusedProbes);
    expect(valueOf(samples, 'css_ledger_http_connections')).toBe(4); // the WebSocket, two keep-alive, the scrape
    expect(fixture.service.subscriberCount()).toBe(1);
  }, 60_000);
});

const metricsOf = (answer: string): Sample[] => parseMetrics(answer.slice(answer.indexOf('\r\n\r\n') + 4));

/** Scrapes /metrics over a fresh connection, retrying (at most 50 times) while connections are refused. */
async function scrapeOnceAdmitted(serviceUrl: string): Promise<{ samples: Sample[]; refusedProbes: number }> {
  for (let refusedProbes = 0; refusedProbes < 50; refusedProbes++) {
    const client = rawConnection(serviceUrl);
    client.socket.write(GET('/metrics', 'close'));
    await client.closed;
    if (client.received() !== '') return { samples: metricsOf(client.received()), refusedProbes };
    await delay(50);
  }
  throw new Error('/metrics refused 50 times');
}

const scrape = async (serviceUrl: string): Promise<Sample[]> => (await scrapeOnceAdmitted(serviceUrl)).samples;

describe('MAX_CONNECTIONS=4 shared between clients (127.0.0.1 and 127.0.0.2)', () => {
  const logLines: Array<{ msg: string; client?: string; held?: number }> = [];
  const open: RawConnection[] = [];
  const subscribers: Client[] = [];
  afterEach(async () => {
    open.splice(0).forEach((client) => client.socket.destroy());
    await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
  });
  const logger = pino({ level: 'warn' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  const fixture = useTestService({ MAX_CONNECTIONS: '4', HTTP_KEEP_ALIVE_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '60000' }, logger);

  /** A connection from `from` that has been answered once (so the service holds it), kept open. */
  const answeredConnection = async (from: string): Promise<RawConnection> => {
    const client = rawConnection(fixture.service.url, { from });
    open.push(client);
    client.socket.write(GET('/healthz'));
    await client.waitFor(ANSWER);
    return client;
  };
  const callback = JSON.stringify({ event_type: 1, sequence: '424242', stream_id: 'shared', event_time: 1_700_000_000 });

  it('a client holding every connection with slow requests gives one up to a callback from another address, and is told why', async () => {
    // 127.0.0.1 takes all four places, each connection in the middle of a request that is not coming.
    const slow = [];
    for (let i = 0; i < 4; i++) {
      const client = await answeredConnection('127.0.0.1');
      client.socket.write(i === 0 ? CALLBACK_HEAD(100) + '{"event_type":1,' : 'GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n');
      slow.push(client);
    }
    await delay(100); // the partial requests reach the service

    // A callback from 127.0.0.2 is let in and stored: the oldest slow connection made room for it.
    const css = rawConnection(fixture.service.url, { from: '127.0.0.2' });
    open.push(css);
    css.socket.write(CALLBACK_HEAD(Buffer.byteLength(callback)) + callback);
    await css.waitFor(ANSWER);
    expect(css.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(await settlesWithin(slow[0]!.closed, 5_000)).toBe(true);
    const afterFirstAnswer = slow[0]!.received();
    const [head, body] = afterFirstAnswer.slice(afterFirstAnswer.lastIndexOf('HTTP/1.1 ')).split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(head).toMatch(/\r\nretry-after: 1$/im);
    expect(JSON.parse(body!)).toEqual({
      code: 503,
      error: 'too_many_connections',
      message: 'the connection was closed to make room for other clients: 4 connections were open from 127.0.0.1 when all 4 (MAX_CONNECTIONS) were taken',
    });
    expect(slow.slice(1).every((client) => !client.socket.destroyed)).toBe(true);

    // Another connection from 127.0.0.1 finds no room: it would hold more than 127.0.0.2 does.
    const more = rawConnection(fixture.service.url);
    open.push(more);
    expect(await settlesWithin(more.closed, 5_000)).toBe(true);
    expect(more.received()).toBe('');

    // A second from 127.0.0.2 is let in (2 and 2); a third would hold more than 127.0.0.1 and is refused.
    await answeredConnection('127.0.0.2');
    expect(await settlesWithin(slow[1]!.closed, 5_000)).toBe(true);
    const third = rawConnection(fixture.service.url, { from: '127.0.0.2' });
    open.push(third);
    expect(await settlesWithin(third.closed, 5_000)).toBe(true);
    expect(third.received()).toBe('');
    expect(slow.slice(2).every((client) => !client.socket.destroyed)).toBe(true);

    const evictions = logLines.filter((line) => /to make room/.test(line.msg));
    expect(evictions[0]).toMatchObject({ client: '127.0.0.1', held: 4 });
    open.splice(0).forEach((client) => client.socket.destroy());
    const samples = await scrape(fixture.service.url);
    expect(valueOf(samples, 'css_ledger_http_connections_evicted_total')).toBe(2);
    // The callback whose body was still arriving counts as refused for this reason.
    expect(valueOf(samples, 'css_ledger_callbacks_total', { type: 'unknown', outcome: 'rejected', error: 'too_many_connections' })).toBe(1);
    expect(valueOf(samples, 'css_ledger_callbacks_total', { type: 'StreamPushed', outcome: 'stored' })).toBe(1);
  }, 60_000);

  it('never gives up a WebSocket, and closes an idle connection without an answer', async () => {
    // 127.0.0.1: two GraphQL WebSockets (GRAPHQL_WS_MAX_CONNECTIONS is 2) and one idle keep-alive connection.
    for (let i = 0; i < 2; i++) {
      const subscriber = subscriptionClient(fixture.service.url);
      subscribers.push(subscriber);
      await collect(subscriber, SessionUpdatedDocument, {}).ready;
    }
    await waitForSubscribers(fixture.service, 2);
    const idle = await answeredConnection('127.0.0.1');
    await answeredConnection('127.0.0.2');

    // Full: the next from 127.0.0.2 takes the idle connection's place; the one after finds only WebSockets to take.
    const second = await answeredConnection('127.0.0.2');
    expect(await settlesWithin(idle.closed, 5_000)).toBe(true);
    expect(idle.received()).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\n\{"status":"ok"\}$/); // its one answer, nothing after
    const third = rawConnection(fixture.service.url, { from: '127.0.0.2' });
    open.push(third);
    expect(await settlesWithin(third.closed, 5_000)).toBe(true);
    expect(third.received()).toBe('');
    expect(second.socket.destroyed).toBe(false);
    expect(fixture.service.subscriberCount()).toBe(2);
  }, 60_000);
});

describe('requests pipelined on one connection', () => {
  const fixture = useTestService({ HTTP_REQUEST_TIMEOUT_MS: '60000' });
  const POST_GRAPHQL = (query: string) => {
    const body = JSON.stringify({ query });
    return `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  };
  const statusLines = (received: string) => [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));

  it('are all answered, in order, when no more than 16 are sent at once, without a warning in the log', async () => {
    // A service process of its own, whose every output line is read (warnings go to its stderr).
    const data = tempDataDir();
    const run = runCli(['serve'], { HOST: '127.0.0.1', PORT: '0', DATA_DIR: data.dir, LOG_LEVEL: 'info' });
    try {
      const client = rawConnection(await listeningUrl(run));
      // Queries answered on a reading thread, each watching the connection for its client going meanwhile.
      client.socket.write(POST_GRAPHQL('{ sessions(first: 5) { nodes { sequence } } }').repeat(16));
      for (let i = 0; i < 100 && statusLines(client.received()).length < 16; i++) await delay(50);
      expect(statusLines(client.received())).toEqual(Array(16).fill(200));
      expect(client.socket.destroyed).toBe(false);
      client.socket.destroy();
      await delay(200);
      expect(run.output()).not.toMatch(/Warning/);
    } finally {
      run.child.kill('SIGTERM');
      await exitWithin(run, 10_000);
      data.remove();
    }
  }, 30_000);

  it('from a client that never reads its answers are refused past 16 unanswered, and the connection closed', async () => {
    // Answers of some 100 KB each: the socket's buffers fill, later answers cannot be sent and their requests wait.
    const client = rawConnection(fixture.service.url);
    client.socket.pause();
    const sent = 200;
    client.socket.write(POST_GRAPHQL('{ __schema { types { name description fields { name description args { name } } } } }').repeat(sent));
    await delay(3_000);
    client.socket.resume();
    expect(await settlesWithin(client.closed, 20_000)).toBe(true);

    const statuses = statusLines(client.received());
    expect(statuses.length).toBeLessThan(sent);
    expect(statuses.slice(0, -1).every((status) => status === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const refusal = client.received().slice(client.received().lastIndexOf('HTTP/1.1 429'));
    const [head, body] = refusal.split('\r\n\r\n');
    expect(head).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(body!)).toEqual({
      code: 429,
      error: 'too_many_pipelined_requests',
      message: expect.stringMatching(/^16 requests sent before this one on the same connection have no answer yet/),
    });
    // The service goes on answering.
    const next = rawConnection(fixture.service.url);
    next.socket.write(GET('/healthz', 'close'));
    await next.waitFor(ANSWER);
    expect(next.received()).toMatch(/^HTTP\/1\.1 200 /);
  }, 60_000);
});

describe('requests that offer to switch protocols', () => {
  const fixture = useTestService();

  it('are answered as what they are unless the offer is a WebSocket (curl --http2 offers h2c on every request)', async () => {
    const callback = JSON.stringify({ event_type: 1, sequence: '818181', stream_id: 'h2c', event_time: 1_700_000_000 });
    const h2c = 'upgrade: h2c\r\nconnection: Upgrade, HTTP2-Settings\r\nhttp2-settings: AAMAAABkAARAAAAAAAIAAAAA\r\n';
    const post = rawConnection(fixture.service.url);
    post.socket.write(`POST /callbacks HTTP/1.1\r\nhost: 127.0.0.1\r\n${h2c}content-type: application/json\r\ncontent-length: ${callback.length}\r\n\r\n${callback}`);
    await post.waitFor(ANSWER);
    expect(post.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\ncallback-stored: new\r\n/);
    post.socket.destroy();

    const health = rawConnection(fixture.service.url);
    health.socket.write(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n${h2c}\r\n`);
    await health.waitFor(ANSWER);
    expect(health.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\{"status":"ok"\}$/);
    health.socket.destroy();

    // A WebSocket anywhere but /graphql is still refused as one.
    const webSocket = rawConnection(fixture.service.url);
    webSocket.socket.write(
      'GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nupgrade: WebSocket\r\nconnection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n',
    );
    await webSocket.waitFor(ANSWER);
    expect(webSocket.received()).toMatch(/^HTTP\/1\.1 404 Not Found\r\n[^]*"no WebSocket at \/healthz; GraphQL subscriptions are at \/graphql"/);
  });
});

describe("requests Node's HTTP parser refuses", () => {
  const fixture = useTestService();
  const answerTo = async (bytes: string) => {
    const client = rawConnection(fixture.service.url);
    client.socket.write(bytes);
    await client.waitFor(ANSWER);
    const [head, body] = client.received().split('\r\n\r\n');
    client.socket.destroy();
    return { status: Number(head!.split(' ')[1]), body: JSON.parse(body!) as { error: string; message: string } };
  };

  it('tells a path too long (414) from headers too large (431), and HTTP/2 without an upgrade from garbage', async () => {
    expect(await answerTo(`GET /streams/${'a'.repeat(20_000)} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`)).toEqual({
      status: 414,
      body: { code: 414, error: 'uri_too_long', message: 'the request line is over 16 KiB, the most request line and headers may hold together' },
    });
    expect(await answerTo(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-large: ${'a'.repeat(20_000)}\r\n\r\n`)).toEqual({
      status: 431,
      body: { code: 431, error: 'headers_too_large', message: 'the request headers are over 16 KiB, the most request line and headers may hold together' },
    });
    expect(await answerTo('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')).toEqual({
      status: 400,
      body: { code: 400, error: 'bad_request', message: 'HTTP/2 is not served here without an upgrade: send HTTP/1.1' },
    });
  });
});

// What a WebSocket client may do at /graphql: the size of a message (checked before authentication), how many
// subscriptions per socket and in all, and from which pages' origins.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import WebSocket from 'ws';
import type { RunningService } from '../../src/server';
import { CallbackReceivedDocument } from '../graphql/generated';
import { collect, subscriptionClient, waitForSubscribers, waitForSubscribersDown, within } from '../support/graphqlClient';
import { rawGraphqlSocket } from '../support/rawWebSocket';
import { postAndProject, useTestService } from '../support/testService';

const TOKEN = 'websocket-limits-token-0123456789';
const ALLOWED = 'https://ops.example.com';

interface Upgrade {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  socket: WebSocket;
}

/** Opens a WebSocket at /graphql as a page of `origin` would (none: as a program); the answer to the upgrade. */
function upgrade(service: RunningService, origin?: string): Promise<Upgrade> {
  const socket = new WebSocket(`${service.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', origin === undefined ? {} : { origin });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ status: 101, headers: {}, body: '', socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, socket }));
    });
    socket.once('error', reject);
  });
}

const closeCode = (socket: WebSocket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

async function waitForNoSubscribers(service: RunningService): Promise<void> {
  await waitForSubscribersDown(service, 0);
  expect(service.subscriberCount()).toBe(0);
}

describe('GraphQL WebSocket limits', () => {
  const fixture = useTestService({
    GRAPHQL_API_TOKENS: TOKEN,
    GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET: '3',
    GRAPHQL_MAX_SUBSCRIPTIONS: '5',
    GRAPHQL_ALLOWED_ORIGINS: ALLOWED,
  });
  const authorization = `Bearer ${TOKEN}`;

  it('closes a socket that sends a message over GRAPHQL_WS_MAX_PAYLOAD_BYTES (256 KiB) with 1009, before connection_init, and goes on', async () => {
    const { socket } = await upgrade(fixture.service);
    const closed = closeCode(socket);
    socket.send('x'.repeat(256 * 1024 + 1));
    expect(await within(closed, 10_000, 'the oversized message answered')).toBe(1009);

    // A connection_init of 200 KiB is still read: the bound leaves room for a large subscribe message.
    const roomy = await upgrade(fixture.service);
    const acknowledged = new Promise<string>((resolve) => roomy.socket.once('message', (data) => resolve(String(data))));
    roomy.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization, padding: 'p'.repeat(200 * 1024) } }));
    expect(JSON.parse(await within(acknowledged, 10_000, 'connection_ack'))).toEqual({ type: 'connection_ack' });
    roomy.socket.close();

    const client = subscriptionClient(fixture.service.url, { authorization });
    try {
      const callbacks = collect(client, CallbackReceivedDocument, {});
      await waitForSubscribers(fixture.service, 1);
      await postAndProject(fixture.service, { event_type: 1, sequence: '1009', stream_id: 'after-oversized' });
      expect((await within(callbacks.next(1), 10_000, 'a callback told'))[0]!.callbackReceived.stream).toBe('session-1009');
    } finally {
      await client.dispose();
    }
    await waitForNoSubscribers(fixture.service);
  });

  it('refuses the subscription past GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET with an error saying so, and takes one again once another ends', async () => {
    const client = subscriptionClient(fixture.service.url, { authorization });
    try {
      const held = [1, 2, 3].map(() => collect(client, CallbackReceivedDocument, {}));
      await waitForSubscribers(fixture.service, 3);
      const fourth = collect(client, CallbackReceivedDocument, {});
      await expect(within(fourth.next(1), 10_000, 'the fourth subscription answered')).rejects.toEqual([
        expect.objectContaining({
          message: 'too many subscriptions on this connection: 3 are open, the most GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET allows',
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
        }),
      ]);
      expect(fixture.service.subscriberCount()).toBe(3);

      held[0]!.unsubscribe();
      await waitForSubscribersDown(fixture.service, 2);
      collect(client, CallbackReceivedDocument, {});
      await waitForSubscribers(fixture.service, 3);
    } finally {
      await client.dispose();
    }
    await waitForNoSubscribers(fixture.service);
  });

  it('refuses the subscription past GRAPHQL_MAX_SUBSCRIPTIONS over every socket', async () => {
    const first = subscriptionClient(fixture.service.url, { authorization });
    const second = subscriptionClient(fixture.service.url, { authorization });
    try {
      [1, 2, 3].forEach(() => collect(first, CallbackReceivedDocument, {}));
      [1, 2].forEach(() => collect(second, CallbackReceivedDocument, {}));
      await waitForSubscribers(fixture.service, 5);
      const sixth = collect(second, CallbackReceivedDocument, {});
      await expect(within(sixth.next(1), 10_000, 'the sixth subscription answered')).rejects.toEqual([
        expect.objectContaining({
          message: 'the service has 5 subscriptions open, the most GRAPHQL_MAX_SUBSCRIPTIONS allows; try again later',
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
        }),
      ]);
      expect(fixture.service.subscriberCount()).toBe(5);
    } finally {
      await Promise.all([first.dispose(), second.dispose()]);
    }
    await waitForNoSubscribers(fixture.service);
  });

  it('refuses an upgrade from a page of another origin with 403 and a JSON error, before any WebSocket exists', async () => {
    for (const origin of ['http://evil.example', 'https://ops.example.com.evil.example', 'null']) {
      const { status, body } = await upgrade(fixture.service, origin);
      expect(status).toBe(403);
      expect(JSON.parse(body)).toEqual({ code: 403, error: 'origin_not_allowed', message: expect.stringContaining('GRAPHQL_ALLOWED_ORIGINS') });
    }
  });

  it('takes upgrades from programs (no Origin), from its own origin and from GRAPHQL_ALLOWED_ORIGINS', async () => {
    for (const origin of [undefined, fixture.service.url, ALLOWED]) {
      const { status, socket } = await upgrade(fixture.service, origin);
      expect([origin, status]).toEqual([origin, 101]);
      socket.close();
    }
  });
});

describe('GRAPHQL_WS_MAX_CONNECTIONS (by default half of MAX_CONNECTIONS=8: 4)', () => {
  const fixture = useTestService({ MAX_CONNECTIONS: '8' });
  const held: WebSocket[] = [];
  afterAll(() => held.forEach((socket) => socket.terminate()));

  /** A WebSocket past connection_init, as a client that keeps it open without subscribing would hold it. */
  async function hold(): Promise<Upgrade> {
    const answer = await upgrade(fixture.service);
    if (answer.status !== 101) return answer;
    held.push(answer.socket);
    answer.socket.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise((resolve) => answer.socket.once('message', resolve));
    return answer;
  }

  it('refuses the WebSocket past the bound 503 with Retry-After, leaving the other connections to callbacks, and takes one again once another closes', async () => {
    for (let i = 0; i < 4; i++) expect((await hold()).status).toBe(101);

    const refused = await hold();
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(JSON.parse(refused.body)).toEqual({ code: 503, error: 'too_many_websockets', message: expect.stringContaining('GRAPHQL_WS_MAX_CONNECTIONS') });

    // CSS still finds room, and the refusal is counted.
    expect((await postAndProject(fixture.service, { event_type: 1, sequence: '8100', stream_id: 'room' })).status).toBe(200);
    const metrics = await (await fetch(`${fixture.service.url}/metrics`)).text();
    expect(metrics).toMatch(/^css_ledger_graphql_websockets_refused_total 1$/m);

    const closed = new Promise((resolve) => held[0]!.once('close', resolve));
    held[0]!.close();
    await closed;
    // The service forgets the socket as its side closes, a moment after the client's: a few tries, 100 ms apart.
    let again = await hold();
    for (let tries = 1; again.status !== 101 && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await hold();
    }
    expect(again.status).toBe(101);
  });
});

describe('a WebSocket sending faster than GRAPHQL_WS_MESSAGES_PER_SECOND (10, fifty at once)', () => {
  const fixture = useTestService({ GRAPHQL_WS_MESSAGES_PER_SECOND: '10' });

  it('has every message handled, then is not read until it has waited for the excess, while callbacks are answered', async () => {
    const { socket } = await upgrade(fixture.service);
    const received: Array<{ id?: string; type: string }> = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    const arrived = async (count: (messages: typeof received) => boolean, ms: number) => {
      for (const end = Date.now() + ms; !count(received) && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 20));
      return count(received);
    };
    socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(await arrived((messages) => messages.some((m) => m.type === 'connection_ack'), 5_000)).toBe(true);

    // 120 subscribes at once (each refused: the field does not exist), 71 over the allowance: 7 s of waiting.
    const sent = 120;
    for (let id = 0; id < sent; id++) socket.send(JSON.stringify({ id: String(id), type: 'subscribe', payload: { query: 'subscription { noSuchField }' } }));
    expect(await arrived((messages) => messages.filter((m) => m.type === 'error').length === sent, 20_000)).toBe(true);
    expect(new Set(received.filter((m) => m.type === 'error').map((m) => m.id)).size).toBe(sent);

    // The service answers others meanwhile; this socket's next message waits its turn.
    const pingedAt = Date.now();
    socket.send(JSON.stringify({ type: 'ping' }));
    await postAndProject(fixture.service, { event_type: 1, sequence: '515151', stream_id: 'throttled', event_time: 1_700_000_000 });
    expect(received.some((m) => m.type === 'pong')).toBe(false);
    expect(await arrived((messages) => messages.some((m) => m.type === 'pong'), 20_000)).toBe(true);
    expect(Date.now() - pingedAt).toBeGreaterThanOrEqual(3_000);

    const metrics = await (await fetch(`${fixture.service.url}/metrics`)).text();
    expect(Number(/^css_ledger_graphql_websockets_throttled_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    socket.close();
  }, 60_000);
});

/** A socket past connection_init, what it received, and a wait for `count` messages of `type`. */
async function acknowledgedSocket(service: RunningService) {
  const { socket } = await upgrade(service);
  const received: Array<{ id?: string; type: string }> = [];
  socket.on('message', (data) => received.push(JSON.parse(String(data))));
  const arrived = async (type: string, count: number, ms: number) => {
    for (const end = Date.now() + ms; received.filter((m) => m.type === type).length < count && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 20));
    return received.filter((m) => m.type === type).length >= count;
  };
  socket.send(JSON.stringify({ type: 'connection_init' }));
  expect(await arrived('connection_ack', 1, 5_000)).toBe(true);
  return { socket, received, arrived };
}

/** `count` processes that keep a core busy until stopped, or for `ms` at most. */
function busyProcesses(count: number, ms: number) {
  return Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['-e', `process.stdout.write('on'); for (const end = Date.now() + ${ms}; Date.now() < end; );`], { stdio: ['ignore', 'pipe', 'ignore'] });
    const started = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    return { started, stop: () => child.kill('SIGKILL') };
  });
}

/** Subscribes with documents the service has not seen (a comment of its own), which graphql-js checks field pair by field pair before refusing: some 7 ms each. */
function sendHeavySubscribes(socket: WebSocket, count: number, label: string): void {
  const query = `subscription { callbackReceived { id ${'__typename '.repeat(990)}} }`;
  for (let id = 0; id < count; id++) socket.send(JSON.stringify({ id: `${label}-${id}`, type: 'subscribe', payload: { query: `# ${label} ${id}\n${query}` } }));
}

describe("a WebSocket's subscribes, counted by the thread's CPU their checks took (a quarter second at once, then 10 ms a second)", () => {
  const fixture = useTestService();

  it("lets a page's first subscribes on a fresh service through at once, though each document is new and slow to check and other processes keep every core busy", async () => {
    const page = await acknowledgedSocket(fixture.service);
    // Four busy processes a core (32 at most): each check takes the service's thread about five times as long on
    // the clock as on its core, which is no cost of the page's.
    const busy = busyProcesses(Math.min(4 * availableParallelism(), 32), 20_000);
    try {
      await Promise.all(busy.map((child) => child.started));
      sendHeavySubscribes(page.socket, 10, 'page');
      expect(await page.arrived('error', 10, 20_000)).toBe(true);
    } finally {
      for (const child of busy) child.stop();
    }
    // Some 70 ms of checking: within the socket's own allowance; all sockets' makes it wait a fraction of a second at most.
    const pingedAt = Date.now();
    page.socket.send(JSON.stringify({ type: 'ping' }));
    expect(await page.arrived('pong', 1, 3_000)).toBe(true);
    expect(Date.now() - pingedAt).toBeLessThan(3_000);
    page.socket.close();
  }, 60_000);

  it('makes a socket that goes on sending new, slow documents wait long before its next message is read, while another socket is answered', async () => {
    const throttledBefore = Number(/^css_ledger_graphql_websockets_throttled_total (\d+)$/m.exec(await (await fetch(`${fixture.service.url}/metrics`)).text())?.[1]);
    const heavy = await acknowledgedSocket(fixture.service);
    const other = await acknowledgedSocket(fixture.service);
    // Ninety messages, within the hundred a quiet socket may send at once; their checks, over half a second.
    sendHeavySubscribes(heavy.socket, 90, 'heavy');
    heavy.socket.send(JSON.stringify({ type: 'ping' }));
    expect(await heavy.arrived('error', 30, 20_000)).toBe(true);
    other.socket.send(JSON.stringify({ type: 'ping' }));
    expect(await other.arrived('pong', 1, 2_000)).toBe(true);
    await postAndProject(fixture.service, { event_type: 1, sequence: '525252', stream_id: 'checked', event_time: 1_700_000_000 });
    // Past its quarter second, the heavy socket pays back at 10 ms a second: its ping waits tens of seconds.
    expect(await heavy.arrived('pong', 1, 5_000)).toBe(false);
    const metrics = await (await fetch(`${fixture.service.url}/metrics`)).text();
    expect(Number(/^css_ledger_graphql_websockets_throttled_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(throttledBefore);
    heavy.socket.close();
    other.socket.close();
  }, 60_000);
});

describe('GraphQL WebSockets pinged every GRAPHQL_WS_PING_INTERVAL_MS (1 s)', () => {
  const fixture = useTestService({ GRAPHQL_WS_PING_INTERVAL_MS: '1000' });

  it('cuts a socket whose peer does not answer a ping by the next, with its subscriptions, and keeps one that answers', async () => {
    // A client that answers pings (ws does, as browsers do), and one whose peer has gone silent: it never answers.
    const answering = subscriptionClient(fixture.service.url);
    const answeringUpdates = collect(answering, CallbackReceivedDocument, {});
    await answeringUpdates.ready;
    const silent = await rawGraphqlSocket(fixture.service.url);
    silent.send({ id: '1', type: 'subscribe', payload: { query: 'subscription { callbackReceived { id } }' } });
    await waitForSubscribers(fixture.service, 2);

    await within(silent.ended, 10_000, 'the silent socket cut');
    await waitForSubscribersDown(fixture.service, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // two more pings, answered
    expect(fixture.service.subscriberCount()).toBe(1);
    await postAndProject(fixture.service, { event_type: 1, sequence: '616161', stream_id: 'pinged', event_time: 1_700_000_000 });
    await answeringUpdates.next(1);

    const metrics = await (await fetch(`${fixture.service.url}/metrics`)).text();
    expect(metrics).toMatch(/^css_ledger_graphql_websockets_ping_unanswered_total 1$/m);
    await answering.dispose();
  }, 60_000);
});

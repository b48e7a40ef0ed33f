// One hostile or careless client of a running service, in its own process, for `seconds`: what bench/hostileClients.ts
// sets against the callbacks it times. Prints one JSON line of what it did when it ends.
//
//   node hostileClient.js <kind> <port> <seconds> [count]
//   kinds: ws-flood (one WebSocket sending subscribe/complete as fast as it is read), subscriptions (count
//   callbackReceived subscriptions over sockets of 200, every message read), unmatched-subscriptions (the same with a
//   filter no callback matches), slowloris (count connections from 127.0.0.2, each sending its request a header a
//   second and reopened when cut), heavy-bodies (count keep-alive connections from 127.0.0.2, each posting a body just
//   under the limit that costs the most to read, refused 400 once read, as fast as the answers come), heavy-unrouted
//   (the same bodies posted to a path with no route, `/callback`), heavy-spread (the same bodies from count addresses,
//   127.0.0.10 on, one connection each, each at most 15 a second: every address under its own budget of refusals),
//   graphql-heavy (count keep-alive connections from 127.0.0.2 posting the GraphQL document that costs the most to check
//   within the default limits, as fast as answered), graphql-spread (that document from count addresses, each at most
//   40 a second: every address under its own budget of requests), ws-heavy (count WebSockets, each subscribing with that
//   document, made new each time by a comment, 20 times a second: every socket within its allowance of messages)
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';

const [kind, portText, secondsText, countText] = process.argv.slice(2);
const port = Number(portText);
const seconds = Number(secondsText);
const count = Number(countText ?? 0);
const endAt = Date.now() + seconds * 1000;
const done: { kind: string; sent: number; received: number; closes: Record<string, number> } = { kind: kind ?? '', sent: 0, received: 0, closes: {} };
const closed = (why: string) => (done.closes[why] = (done.closes[why] ?? 0) + 1);

function webSocket(onOpen: (socket: WebSocket) => void): void {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
  socket.on('message', () => done.received++);
  socket.on('close', (code) => closed(`ws ${code}`));
  socket.on('error', () => undefined);
  socket.on('open', () => {
    socket.send(JSON.stringify({ type: 'connection_init' }));
    onOpen(socket);
  });
}

function flood(socket: WebSocket): void {
  const pump = () => {
    if (Date.now() > endAt || socket.readyState !== WebSocket.OPEN) return;
    while (socket.bufferedAmount < 1 << 20) {
      const id = String(done.sent++);
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { callbackReceived { id } }' } }));
      socket.send(JSON.stringify({ id, type: 'complete' }));
    }
    setImmediate(pump);
  };
  pump();
}

function subscriptions(filter: string): void {
  const query = `subscription { callbackReceived${filter} { id type stream position receivedAt raw } }`;
  for (let opened = 0; opened < count; opened += 200) {
    const onSocket = Math.min(200, count - opened);
    webSocket((socket) => {
      for (let i = 0; i < onSocket; i++, done.sent++) socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query } }));
    });
  }
}

function slowloris(): void {
  const open = () => {
    if (Date.now() > endAt) return;
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    let answer = '';
    const trickle = setInterval(() => socket.writable && socket.write('x-slow: 1\r\n'), 1000);
    socket.on('connect', () => socket.write('POST /callbacks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n'));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(trickle);
      closed(answer === '' ? 'closed unanswered' : (answer.split('\r\n')[0] ?? ''));
      setTimeout(open, 50);
    });
    done.sent++;
  };
  for (let i = 0; i < count; i++) open();
}

/** 60 KB of objects with distinct keys, in an array: JSON the service must parse whole (about a millisecond) to refuse. */
const HEAVY_BODY = Buffer.from(JSON.stringify(Array.from({ length: 2500 }, (_, i) => ({ [`member${i}`]: i }))));

/**
 * Just under the default GRAPHQL_MAX_TOKENS (1,000): one field asked 995 times, which graphql-js's check that a selection's
 * fields can be merged compares pair by pair (about half a million comparisons, some milliseconds), to be refused.
 */
const HEAVY_DOCUMENT = Buffer.from(JSON.stringify({ query: `{ ${'__typename '.repeat(995)}}` }));

/** `count` WebSockets, each sending a subscribe of a new heavy document (unlike any before: none is checked once for all) 20 times a second. */
function heavySubscribes(): void {
  const query = `subscription { callbackReceived { id ${'__typename '.repeat(990)}} }`;
  for (let s = 0; s < count; s++) {
    webSocket((socket) => {
      const send = () => {
        if (Date.now() > endAt || socket.readyState !== WebSocket.OPEN) return;
        const id = String(done.sent++);
        socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: `# ${id}\n${query}` } }));
        setTimeout(send, 50);
      };
      send();
    });
  }
}

/** From `count` addresses, one keep-alive connection each, `body` posted to `path` at most `perSecond` times a second. */
function spread(path: string, body: Buffer, perSecond: number): void {
  for (let a = 0; a < count; a++) {
    const localAddress = `127.0.0.${10 + a}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = () => {
      if (Date.now() > endAt) return;
      done.sent++;
      const sentAt = Date.now();
      const request = http.request(
        { host: '127.0.0.1', port, path, method: 'POST', agent, localAddress, headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (response) => {
          response.resume();
          response.on('end', () => {
            done.received++;
            closed(String(response.statusCode));
            setTimeout(post, Math.max(0, 1000 / perSecond - (Date.now() - sentAt)));
          });
        },
      );
      request.on('error', () => setTimeout(post, 50));
      request.end(body);
    };
    post();
  }
}

/** `count` keep-alive connections from 127.0.0.2, each sending the same request again as soon as it is answered. */
function asFastAsAnswered(method: string, path: string, body: Buffer | null): void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: count });
  const headers = body === null ? {} : { 'content-type': 'application/json', 'content-length': body.length };
  const post = () => {
    if (Date.now() > endAt) return;
    done.sent++;
    const request = http.request(
      { host: '127.0.0.1', port, path, method, agent, localAddress: '127.0.0.2', headers },
      (response) => {
        response.resume();
        response.on('end', () => {
          done.received++;
          closed(String(response.statusCode));
          post();
        });
      },
    );
    request.on('error', () => setTimeout(post, 50));
    request.end(body ?? undefined);
  };
  for (let i = 0; i < count; i++) post();
}

switch (kind) {
  case 'ws-flood':
    webSocket(flood);
    break;
  case 'subscriptions':
    subscriptions('');
    break;
  case 'unmatched-subscriptions':
    subscriptions('(filter: { stream: "no-such-stream" })');
    break;
  case 'slowloris':
    slowloris();
    break;
  case 'heavy-bodies':
    asFastAsAnswered('POST', '/callbacks', HEAVY_BODY);
    break;
  case 'heavy-unrouted':
    asFastAsAnswered('POST', '/callback', HEAVY_BODY);
    break;
  case 'heavy-spread':
    spread('/callbacks', HEAVY_BODY, 15);
    break;
  case 'graphql-heavy':
    asFastAsAnswered('POST', '/graphql', HEAVY_DOCUMENT);
    break;
  case 'graphql-spread':
    spread('/graphql', HEAVY_DOCUMENT, 40);
    break;
  case 'ws-heavy':
    heavySubscribes();
    break;
  case 'metrics':
    asFastAsAnswered('GET', '/metrics', null);
    break;
  case 'readyz':
    asFastAsAnswered('GET', '/readyz', null);
    break;
  case 'dashboard':
    asFastAsAnswered('GET', '/', null);
    break;
  case 'explorer-script':
    asFastAsAnswered('GET', '/graphiql/vendor/graphiql.js', null);
    break;
  default:
    throw new Error(`unknown kind ${kind}`);
}
setTimeout(() => {
  process.stdout.write(`${JSON.stringify(done)}\n`);
  process.exit(0);
}, seconds * 1000);

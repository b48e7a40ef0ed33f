// A page whose name was re-pointed at the service (DNS rebinding) reaches it as its own origin: what it is answered.
import http from 'node:http';
import WebSocket from 'ws';
import { forwardCommand } from '../../src/forwarding/forwardCommand';
import type { RunningService } from '../../src/server';
import { capturedLog } from '../support/capturedLog';
import { signCallback, useTestService } from '../support/testService';

const KEY = 'allowed-hosts-key';
const TOKEN = 'allowed-hosts-token-0123456789';
const QUERY = JSON.stringify({ query: '{ sessions(first: 1) { totalCount } }' });

interface Answer {
  status: number;
  body: string;
}

/** A request as a browser sends it to a page's own origin: the Host it reached the page under, any path. */
function request(service: RunningService, method: string, path: string, host: string, options: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const { port } = new URL(service.url);
  return new Promise((resolve, reject) => {
    const sent = http.request(
      { host: '127.0.0.1', port: Number(port), method, path, headers: { host, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    sent.on('error', reject).end(options.body);
  });
}

/** The answer to a WebSocket upgrade at /graphql from a page of `host`'s origin, sent under that Host. */
function upgrade(service: RunningService, host: string): Promise<Answer> {
  const { port } = new URL(service.url);
  const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws', { headers: { host }, origin: `http://${host}` });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

const refusalOf = (answer: Answer) => ({ status: answer.status, body: JSON.parse(answer.body) as unknown });

describe('without API tokens: the names browsers may reach GraphQL and the pages under', () => {
  const log = capturedLog('warn');
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY, ALLOWED_HOSTS: 'ledger.corp.com' }, log.logger);
  const port = () => new URL(fixture.service.url).port;

  it('refuses GraphQL, GraphiQL and the dashboard under a name of another site, naming the setting', async () => {
    const host = `rebound.attacker.com:${port()}`;
    const refused = {
      status: 403,
      body: { code: 403, error: 'host_not_allowed', message: expect.stringContaining('Add rebound.attacker.com to ALLOWED_HOSTS') },
    };
    expect(refusalOf(await request(fixture.service, 'POST', '/graphql', host, { body: QUERY }))).toEqual(refused);
    expect(refusalOf(await request(fixture.service, 'GET', `/graphql?query=${encodeURIComponent('{ sessions(first: 1) { totalCount } }')}`, host, { headers: { 'apollo-require-preflight': 'true' } }))).toEqual(refused);
    expect(refusalOf(await request(fixture.service, 'GET', '/graphql', host, { headers: { accept: 'text/html' } }))).toEqual(refused);
    expect(refusalOf(await request(fixture.service, 'GET', '/', host))).toEqual(refused);
    expect(refusalOf(await request(fixture.service, 'GET', '/streams/studio_cam', host))).toEqual(refused);
    // The first refusal is logged at once, naming the host; the others are counted for the next report.
    const lines = log.logged().filter((line) => String(line.msg).includes('host_not_allowed'));
    expect(lines).toEqual([expect.objectContaining({ refused: 1, host, client: '127.0.0.1' })]);
  });

  it('refuses the WebSocket of a page under that name before it exists, though its Origin matches its Host', async () => {
    const answer = await upgrade(fixture.service, `rebound.attacker.com:${port()}`);
    expect(refusalOf(answer)).toEqual({ status: 403, body: { code: 403, error: 'host_not_allowed', message: expect.stringContaining('ALLOWED_HOSTS') } });
  });

  it('answers under localhost, an IP address and the names in ALLOWED_HOSTS, over HTTP and WebSocket', async () => {
    for (const name of ['localhost', '127.0.0.1', 'ledger.corp.com']) {
      const host = `${name}:${port()}`;
      const answer = await request(fixture.service, 'POST', '/graphql', host, { body: QUERY });
      expect({ host, status: answer.status, body: JSON.parse(answer.body) as unknown }).toEqual({ host, status: 200, body: { data: { sessions: { totalCount: 0 } } } });
      expect({ host, status: (await request(fixture.service, 'GET', '/', host)).status }).toEqual({ host, status: 200 });
      expect({ host, status: (await upgrade(fixture.service, host)).status }).toEqual({ host, status: 101 });
    }
  });

  it('takes CSS\'s callbacks and answers probes and scrapers under any name', async () => {
    const host = `ledger.public-site.com:${port()}`;
    const callback = JSON.stringify(signCallback({ event_type: 1, sequence: '7300000000000000001', stream_id: 'studio_cam' }, KEY));
    const stored = await request(fixture.service, 'POST', '/callbacks', host, { body: callback });
    expect({ status: stored.status, body: JSON.parse(stored.body) as unknown }).toEqual({ status: 200, body: { code: 0 } });
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect({ path, status: (await request(fixture.service, 'GET', path, host)).status }).toEqual({ path, status: 200 });
    }
  });
});

describe('with API tokens: a page under another name holds none, so any name is answered', () => {
  const fixture = useTestService({ GRAPHQL_API_TOKENS: TOKEN });

  it('answers a request with the token under any name, and refuses one without it as unauthenticated', async () => {
    const host = `ledger.public-site.com:${new URL(fixture.service.url).port}`;
    const withToken = await request(fixture.service, 'POST', '/graphql', host, { body: QUERY, headers: { authorization: `Bearer ${TOKEN}` } });
    expect({ status: withToken.status, body: JSON.parse(withToken.body) as unknown }).toEqual({ status: 200, body: { data: { sessions: { totalCount: 0 } } } });
    expect((await request(fixture.service, 'POST', '/graphql', host, { body: QUERY })).status).toBe(401);
  });
});

describe('the forward command, refused before GraphQL', () => {
  it('says what the service answered, where it used to print nothing of it', async () => {
    const refusal = { code: 403, error: 'host_not_allowed', message: 'not under "ledger.internal": Add ledger.internal to ALLOWED_HOSTS' };
    const server = http.createServer((_request, response) => response.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify(refusal)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const command = forwardCommand().exitOverride();
      await expect(command.parseAsync(['--url', url, 'status'], { from: 'user' })).rejects.toThrow(
        `${url}/graphql answered 403 host_not_allowed: not under "ledger.internal": Add ledger.internal to ALLOWED_HOSTS`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

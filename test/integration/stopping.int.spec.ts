// Stopping the service: a client that keeps its connection open cannot hold the stop open.
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { rawConnection } from '../support/loopbackSockets';
import { startTestService, tempDataDir } from '../support/testService';

/** Resolves once a new connection is refused: the service no longer listens. */
async function listenerClosed(serviceUrl: string): Promise<void> {
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const probe = net.connect(Number(new URL(serviceUrl).port), '127.0.0.1');
      probe.on('connect', () => {
        probe.destroy();
        resolve(false);
      });
      probe.on('error', () => resolve(true));
    });
    if (refused) return;
    await delay(10);
  }
}

const within = (stopping: Promise<void>, ms: number) =>
  Promise.race([stopping.then(() => 'stopped'), delay(ms, undefined, { ref: false }).then(() => 'still stopping')]);

/** Headers of a callback POST that asks for 100 Continue: once it arrives, the service is handling the request. */
function callbackHeaders(body: string): string {
  return (
    'POST /callbacks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\nexpect: 100-continue\r\n\r\n`
  );
}

describe('stopping the service', () => {
  // Its own life cycle: each test starts a service and stops it itself, in the middle of a request.
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('answers a callback in flight when stopping began, then closes its keep-alive connection', async () => {
    // The connection deadline is 20 s here: only the answer's `connection: close` can end the stop sooner.
    const service = await startTestService(`${data.dir}/in-flight`, { APPEND_TIMEOUT_MS: '19000' });
    const body = JSON.stringify({ event_type: 1, sequence: '7001', stream_id: 'stopping' });
    const connection = rawConnection(service.url);
    connection.socket.write(callbackHeaders(body));
    await connection.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/);

    const stopping = service.close();
    await listenerClosed(service.url);
    connection.socket.write(body);
    await connection.waitFor(/\r\n\r\n.*HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\{.*\}$/);
    expect(connection.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(await within(connection.closed, 5_000)).toBe('stopped');
    expect(await within(stopping, 5_000)).toBe('stopped');
  });

  it('cuts a connection whose request never finishes once the drain deadline passes', async () => {
    // Deadline: APPEND_TIMEOUT_MS + 1 s = 2 s; Node's own request timeout would take ten minutes.
    const service = await startTestService(`${data.dir}/stalled`, { APPEND_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '600000' });
    const connection = rawConnection(service.url);
    connection.socket.write(callbackHeaders(JSON.stringify({ event_type: 1, sequence: '7002', stream_id: 'stopping' })));
    await connection.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/);

    expect(await within(service.close(), 10_000)).toBe('stopped');
    expect(await within(connection.closed, 1_000)).toBe('stopped');
    expect(connection.received()).not.toMatch(/HTTP\/1\.1 200/);
  });

  it('cuts a subscriber that never answers the close frame', async () => {
    const service = await startTestService(`${data.dir}/subscriber`);
    const connection = rawConnection(service.url);
    connection.socket.write(
      'GET /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\nupgrade: websocket\r\nconnection: Upgrade\r\n' +
        'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\nsec-websocket-protocol: graphql-transport-ws\r\n\r\n',
    );
    await connection.waitFor(/^HTTP\/1\.1 101 Switching Protocols\r\n[^]*\r\n\r\n/);

    // ws would wait 30 s for the answer to its close frame; the service gives 2 s.
    expect(await within(service.close(), 10_000)).toBe('stopped');
    expect(await within(connection.closed, 1_000)).toBe('stopped');
    expect(connection.received()).toContain('\x88'); // a close frame was sent first
  });
});

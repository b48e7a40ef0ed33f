// Connections on loopback: a request cut for time is answered 408 and its connection destroyed.
import { setTimeout as delay } from 'node:timers/promises';
import type { RunningService } from '../../src/server';
import { rawConnection, settlesWithin, type RawConnection } from '../support/loopbackSockets';
import { parseMetrics, valueOf, type Sample } from '../support/metricsText';
import { startTestService, tempDataDir } from '../support/testService';

const CALLBACK_HEAD = (contentLength: number) =>
  `POST /callbacks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${contentLength}\r\n\r\n`;
const GET = (path: string, connection: 'keep-alive' | 'close' = 'keep-alive') => `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: ${connection}\r\n\r\n`;

const data = tempDataDir();
afterAll(() => data.remove());

describe('requests not received whole by HTTP_REQUEST_TIMEOUT_MS (1 s)', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await startTestService(`${data.dir}/timeout`, { HTTP_REQUEST_TIMEOUT_MS: '1000' });
  });
  afterAll(() => service.close());

  it('a callback whose body stalls is answered 408 with the JSON error, then its connection is destroyed, not half-closed', async () => {
    // A client that keeps its own side open after the service's FIN, as a slow attacker would.
    const client = rawConnection(service.url, { allowHalfOpen: true });
    client.socket.write(CALLBACK_HEAD(100) + '{"event_type":1,');
    await expectTimedOutAndDestroyed(client, ' '.repeat(10));
    const samples = await scrape(service.url);
    expect(valueOf(samples, 'css_ledger_callbacks_total', { type: 'unknown', outcome: 'rejected', error: 'request_timeout' })).toBe(1);
  }, 30_000);

  it('a connection that never sends a byte is answered and destroyed the same way', async () => {
    await expectTimedOutAndDestroyed(rawConnection(service.url, { allowHalfOpen: true }), 'GET /healthz HTTP/1.1\r\n');
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

const metricsOf = (answer: string): Sample[] => parseMetrics(answer.slice(answer.indexOf('\r\n\r\n') + 4));

async function scrape(serviceUrl: string): Promise<Sample[]> {
  const client = rawConnection(serviceUrl);
  client.socket.write(GET('/metrics', 'close'));
  await client.closed;
  return metricsOf(client.received());
}

import { setTimeout as delay } from 'node:timers/promises';
import type { RunningService } from '../../src/server';
import { blackHole, rawConnection, type BlackHole, type RawConnection } from '../support/loopbackSockets';
import { postCallback, signCallback, startTestService, tempDataDir, type PostResult } from '../support/testService';

const push = (i: number) => ({ event_type: 1, sequence: String(10_000 + i), stream_id: `load-${i}` });

describe('more callbacks at once than MAX_INFLIGHT_APPENDS', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  describe('while the store hangs (an EventStoreDB address that accepts connections and never answers)', () => {
    let hole: BlackHole;
    let service: RunningService;

    beforeAll(async () => {
      hole = await blackHole();
      service = await startTestService(`${data.dir}/hanging`, {
        EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${hole.port}?tls=false`,
        APPEND_TIMEOUT_MS: '2000',
        MAX_INFLIGHT_APPENDS: '4',
      });
    });
    afterAll(async () => {
      await service.close();
      await hole.close();
    });

    it('holds 4 appends, refuses the rest at once with 503 overloaded and Retry-After, and takes new ones once those end', async () => {
      const started = Date.now();
      const refusedAt: number[] = [];
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          postCallback(service.url, push(i)).then((response: PostResult) => {
            if ((response.body as { error?: string }).error === 'overloaded') refusedAt.push(Date.now() - started);
            return response;
          }),
        ),
      );
      const errors = responses.map((r) => (r.body as { error: string }).error).sort();
      expect(errors).toEqual([...Array(8).fill('overloaded'), ...Array(4).fill('store_unavailable')]);
      expect(Math.max(...refusedAt)).toBeLessThan(2000); // refused without waiting for the store
      for (const response of responses) {
        expect(response.status).toBe(503);
        const overloaded = (response.body as { error: string }).error === 'overloaded';
        expect(response.headers.get('retry-after')).toBe(overloaded ? '1' : '5');
      }
      const after = await postCallback(service.url, push(99));
      expect((after.body as { error: string }).error).toBe('store_unavailable'); // admitted again, then timed out
    });
  });

  describe('on the embedded store', () => {
    let service: RunningService;
    beforeAll(async () => {
      service = await startTestService(`${data.dir}/sqlite`, { MAX_INFLIGHT_APPENDS: '2' });
    });
    afterAll(() => service.close());

    it('stores exactly the callbacks that got a 200, and none that got a 503', async () => {
      const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => postCallback(service.url, push(i))));
      const stored = responses.filter((r) => r.status === 200);
      expect(responses.every((r) => r.status === 200 || (r.status === 503 && r.headers.get('retry-after') === '1'))).toBe(true);
      const inLog = new Set((await service.store.readAll({ maxCount: 10_000 })).map((e) => e.id));
      expect([...inLog].sort()).toEqual(stored.map((r) => r.headers.get('callback-event-id')!).sort());
    });
  });

  describe('while 1,000 slow requests that never authenticate are held open (MAX_INFLIGHT_APPENDS at its default, 1000)', () => {
    const KEY = 'overload-key';
    const SLOW = 1_000;
    let service: RunningService;
    const slow: RawConnection[] = [];
    let trickle: NodeJS.Timeout | undefined;

    beforeAll(async () => {
      // The request timeout is long, so that the slow requests are still there when the callback comes.
      service = await startTestService(`${data.dir}/slow`, { CSS_CALLBACK_KEYS: KEY, HTTP_REQUEST_TIMEOUT_MS: '120000' });
    });
    afterAll(async () => {
      clearInterval(trickle);
      slow.forEach((client) => client.socket.destroy());
      await service.close();
    });

    it('answers a signed callback 200 within 1 s', async () => {
      // Each asks for 100 Continue: once it arrives, the service has the request's headers and is handling it.
      const head =
        'POST /callbacks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
        'content-length: 1000\r\nexpect: 100-continue\r\n\r\n';
      for (let batch = 0; batch < SLOW / 100; batch++) {
        const clients = Array.from({ length: 100 }, () => rawConnection(service.url));
        slow.push(...clients);
        clients.forEach((client) => client.socket.write(head));
        await Promise.all(clients.map((client) => client.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/)));
      }
      // Half never send a byte of their body; the other half trickle theirs, one byte every 500 ms.
      const tricklers = slow.filter((_, i) => i % 2 === 0);
      tricklers.forEach((client) => client.socket.write('{"event_type":1,'));
      trickle = setInterval(() => tricklers.forEach((client) => client.socket.write(' ')), 500);
      await delay(1_000);

      const started = performance.now();
      const response = await postCallback(service.url, signCallback({ event_type: 1, sequence: '31337', stream_id: 'amid-slow' }, KEY));
      const elapsedMs = performance.now() - started;
      expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { code: 0 } });
      expect(elapsedMs).toBeLessThan(1_000);
      // All held open throughout: none was answered or cut.
      expect(slow.filter((client) => client.socket.destroyed || client.received() !== 'HTTP/1.1 100 Continue\r\n\r\n').length).toBe(0);
    }, 120_000);
  });
});

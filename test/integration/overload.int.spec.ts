import type { RunningService } from '../../src/server';
import { postCallback, startTestService, tempDataDir } from '../support/testService';

describe('more callbacks at once than MAX_INFLIGHT_APPENDS', () => {
  const data = tempDataDir();
  let service: RunningService;

  beforeAll(async () => {
    service = await startTestService(data.dir, { MAX_INFLIGHT_APPENDS: '2' });
  });
  afterAll(async () => {
    await service.close();
    data.remove();
  });

  it('answers the excess 503 with Retry-After instead of queueing without bound, and stores exactly what got a 200', async () => {
    const bodies = Array.from({ length: 200 }, (_, i) => ({ event_type: 1, sequence: String(10_000 + i), stream_id: `load-${i}` }));
    const responses = await Promise.all(bodies.map((body) => postCallback(service.url, body)));

    const refused = responses.filter((r) => r.status === 503);
    const stored = responses.filter((r) => r.status === 200);
    expect(refused.length + stored.length).toBe(200);
    expect(refused.length).toBeGreaterThan(0);
    expect(stored.length).toBeGreaterThan(0);
    for (const response of refused) {
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.body).toEqual({ code: 503, error: 'overloaded', message: expect.stringContaining('retry later') });
    }
    const inLog = new Set((await service.store.readAll({ maxCount: 10_000 })).map((e) => e.id));
    expect(inLog.size).toBe(stored.length);
    for (const response of stored) expect(inLog.has(response.headers.get('callback-event-id')!)).toBe(true);
  });
});

import { postCallback, startTestService, tempDataDir } from '../support/testService';

describe('restarting the service', () => {
  // Its own life cycle: two services, one after the other, on one folder, within a test.
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('keeps everything it acknowledged, and still recognizes retries of it', async () => {
    const first = await startTestService(data.dir);
    const bodies = Array.from({ length: 30 }, (_, i) => ({ event_type: i % 2, sequence: String(7_000 + (i >> 1)), stream_id: `s${i}` }));
    const acknowledged = await Promise.all(bodies.map((body) => postCallback(first.url, body)));
    expect(acknowledged.every((r) => r.status === 200)).toBe(true);
    const ids = acknowledged.map((r) => r.headers.get('callback-event-id'));
    await first.close();

    const second = await startTestService(data.dir);
    try {
      const stored = await second.store.readAll({ maxCount: 1000 });
      expect(stored.map((e) => e.id).sort()).toEqual([...ids].sort());
      const retry = await postCallback(second.url, bodies[0]!);
      expect([retry.status, retry.headers.get('callback-stored')]).toEqual([200, 'duplicate']);
      expect(await second.store.readAll({ maxCount: 1000 })).toHaveLength(30);
    } finally {
      await second.close();
    }
  });
});

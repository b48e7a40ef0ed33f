import type { RunningService } from '../../src/server';
import { postCallback, startTestService, tempDataDir } from '../support/testService';

describe('when the event store cannot take callbacks', () => {
  const data = tempDataDir();
  let service: RunningService;

  beforeAll(async () => {
    service = await startTestService(data.dir);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    await service.store.close();
  });
  afterAll(async () => {
    await service.close();
    data.remove();
  });

  it('answers 503 with Retry-After and a JSON error, never 200', async () => {
    const response = await postCallback(service.url, { event_type: 1, sequence: '1', stream_id: 's' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.body).toEqual({ code: 503, error: 'store_unavailable', message: expect.stringContaining('cannot take callbacks') });
  });

  it('is not ready, but still alive', async () => {
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ code: 503, error: 'not_ready' });
    const health = await fetch(`${service.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
  });
});

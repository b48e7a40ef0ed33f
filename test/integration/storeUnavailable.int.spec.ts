import { postCallback, useTestService } from '../support/testService';

describe('when the event store cannot take callbacks', () => {
  const fixture = useTestService();

  beforeAll(async () => {
    expect((await fetch(`${fixture.service.url}/readyz`)).status).toBe(200);
    await fixture.service.store.close();
  });

  it('answers 503 with Retry-After and a JSON error, never 200', async () => {
    const response = await postCallback(fixture.service.url, { event_type: 1, sequence: '1', stream_id: 's' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.body).toEqual({ code: 503, error: 'store_unavailable', message: expect.stringContaining('cannot take callbacks') });
  });

  it('is not ready, but still alive', async () => {
    const ready = await fetch(`${fixture.service.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ code: 503, error: 'not_ready' });
    const health = await fetch(`${fixture.service.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
  });
});

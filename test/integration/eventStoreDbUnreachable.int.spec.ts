import { freePort } from '../support/loopbackSockets';
import { runCli } from '../support/serviceProcess';
import { postCallback, tempDataDir } from '../support/testService';

describe('the service with EventStoreDB unreachable', () => {
  const data = tempDataDir();
  let run: ReturnType<typeof runCli> | undefined;
  afterAll(async () => {
    run?.child.kill('SIGTERM');
    await run?.exited;
    data.remove();
  });

  it('says so in one line, keeps serving, answers 503 to callbacks and readiness, and GraphQL from its read models', async () => {
    const esdbPort = await freePort();
    run = runCli(['serve'], {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: data.dir,
      EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${esdbPort}?tls=false`,
      APPEND_TIMEOUT_MS: '800',
    });
    const listening = await run.waitForLine(/listening on http:\/\/127\.0\.0\.1:\d+/);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(listening)![0];
    const unreachable = await run.waitForLine(/cannot reach the event store: eventstoredb:127\.0\.0\.1:\d+ is unreachable/);
    expect(unreachable).toContain('retrying every 5 s');
    expect(run.output().match(/cannot reach the event store/g)).toHaveLength(1);

    const started = Date.now();
    const callback = await postCallback(url, { event_type: 1, sequence: '1', stream_id: 'down' });
    expect(Date.now() - started).toBeLessThan(5000); // well within CSS's 20 s
    expect(callback.status).toBe(503);
    expect(callback.body).toMatchObject({ code: 503, error: 'store_unavailable' });
    // The reason, without the empty "Resolution note: " gRPC ends it with.
    expect((callback.body as { message: string }).message).toMatch(/ECONNREFUSED 127\.0\.0\.1:\d+\.$/);

    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ message: expect.stringMatching(/^the event store cannot take callbacks: eventstoredb:.* is unreachable/) });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const graphql = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ sessions { totalCount } }' }),
    });
    expect(await graphql.json()).toEqual({ data: { sessions: { totalCount: 0 } } });

    // The read models' build retries every ~1.6 s meanwhile; the same failure is logged in full once, not at each retry.
    await run.waitForLine(/failed, resuming from position/);
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(run.output().match(/failed, resuming from position/g)).toHaveLength(1);
  });
});

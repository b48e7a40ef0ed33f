import { statfsSync } from 'node:fs';
import { SessionUpdatedDocument } from '../graphql/generated';
import { capturedLog } from '../support/capturedLog';
import { blackHole, type BlackHole } from '../support/loopbackSockets';
import { collect, subscriptionClient, waitForSubscribers } from '../support/graphqlClient';
import { samplesOf, scrape, valueOf, type Sample } from '../support/metricsText';
import { postCallback, signCallback, useTestService } from '../support/testService';

const CALLBACKS = 'css_ledger_callbacks_total';
const APPEND = 'css_ledger_callback_append_duration_seconds';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const byLabels = (samples: Array<{ labels: Record<string, string>; value: number }>) =>
  [...samples].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));

/** The histogram's buckets as [le, cumulative count], in order. */
const buckets = (samples: Sample[]) => samples.filter((s) => s.name === `${APPEND}_bucket`).map((s) => [s.labels.le, s.value] as const);

describe('GET /metrics', () => {
  describe('counting callbacks, appends and the projector', () => {
    const KEY = 'metrics-callback-key';
    const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY, CALLBACK_BODY_LIMIT_BYTES: '2048' });

    it('starts with nothing counted, the store reachable, the projector live at position 0, and process metrics', async () => {
      const samples = await scrape(fixture.service.url);
      expect(samplesOf(samples, CALLBACKS)).toEqual([]);
      expect(valueOf(samples, `${APPEND}_count`)).toBe(0);
      expect(valueOf(samples, 'css_ledger_event_store_reachable')).toBe(1);
      expect(valueOf(samples, 'css_ledger_projector_position')).toBe(0);
      expect(valueOf(samples, 'css_ledger_projector_events_applied_total')).toBe(0);
      expect(valueOf(samples, 'css_ledger_projector_lag_seconds')).toBe(0);
      expect(byLabels(samplesOf(samples, 'css_ledger_projector_phase'))).toEqual(
        byLabels([
          { labels: { phase: 'catching-up' }, value: 0 },
          { labels: { phase: 'live' }, value: 1 },
          { labels: { phase: 'rebuilding' }, value: 0 },
          { labels: { phase: 'retrying' }, value: 0 },
          { labels: { phase: 'stopped' }, value: 0 },
        ]),
      );
      expect(valueOf(samples, 'css_ledger_processor_phase', { processor: 'projections', phase: 'live' })).toBe(1);
      expect(valueOf(samples, 'css_ledger_processor_lag_events', { processor: 'projections' })).toBe(0);
      for (const readModel of ['sessions', 'relayTasks', 'callbackLog', 'quarantine']) {
        expect(valueOf(samples, 'css_ledger_read_model_phase', { read_model: readModel, phase: 'live' })).toBe(1);
        expect(valueOf(samples, 'css_ledger_read_model_position', { read_model: readModel })).toBe(0);
      }
      expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(samplesOf(samples, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
      expect(samples.some((s) => s.name === 'nodejs_heap_size_used_bytes')).toBe(true);
    });

    it('counts each callback by the event type it became and its outcome, with the rejection slug', async () => {
      const push = { event_type: 1, sequence: '9001', stream_id: 'metered', event_time: 1700000000 };
      const t = Math.floor(Date.now() / 1000) + 600;
      const answers = [
        await postCallback(fixture.service.url, signCallback(push, KEY, t)),
        await postCallback(fixture.service.url, signCallback(push, KEY, t + 1)), // CSS's retry, signed afresh
        await postCallback(fixture.service.url, signCallback({ ...push, event_type: 0, errcode: 1, event_time: 1700000060 }, KEY)),
        await postCallback(fixture.service.url, signCallback({ event_type: 100, stream_id: 'metered', file_id: 'f1' }, KEY)),
        await postCallback(fixture.service.url, { ...push, t, sign: '0'.repeat(32) }),
        await postCallback(fixture.service.url, '{"event_type": 1,'),
        await postCallback(fixture.service.url, { ...signCallback(push, KEY), padding: 'x'.repeat(4096) }),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 401, 400, 413]);
      expect(answers.map((a) => a.headers.get('callback-stored'))).toEqual(['new', 'duplicate', 'new', 'new', null, null, null]);

      const samples = await scrape(fixture.service.url);
      expect(byLabels(samplesOf(samples, CALLBACKS))).toEqual(
        byLabels([
          { labels: { type: 'StreamPushed', outcome: 'stored' }, value: 1 },
          { labels: { type: 'StreamPushed', outcome: 'duplicate' }, value: 1 },
          { labels: { type: 'StreamInterrupted', outcome: 'stored' }, value: 1 },
          { labels: { type: 'UnrecognizedCallbackReceived', outcome: 'stored' }, value: 1 },
          { labels: { type: 'unknown', outcome: 'rejected', error: 'bad_signature' }, value: 1 },
          { labels: { type: 'unknown', outcome: 'rejected', error: 'invalid_json' }, value: 1 },
          { labels: { type: 'unknown', outcome: 'rejected', error: 'body_too_large' }, value: 1 },
        ]),
      );

      // One observation per append that stored or found its event: 3 stored + 1 duplicate.
      expect(valueOf(samples, `${APPEND}_count`)).toBe(4);
      expect(valueOf(samples, `${APPEND}_sum`)).toBeGreaterThan(0);
      const counts = buckets(samples);
      expect(counts.map(([le]) => le)).toEqual(['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf']);
      expect(counts.at(-1)![1]).toBe(4);
      counts.slice(1).forEach(([, count], i) => expect(count).toBeGreaterThanOrEqual(counts[i]![1]));
    });

    it('reports the position, events applied and lag of the projector once it has applied the callbacks', async () => {
      const last = await postCallback(fixture.service.url, signCallback({ event_type: 1, sequence: '9002', stream_id: 'metered' }, KEY));
      const position = BigInt(last.headers.get('callback-position')!);
      await fixture.service.projector.waitForPosition(position);

      const samples = await scrape(fixture.service.url);
      const status = fixture.service.projector.status();
      expect(valueOf(samples, 'css_ledger_projector_position')).toBe(Number(position));
      expect(valueOf(samples, 'css_ledger_projector_events_applied_total')).toBe(4);
      expect(status.lagMs).not.toBeNull();
      expect(valueOf(samples, 'css_ledger_projector_lag_seconds')).toBe(status.lagMs! / 1000);
      expect(valueOf(samples, 'css_ledger_projector_phase', { phase: 'live' })).toBe(1);
      expect(valueOf(samples, 'css_ledger_processor_position', { processor: 'projections' })).toBe(Number(position));
      expect(valueOf(samples, 'css_ledger_processor_lag_seconds', { processor: 'projections' })).toBe(0);
      expect(valueOf(samples, 'css_ledger_read_model_position', { read_model: 'sessions' })).toBe(Number(position));
    });

    it("reports the space left on DATA_DIR's file system and its size, as the operating system counts them", async () => {
      const before = statfsSync(fixture.dataDir);
      const samples = await scrape(fixture.service.url);
      const after = statfsSync(fixture.dataDir);
      expect(valueOf(samples, 'css_ledger_data_dir_size_bytes')).toBe(before.blocks * before.bsize);
      const available = valueOf(samples, 'css_ledger_data_dir_available_bytes')!;
      // Other processes write to the same file system meanwhile: between the two readings, give or take 64 MiB.
      const [low, high] = [Math.min(before.bavail, after.bavail) * before.bsize, Math.max(before.bavail, after.bavail) * before.bsize];
      expect(available).toBeGreaterThanOrEqual(low - 64 * 2 ** 20);
      expect(available).toBeLessThanOrEqual(high + 64 * 2 ** 20);
    });

    it('answers in the Prometheus text format', async () => {
      const response = await fetch(`${fixture.service.url}/metrics`);
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await response.text();
      expect(text).toContain(`# TYPE ${CALLBACKS} counter`);
      expect(text).toContain(`# TYPE ${APPEND} histogram`);
    });
  });

  describe('subscriptions and request ids', () => {
    const { logger, logged } = capturedLog('debug');
    const fixture = useTestService({}, logger);

    it('counts a graphql-ws subscription while it is open', async () => {
      expect(valueOf(await scrape(fixture.service.url), 'css_ledger_graphql_subscriptions')).toBe(0);
      const client = subscriptionClient(fixture.service.url);
      try {
        const updates = collect(client, SessionUpdatedDocument, { filter: { streamId: 'watched' } });
        await updates.ready;
        await waitForSubscribers(fixture.service, 1);
        expect(valueOf(await scrape(fixture.service.url), 'css_ledger_graphql_subscriptions')).toBe(1);

        updates.unsubscribe();
        for (let i = 0; i < 500 && fixture.service.subscriberCount() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
        expect(valueOf(await scrape(fixture.service.url), 'css_ledger_graphql_subscriptions')).toBe(0);
      } finally {
        await client.dispose();
      }
    });

    it('reuses a given x-request-id in the answer, the stored event and the log lines', async () => {
      const stored = await postCallback(fixture.service.url, { event_type: 1, sequence: '9100', stream_id: 'traced' }, { headers: { 'x-request-id': 'lb-7f3a:9100' } });
      expect(stored.status).toBe(200);
      expect(stored.headers.get('x-request-id')).toBe('lb-7f3a:9100');
      const [event] = await fixture.service.store.readStream('session-9100');
      expect(event!.metadata.requestId).toBe('lb-7f3a:9100');

      const rejected = await postCallback(fixture.service.url, '{"event_type":', { headers: { 'x-request-id': 'lb-7f3a:bad' } });
      expect([rejected.status, rejected.headers.get('x-request-id')]).toEqual([400, 'lb-7f3a:bad']);
      const tooLarge = await postCallback(fixture.service.url, 'x'.repeat(70_000), { headers: { 'x-request-id': 'lb-7f3a:big' } });
      expect([tooLarge.status, tooLarge.headers.get('x-request-id')]).toEqual([413, 'lb-7f3a:big']);

      expect(logged()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ reqId: 'lb-7f3a:9100', msg: 'callback stored', stream: 'session-9100', level: 20 }),
          expect.objectContaining({ reqId: 'lb-7f3a:bad', msg: 'callback rejected', error: 'invalid_json', level: 40 }),
          expect.objectContaining({ reqId: 'lb-7f3a:big', msg: 'callback rejected', error: 'body_too_large', status: 413 }),
        ]),
      );
    });

    it('gives a request without a usable x-request-id a fresh UUID, on every route', async () => {
      const plain = await postCallback(fixture.service.url, { event_type: 1, sequence: '9101', stream_id: 'traced' });
      const tooLong = await postCallback(fixture.service.url, '', { headers: { 'x-request-id': 'a'.repeat(129) } });
      const withSpace = await fetch(`${fixture.service.url}/healthz`, { headers: { 'x-request-id': 'two words' } });
      const notFound = await fetch(`${fixture.service.url}/nowhere`);
      const ids = [plain, tooLong, withSpace, notFound].map((r) => r.headers.get('x-request-id'));
      ids.forEach((id) => expect(id).toMatch(UUID));
      expect(new Set(ids).size).toBe(4);

      const [event] = await fixture.service.store.readStream('session-9101');
      expect(event!.metadata.requestId).toBe(ids[0]);
      expect(logged()).toEqual(expect.arrayContaining([expect.objectContaining({ reqId: ids[1], msg: 'callback rejected', error: 'empty_body' })]));
    });
  });

  describe('with the embedded store closed under the service', () => {
    const fixture = useTestService();

    it('reports the store unreachable and counts the callbacks it could not take', async () => {
      expect(valueOf(await scrape(fixture.service.url), 'css_ledger_event_store_reachable')).toBe(1);
      await fixture.service.store.close();
      const answer = await postCallback(fixture.service.url, { event_type: 1, sequence: '9200', stream_id: 'lost' });
      expect(answer.status).toBe(503);

      const samples = await scrape(fixture.service.url);
      expect(valueOf(samples, 'css_ledger_event_store_reachable')).toBe(0);
      expect(samplesOf(samples, CALLBACKS)).toEqual([{ labels: { type: 'StreamPushed', outcome: 'store_unavailable' }, value: 1 }]);
      expect(valueOf(samples, `${APPEND}_count`)).toBe(0);
    });
  });

  describe('with an EventStoreDB that accepts connections and never answers', () => {
    let hole: BlackHole;
    beforeAll(async () => {
      hole = await blackHole();
    });
    const fixture = useTestService(() => ({
      EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${hole.port}?tls=false`,
      APPEND_TIMEOUT_MS: '1500',
      MAX_INFLIGHT_APPENDS: '2',
    }));
    afterAll(async () => {
      await fixture.stop();
      await hole.close();
    });

    it('still answers a scrape, with the store unreachable, and counts overloaded and unavailable callbacks', async () => {
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) => postCallback(fixture.service.url, { event_type: 1, sequence: String(9300 + i), stream_id: 'stuck' })),
      );
      expect(answers.map((a) => (a.body as { error: string }).error).sort()).toEqual([
        'overloaded',
        'overloaded',
        'overloaded',
        'store_unavailable',
        'store_unavailable',
      ]);

      const samples = await scrape(fixture.service.url);
      expect(valueOf(samples, 'css_ledger_event_store_reachable')).toBe(0);
      expect(byLabels(samplesOf(samples, CALLBACKS))).toEqual(
        byLabels([
          { labels: { type: 'StreamPushed', outcome: 'store_unavailable' }, value: 2 },
          { labels: { type: 'unknown', outcome: 'overloaded' }, value: 3 },
        ]),
      );
    });
  });
});

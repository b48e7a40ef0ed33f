import { registerSubscriberMetrics } from '../../src/graphql/subscriberMetrics';
import { createServiceMetrics, reachabilityProbe } from '../../src/metrics/serviceMetrics';
import type { ProcessorStatus } from '../../src/processing/processor';
import type { ProjectionsStatus } from '../../src/processing/projectionsStatus';
import { parseMetrics, samplesOf, valueOf } from '../support/metricsText';

const never = () => new Promise<void>(() => undefined);

describe('reachabilityProbe', () => {
  it('is true when the health check resolves and false when it rejects or throws at once', async () => {
    expect(await reachabilityProbe(async () => undefined)()).toBe(true);
    expect(await reachabilityProbe(async () => Promise.reject(new Error('down')))()).toBe(false);
    expect(
      await reachabilityProbe(() => {
        throw new Error('closed');
      })(),
    ).toBe(false);
  });

  it('is false when the check does not answer in time, and shares a check still running with the next scrape', async () => {
    let checks = 0;
    const probe = reachabilityProbe(() => {
      checks++;
      return never();
    }, 20);
    expect(await Promise.all([probe(), probe()])).toEqual([false, false]);
    expect(await probe()).toBe(false);
    expect(checks).toBe(1);
  });

  it('checks again once the previous check has answered', async () => {
    let healthy = true;
    const probe = reachabilityProbe(async () => {
      if (!healthy) throw new Error('down');
    });
    expect(await probe()).toBe(true);
    healthy = false;
    expect(await probe()).toBe(false);
  });
});

describe('createServiceMetrics', () => {
  const status = (overrides: Partial<ProjectionsStatus>): ProjectionsStatus => ({
    phase: 'live',
    position: 0n,
    eventsApplied: 0,
    lagMs: null,
    lastError: null,
    processors: [],
    readModels: [],
    ...overrides,
  });

  it('reads the projector, subscribers and store at each scrape', async () => {
    let projector = status({});
    let subscribers = 0;
    const metrics = createServiceMetrics({
      projectorStatus: () => projector,
      storeReachable: async () => subscribers === 0,
    });
    registerSubscriberMetrics(metrics.registry, () => subscribers);
    let samples = parseMetrics(await metrics.scrape());
    expect(valueOf(samples, 'css_ledger_projector_lag_seconds')).toBe(0);
    expect(valueOf(samples, 'css_ledger_event_store_reachable')).toBe(1);

    projector = status({ phase: 'retrying', position: 42n, eventsApplied: 40, lagMs: 1250 });
    subscribers = 3;
    samples = parseMetrics(await metrics.scrape());
    expect(valueOf(samples, 'css_ledger_projector_lag_seconds')).toBe(1.25);
    expect(valueOf(samples, 'css_ledger_projector_position')).toBe(42);
    expect(valueOf(samples, 'css_ledger_projector_events_applied_total')).toBe(40);
    expect(samplesOf(samples, 'css_ledger_projector_phase')).toEqual([
      { labels: { phase: 'catching-up' }, value: 0 },
      { labels: { phase: 'live' }, value: 0 },
      { labels: { phase: 'rebuilding' }, value: 0 },
      { labels: { phase: 'retrying' }, value: 1 },
      { labels: { phase: 'stopped' }, value: 0 },
    ]);
    expect(valueOf(samples, 'css_ledger_graphql_subscriptions')).toBe(3);
    expect(valueOf(samples, 'css_ledger_event_store_reachable')).toBe(0);
  });

  it('reports each processor and read model, a build only while there is one', async () => {
    const processor = (name: string, phase: ProcessorStatus['phase'], position: bigint, lagEvents: number): ProcessorStatus => ({
      name, phase, position, headPosition: position + BigInt(lagEvents), lagEvents, lagSeconds: lagEvents === 0 ? 0 : 1.5, eventsApplied: 0, lagMs: null, lastError: null,
    });
    const readModel = (name: string, phase: ProcessorStatus['phase'], position: bigint | null) => ({ name, version: 1, phase, serving: true, file: 'v1.1.db', position, rebuild: null });
    let projector = status({
      phase: 'rebuilding',
      processors: [processor('projections', 'live', 90n, 0), processor('rebuild', 'rebuilding', 40n, 50)],
      readModels: [readModel('sessions', 'rebuilding', null), readModel('callbackLog', 'live', 90n)],
    });
    const metrics = createServiceMetrics({ projectorStatus: () => projector, storeReachable: async () => true });
    let samples = parseMetrics(await metrics.scrape());
    expect(samplesOf(samples, 'css_ledger_processor_position')).toEqual([
      { labels: { processor: 'projections' }, value: 90 },
      { labels: { processor: 'rebuild' }, value: 40 },
    ]);
    expect(valueOf(samples, 'css_ledger_processor_lag_events', { processor: 'rebuild' })).toBe(50);
    expect(valueOf(samples, 'css_ledger_processor_lag_seconds', { processor: 'rebuild' })).toBe(1.5);
    expect(valueOf(samples, 'css_ledger_processor_phase', { processor: 'rebuild', phase: 'rebuilding' })).toBe(1);
    expect(valueOf(samples, 'css_ledger_read_model_phase', { read_model: 'sessions', phase: 'rebuilding' })).toBe(1);
    expect(valueOf(samples, 'css_ledger_read_model_phase', { read_model: 'sessions', phase: 'live' })).toBe(0);
    expect(samplesOf(samples, 'css_ledger_read_model_position')).toEqual([{ labels: { read_model: 'callbackLog' }, value: 90 }]);

    projector = status({ processors: [processor('projections', 'live', 95n, 0)], readModels: [readModel('sessions', 'live', 95n), readModel('callbackLog', 'live', 95n)] });
    samples = parseMetrics(await metrics.scrape());
    expect(samplesOf(samples, 'css_ledger_processor_position')).toEqual([{ labels: { processor: 'projections' }, value: 95 }]);
    expect(samplesOf(samples, 'css_ledger_processor_phase').filter((s) => s.labels.processor === 'rebuild')).toEqual([]);
    expect(valueOf(samples, 'css_ledger_read_model_position', { read_model: 'sessions' })).toBe(95);
  });

  it('keeps the counts of each service to itself', async () => {
    const sources = { projectorStatus: () => status({}), storeReachable: async () => true };
    const first = createServiceMetrics(sources);
    const second = createServiceMetrics(sources);
    first.callbacks.countCallback('StreamPushed', 'stored');
    first.callbacks.observeAppend(0.002);
    second.callbacks.countCallback(null, 'rejected', 'bad_signature');

    const a = parseMetrics(await first.scrape());
    const b = parseMetrics(await second.scrape());
    expect(samplesOf(a, 'css_ledger_callbacks_total')).toEqual([{ labels: { type: 'StreamPushed', outcome: 'stored' }, value: 1 }]);
    expect(samplesOf(b, 'css_ledger_callbacks_total')).toEqual([
      { labels: { type: 'unknown', outcome: 'rejected', error: 'bad_signature' }, value: 1 },
    ]);
    expect(valueOf(a, 'css_ledger_callback_append_duration_seconds_bucket', { le: '0.0025' })).toBe(1);
    expect(valueOf(a, 'css_ledger_callback_append_duration_seconds_bucket', { le: '0.001' })).toBe(0);
    expect(valueOf(b, 'css_ledger_callback_append_duration_seconds_count')).toBe(0);
    // Process metrics are the same in both.
    expect(valueOf(a, 'process_start_time_seconds')).toBe(valueOf(b, 'process_start_time_seconds'));
  });

  it('counts connections open now and refused', async () => {
    const metrics = createServiceMetrics({ projectorStatus: () => status({}), storeReachable: async () => true });
    metrics.connections.opened();
    metrics.connections.opened();
    metrics.connections.closed();
    metrics.connections.refused();
    metrics.connections.refused();
    const samples = parseMetrics(await metrics.scrape());
    expect(valueOf(samples, 'css_ledger_http_connections')).toBe(1);
    expect(valueOf(samples, 'css_ledger_http_connections_refused_total')).toBe(2);
  });

  it('counts dropped subscribers by reason, every reason shown from the start', async () => {
    const metrics = createServiceMetrics({ projectorStatus: () => status({}), storeReachable: async () => true });
    const subscribers = registerSubscriberMetrics(metrics.registry, () => 0);
    expect(samplesOf(parseMetrics(await metrics.scrape()), 'css_ledger_graphql_subscribers_dropped_total')).toEqual([
      { labels: { reason: 'pending_messages' }, value: 0 },
      { labels: { reason: 'pending_bytes' }, value: 0 },
      { labels: { reason: 'most_subscriptions' }, value: 0 },
    ]);
    subscribers.countDropped('pending_bytes');
    expect(valueOf(parseMetrics(await metrics.scrape()), 'css_ledger_graphql_subscribers_dropped_total', { reason: 'pending_bytes' })).toBe(1);
  });
});

// Forwarding started as on EventStoreDB in shared mode, over an in-memory group: deliveries to a loopback receiver, status, metrics and operations over GraphQL.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { graphql, type ExecutionResult } from 'graphql';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { loadForwardConfig } from '../../src/forwarding/forwardConfig';
import type { ForwardingControl } from '../../src/forwarding/forwardingControl';
import { forwardingPrometheus } from '../../src/forwarding/forwardingPrometheus';
import { forwardingGraphql } from '../../src/forwarding/graphql/forwarding.graphql';
import { startForwarding } from '../../src/forwarding/startForwarding';
import type { LogSource } from '../../src/processing/processor';
import { buildGraphqlSchema } from '../../src/graphql/schema';
import { memorySharedSubscription } from '../support/memorySharedSubscription';
import { parseMetrics, samplesOf, valueOf } from '../support/metricsText';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

const event = (n: number, stream: string): RecordedEvent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'StreamPushed',
  stream,
  revision: 0n,
  position: BigInt(n),
  data: { fields: { domain: 'push.example.com', streamId: `live${n}` }, raw: `{"n":${n}}` },
  metadata: {},
  recordedAt: new Date(),
});

/** Shared groups never read the log themselves: a store that is touched fails the test. */
const untouchedLog: LogSource = new Proxy({} as LogSource, {
  get: (_target, property) => () => {
    throw new Error(`shared forwarding read the log (${String(property)})`);
  },
});

describe('shared forwarding in the service (EventStoreDB, FORWARD_EVENTSTOREDB_MODE=shared)', () => {
  let receiver: WebhookReceiver;
  let control: ForwardingControl;
  let dataDir: string;
  afterEach(async () => {
    await control?.close();
    await receiver?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers what the group hands out, parks what the destination rejects, and reports both in status, metrics and redelivery', async () => {
    const rejected = event(2, 'session-b');
    let rejecting = true;
    receiver = await startReceiver((request) => ({ status: rejecting && request.headers['webhook-id'] === rejected.id ? 400 : 200 }));
    const loaded = loadForwardConfig(JSON.stringify({ destinations: [{ name: 'billing', url: receiver.url, format: 'raw' }] }), 'forward.json');
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'shared-forwarding-'));
    const group = memorySharedSubscription('css-ledger-forward-billing');
    const registry = new Registry();
    control = await startForwarding({
      config: loaded.config,
      dataDir,
      shutdownGraceMs: 1000,
      eventsFile: null,
      store: untouchedLog,
      logger: pino({ level: 'silent' }),
      metrics: forwardingPrometheus(registry, () => control.destinations()),
      eventStoreConnectionString: null,
      eventStoreDbMode: 'shared',
      sharedSubscriptionOf: () => group,
    });
    const schema = buildGraphqlSchema(forwardingGraphql, { forwarding: control });
    const run = (source: string): Promise<ExecutionResult> => graphql({ schema, source, contextValue: { adminAccess: 'granted' } });

    const delivered = event(1, 'session-a');
    group.publish(delivered, rejected);
    await receiver.waitFor((received) => received.length === 2);
    const settled = Date.now() + 10_000;
    while (group.acked.length + group.nacked.length < 2 && Date.now() < settled) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(group.acked).toEqual([delivered.id]);
    expect(group.nacked).toEqual([{ id: rejected.id, action: 'park', reason: 'HTTP 400' }]);

    const status = await run(
      '{ destinations { name status paused group deliveredCount deadLetterCount lastDeliveredPosition lastError breaker lagEvents lagSeconds deliveredThrough pendingCount } }',
    );
    expect(status.errors).toBeUndefined();
    expect(status.data?.destinations).toEqual([
      {
        name: 'billing',
        status: 'ACTIVE',
        paused: false,
        group: 'css-ledger-forward-billing',
        deliveredCount: 1,
        deadLetterCount: 1,
        lastDeliveredPosition: '1',
        lastError: 'HTTP 400',
        breaker: null,
        lagEvents: null,
        lagSeconds: null,
        deliveredThrough: null,
        pendingCount: 0,
      },
    ]);

    const samples = parseMetrics(await registry.metrics());
    expect(valueOf(samples, 'css_ledger_forward_deliveries_total', { destination: 'billing', outcome: 'delivered' })).toBe(1);
    expect(valueOf(samples, 'css_ledger_forward_deliveries_total', { destination: 'billing', outcome: 'dead_lettered' })).toBe(1);
    expect(valueOf(samples, 'css_ledger_forward_attempt_duration_seconds_count', { destination: 'billing', result: 'success' })).toBe(1);
    expect(valueOf(samples, 'css_ledger_forward_attempt_duration_seconds_count', { destination: 'billing', result: 'failure' })).toBe(1);
    expect(samplesOf(samples, 'css_ledger_forward_dead_letters')).toEqual([{ labels: { destination: 'billing' }, value: 1 }]);
    expect(samplesOf(samples, 'css_ledger_forward_lag_events')).toEqual([]);

    for (const operation of [
      'mutation { replayToDestination(destination: "billing", fromPosition: "1", toPosition: "2") { offered } }',
      'mutation { pauseDestination(destination: "billing") { status } }',
      '{ deliveries(destination: "billing") { totalCount } }',
    ]) {
      const refused = await run(operation);
      expect(refused.errors?.[0]?.extensions?.code).toBe('UNSUPPORTED_OPERATION');
      expect(refused.errors?.[0]?.message).toMatch(/not available for billing on shared delivery \(EventStoreDB\): /);
    }

    rejecting = false;
    const redelivery = await run('mutation { redeliverDeadLetters(destination: "billing") { redelivered } }');
    expect(redelivery.data?.redeliverDeadLetters).toEqual({ redelivered: 1 });
    await receiver.waitFor((received) => received.length === 3);
    const acked = Date.now() + 10_000;
    while (group.acked.length < 2 && Date.now() < acked) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(group.acked).toEqual([delivered.id, rejected.id]);
    expect(group.parked).toEqual([]);
  });
});

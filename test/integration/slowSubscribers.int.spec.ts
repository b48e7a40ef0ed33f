// Subscribers that stop reading are dropped on their own, while callbacks, the projector and the other subscribers go on.
import { runInThisContext } from 'node:vm';
import type { RunningService } from '../../src/server';
import { sendCallbacks } from '../../src/simulation/callbackSender';
import type { OutgoingCallback } from '../../src/simulation/simulatedCallbacks';
import { CallbackReceivedDocument, RelayTaskUpdatedDocument, SessionsDocument, SessionUpdatedDocument } from '../graphql/generated';
import { relayCallback } from '../support/callbackBodies';
import { collect, query, subscriptionClient, waitForSubscribers, waitForSubscribersDown, within } from '../support/graphqlClient';
import { scrape, valueOf } from '../support/metricsText';
import { rawGraphqlSocket } from '../support/rawWebSocket';
import { postAndProject, postCallback, signCallback, useTestService } from '../support/testService';

const KEY = 'slow-subscriber-key';
/** The process itself: jest hands each test file a copy of `process` with events of its own, and Node warns on the real one. */
const realProcess = runInThisContext('process') as NodeJS.Process;
const DROPPED = 'css_ledger_graphql_subscribers_dropped_total';

function* signedPushes(count: number, prefix: string, extra: Record<string, unknown> = {}): Generator<OutgoingCallback> {
  for (let i = 0; i < count; i++) {
    const body = signCallback({ event_type: 1, sequence: `${prefix}${i}`, stream_id: `stream-${prefix}-${i}`, ...extra }, KEY);
    yield { path: '/callbacks', body: JSON.stringify(body) };
  }
}

/** A socket with `count` subscriptions to every callback, which then stops reading (its TCP socket paused). */
async function stalledSubscriber(service: RunningService, count: number) {
  const before = service.subscriberCount();
  const stalled = await rawGraphqlSocket(service.url);
  for (let id = 0; id < count; id++) stalled.send({ id: String(id), type: 'subscribe', payload: { query: 'subscription { callbackReceived { raw } }' } });
  await waitForSubscribers(service, before + count);
  stalled.socket.pause();
  return stalled;
}

async function dropped(service: RunningService, reason: string): Promise<number> {
  return valueOf(await scrape(service.url), DROPPED, { reason });
}

describe('subscribers that stop reading (default bounds)', () => {
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY });

  it('holds 50 sockets of 3 subscriptions each without a MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    realProcess.on('warning', onWarning);
    const clients = Array.from({ length: 50 }, () => subscriptionClient(fixture.service.url));
    try {
      const followed = clients.flatMap((client) => [
        collect(client, CallbackReceivedDocument, {}),
        collect(client, SessionUpdatedDocument, {}),
        collect(client, RelayTaskUpdatedDocument, {}),
      ]);
      await waitForSubscribers(fixture.service, 150);
      await postAndProject(fixture.service, signCallback({ event_type: 1, sequence: '50', stream_id: 'fifty' }, KEY));
      await postAndProject(fixture.service, signCallback(relayCallback('TaskStart', { task_id: 'fifty', source_url: 'http://a/b.mp4' }), KEY));
      await within(Promise.all(followed.map((subscription) => subscription.next(1))), 20_000, 'every subscription told');
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map((warning) => warning.message)).toEqual([]);
    } finally {
      realProcess.off('warning', onWarning);
      await Promise.all(clients.map((client) => client.dispose()));
      await waitForSubscribersDown(fixture.service, 0);
    }
    expect(fixture.service.subscriberCount()).toBe(0);
  });

  it('drops a socket that stops reading its 100 subscriptions while 3,000 callbacks at 100/s are all stored and told to a healthy subscriber', async () => {
    const healthyClient = subscriptionClient(fixture.service.url);
    try {
      const healthy = collect(healthyClient, CallbackReceivedDocument, {});
      await waitForSubscribers(fixture.service, 1);
      const stalled = await stalledSubscriber(fixture.service, 100);

      // Keyed by status, and by the error too when it is not a 200, so that a failure says what came back.
      const statuses = new Map<string, number>();
      const report = await sendCallbacks(signedPushes(3000, '71'), {
        url: fixture.service.url,
        rate: 100,
        count: 3000,
        durationMs: 60_000,
        maxInFlight: 50,
        maxRetries: 0,
        onAnswer: ({ status, error }) => {
          const key = status === 200 ? '200' : `${status} ${error ?? ''}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        },
      });
      expect(report.sent).toBe(3000);
      expect(Object.fromEntries(statuses)).toEqual({ 200: 3000 });

      const told = await within(healthy.next(3000), 60_000, 'the healthy subscriber told of 3,000 callbacks');
      expect(new Set(told.map((message) => message.callbackReceived.id)).size).toBe(3000);
      expect(await dropped(fixture.service, 'pending_messages')).toBe(1);
      expect(fixture.service.subscriberCount()).toBe(1);
      // Read again, the stalled client finds its connection ended by the server (the close frame was stuck behind its backlog).
      stalled.socket.resume();
      await within(stalled.ended, 30_000, 'the stalled socket ended by the server');

      expect((await fetch(`${fixture.service.url}/healthz`)).status).toBe(200);
      expect((await query(fixture.service.url, SessionsDocument, { filter: { streamId: 'stream-71-2999' } })).sessions.totalCount).toBe(1);
    } finally {
      await healthyClient.dispose();
    }
  }, 180_000);
});

describe('subscribers that stop reading (a small byte bound)', () => {
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY, GRAPHQL_SUBSCRIBER_MAX_PENDING_BYTES: String(64 * 1024) });

  it('drops a socket whose unsent bytes pass GRAPHQL_SUBSCRIBER_MAX_PENDING_BYTES, and only that one', async () => {
    const healthyClient = subscriptionClient(fixture.service.url);
    try {
      const healthy = collect(healthyClient, CallbackReceivedDocument, {});
      await waitForSubscribers(fixture.service, 1);
      await stalledSubscriber(fixture.service, 100);
      // 4 KiB callbacks: the kernel's buffers fill within a few dozen, then ws holds what is left.
      let sent = 0;
      for (const callback of signedPushes(400, '72', { note: 'x'.repeat(4096) })) {
        expect((await postCallback(fixture.service.url, callback.body)).status).toBe(200);
        sent++;
        if (sent % 10 === 0 && (await dropped(fixture.service, 'pending_bytes')) === 1) break;
      }
      expect(await dropped(fixture.service, 'pending_bytes')).toBe(1);
      expect(await dropped(fixture.service, 'pending_messages')).toBe(0);
      await within(healthy.next(sent), 30_000, `the healthy subscriber told of ${sent} callbacks`);
      await waitForSubscribersDown(fixture.service, 1);
      expect(fixture.service.subscriberCount()).toBe(1);
    } finally {
      await healthyClient.dispose();
    }
  }, 120_000);
});

// A destination's deliveries from a shared group: acked once delivered, in order per stream, retried per policy, parked, rejoined.
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import type { AttemptResult } from '../../src/forwarding/attemptResult';
import { deliveryFormatter, type DeliveryRequest } from '../../src/forwarding/deliveryFormat';
import { loadForwardConfig, type DestinationConfig } from '../../src/forwarding/forwardConfig';
import { noLogger } from '../../src/forwarding/forwardingMetrics';
import type { DeliverySender } from '../../src/forwarding/httpSender';
import { SharedForwarder } from '../../src/forwarding/sharedForwarder';
import { memorySharedSubscription, type MemoryGroup } from '../support/memorySharedSubscription';
import { steppableSystemClock } from '../support/systemClock';

function destinationConfig(extra: Record<string, unknown> = {}): DestinationConfig {
  const loaded = loadForwardConfig(
    JSON.stringify({ destinations: [{ name: 'billing', url: 'http://127.0.0.1:9/hook', format: 'raw', retry: { initialDelayMs: 1, maxDelayMs: 5 }, ...extra }] }),
    'forward.json',
  );
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.config.destinations[0]!;
}

let position = 0n;
function event(stream: string, type = 'StreamPushed', fields: Record<string, unknown> = { domain: 'push.example.com', streamId: 'live1' }): RecordedEvent {
  position += 1n;
  const n = String(position).padStart(12, '0');
  return { id: `00000000-0000-4000-8000-${n}`, type, stream, revision: 0n, position, data: { fields, raw: `{"n":${position}}` }, metadata: {}, recordedAt: new Date() };
}

const ok = (status = 200): AttemptResult => ({ kind: 'response', status, retryAfter: null, location: null, body: '', durationMs: 1 });

/** A sender that answers by script and keeps every request's event id in the order sent. */
function scriptedSender(answer: (request: DeliveryRequest, index: number) => Promise<AttemptResult> | AttemptResult) {
  const sent: string[] = [];
  const sender: DeliverySender = {
    async send(request) {
      sent.push(request.headers['webhook-id']!);
      return answer(request, sent.length - 1);
    },
    abortAll: () => undefined,
    close: async () => undefined,
  };
  return { sender, sent };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const running: SharedForwarder[] = [];
function forwarder(group: MemoryGroup, sender: DeliverySender, destination = destinationConfig()): SharedForwarder {
  const instance = new SharedForwarder({ destination, subscription: group, sender, format: deliveryFormatter(destination), logger: noLogger, rejoinDelayMs: 10 });
  running.push(instance);
  instance.start();
  return instance;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((instance) => instance.stop()));
});

describe('SharedForwarder', () => {
  it('joins the group after making sure it exists, delivers each event and acks it only after the 2xx', async () => {
    const group = memorySharedSubscription();
    const { sender, sent } = scriptedSender(() => ok());
    forwarder(group, sender);
    const events = [event('session-a'), event('session-b')];
    group.publish(...events);
    await until(() => group.acked.length === 2, 'two acks');
    expect(group.ensureGroupCalls).toBe(1);
    expect(sent).toEqual(events.map((e) => e.id));
    expect(group.acked.sort()).toEqual(events.map((e) => e.id).sort());
    expect(group.nacked).toEqual([]);
  });

  it('does not send a stream’s later event before its earlier one is delivered, while other streams go on', async () => {
    const group = memorySharedSubscription();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const [a1, a2, b1] = [event('session-a'), event('session-a'), event('session-b')];
    const { sender, sent } = scriptedSender(async (request) => {
      if (request.headers['webhook-id'] === a1.id) await held;
      return ok();
    });
    forwarder(group, sender);
    group.publish(a1, a2, b1);
    await until(() => group.acked.includes(b1.id), 'the other stream delivered');
    expect(sent).not.toContain(a2.id);
    release();
    await until(() => group.acked.length === 3, 'every event acked');
    expect(sent.indexOf(a2.id)).toBeGreaterThan(sent.indexOf(a1.id));
    expect(group.acked.indexOf(a2.id)).toBeGreaterThan(group.acked.indexOf(a1.id));
  });

  it('retries a failed delivery per the policy before acking it, and parks what the policy gives up on', async () => {
    const group = memorySharedSubscription();
    const [flaky, rejected, hopeless] = [event('session-a'), event('session-b'), event('session-c')];
    const { sender, sent } = scriptedSender((request) => {
      const id = request.headers['webhook-id'];
      if (id === flaky.id) return sent.filter((s) => s === id).length < 3 ? ok(503) : ok();
      if (id === rejected.id) return ok(400);
      return { kind: 'network', error: 'connect ECONNREFUSED', durationMs: 1 };
    });
    const instance = forwarder(group, sender, destinationConfig({ retry: { initialDelayMs: 1, maxDelayMs: 5, maxAttempts: 4 } }));
    group.publish(flaky, rejected, hopeless);
    await until(() => group.acked.length + group.nacked.length === 3, 'every event settled');
    expect(group.acked).toEqual([flaky.id]);
    expect(sent.filter((id) => id === flaky.id)).toHaveLength(3);
    expect(group.nacked).toEqual(
      expect.arrayContaining([
        { id: rejected.id, action: 'park', reason: 'HTTP 400' },
        { id: hopeless.id, action: 'park', reason: expect.stringContaining('gave up after 4 attempts') },
      ]),
    );
    expect(sent.filter((id) => id === rejected.id)).toHaveLength(1);
    expect(instance.counts).toMatchObject({ delivered: 1, parked: 2 });
  });

  it("signs and records at the system clock's time, though it was set forward since the instance started", async () => {
    const group = memorySharedSubscription();
    const timestamps: string[] = [];
    const { sender } = scriptedSender((request) => (timestamps.push(request.headers['webhook-timestamp']!), ok()));
    const instance = forwarder(group, sender, destinationConfig({ format: 'standard-webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }));
    const clock = steppableSystemClock();
    try {
      clock.stepTo(10 * 60_000);
      group.publish(event('session-a'));
      await until(() => group.acked.length === 1, 'the ack');
      // Receivers hold webhook-timestamp to within five minutes of their own clock.
      expect(Math.abs(Number(timestamps[0]) * 1000 - Date.now())).toBeLessThan(5_000);
      expect(Math.abs(instance.progress().lastDeliveredAt!.getTime() - Date.now())).toBeLessThan(5_000);
    } finally {
      clock.restore();
    }
  });

  it('acks what its filter leaves out without sending it', async () => {
    const group = memorySharedSubscription();
    const { sender, sent } = scriptedSender(() => ok());
    forwarder(group, sender, destinationConfig({ filter: { types: ['StreamPushed'] } }));
    const [wanted, other] = [event('session-a'), event('session-b', 'StreamInterrupted')];
    group.publish(other, wanted);
    await until(() => group.acked.length === 2, 'both acked');
    expect(sent).toEqual([wanted.id]);
  });

  it('joins again when the connection drops, and delivers what was handed out but not acked', async () => {
    const group = memorySharedSubscription();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = event('session-a');
    const { sender, sent } = scriptedSender(async (_request, index) => {
      if (index === 0) await held; // the first attempt is still in flight when the connection drops
      return ok();
    });
    const instance = forwarder(group, sender);
    group.publish(first);
    await until(() => sent.length === 1, 'the first attempt');
    group.dropConnection();
    await until(() => group.joins === 2, 'a second join');
    release();
    const later = event('session-b');
    group.publish(later);
    await until(() => group.acked.includes(first.id) && group.acked.includes(later.id), 'both delivered and acked');
    expect(instance.counts.rejoined).toBe(1);
    expect(group.ensureGroupCalls).toBe(2);
  });

  it('hands a delivery waiting for its retry back to the group when it stops', async () => {
    const group = memorySharedSubscription();
    const { sender } = scriptedSender(() => ok(503));
    const instance = forwarder(group, sender, destinationConfig({ retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 'decorrelated' } }));
    const waiting = event('session-a');
    group.publish(waiting);
    await until(() => instance.counts.retried === 1, 'a retry scheduled');
    await instance.stop();
    expect(group.nacked).toEqual([{ id: waiting.id, action: 'retry', reason: 'instance stopping' }]);
    expect(group.acked).toEqual([]);
  });
});

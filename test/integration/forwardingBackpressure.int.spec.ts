// A destination that is down: its breaker opens and probes, its intake stops at its window while another destination goes on, and it catches up.
import { openForwarding, type Forwarding } from '../../src/forwarding';
import { FAST_RETRY, eventually, forwardConfigOf, loggedCallbacks, memoryLog, tempForwardingFile } from '../support/forwardingLog';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

describe('forwarding to a destination that is down', () => {
  let healthy: WebhookReceiver;
  let flaky: WebhookReceiver;
  let forwarding: Forwarding | undefined;
  let state: ReturnType<typeof tempForwardingFile>;

  beforeEach(async () => {
    [healthy, flaky] = await Promise.all([startReceiver(), startReceiver()]);
    state = tempForwardingFile();
  });
  afterEach(async () => {
    await forwarding?.close(500);
    forwarding = undefined;
    await Promise.all([healthy.stop(), flaky.stop().catch(() => undefined)]);
    state.remove();
  });

  it('stops taking events in at its window while another destination delivers everything, then catches up when it is back', async () => {
    await flaky.stop();
    const breaker = { failureThreshold: 3, cooldownMs: 50 };
    forwarding = openForwarding({
      file: state.file,
      config: forwardConfigOf([
        { name: 'down', url: flaky.url, format: 'raw', maxPending: 20, timeoutMs: 500, retry: FAST_RETRY, breaker },
        { name: 'up', url: healthy.url, format: 'raw', maxPending: 20, retry: FAST_RETRY },
      ]),
      reader: memoryLog([]),
      logHead: 0n,
    });
    forwarding.start();
    const [down, up] = forwarding.destinations;
    const events = loggedCallbacks(200, 10);
    // Each destination is fed by its own processor: batches of 50, the next once handle resolves.
    const feed = async (handler: typeof down) => {
      for (let i = 0; i < events.length; i += 50) await handler!.handle(events.slice(i, i + 50));
    };
    let downFed = false;
    const feedingDown = feed(down).then(() => (downFed = true));
    feedingDown.catch(() => undefined); // awaited below; a failed test stops it
    await feed(up);
    await eventually(() => up!.status(200n).pendingCount === 0, 'the healthy destination delivered everything');
    expect(new Set(healthy.received.map((x) => x.headers['webhook-id'])).size).toBe(200);

    // The dead one took in no more than its window, and its breaker stopped the hammering.
    expect(downFed).toBe(false);
    expect(down!.status(200n)).toMatchObject({ state: 'breaker-open', pendingCount: 20, deliveredThrough: 0n });
    expect(down!.checkpoint()).toBeLessThan(200n);
    expect(down!.status(200n).lastError?.message).toMatch(/ECONNREFUSED/);
    expect(up!.status(200n)).toMatchObject({ state: 'active', pendingCount: 0, deliveredThrough: 200n, lagEvents: 0 });

    await flaky.restart();
    await feedingDown;
    await flaky.waitFor((r) => new Set(r.map((x) => x.headers['webhook-id'])).size === 200);
    await eventually(() => down!.status(200n).pendingCount === 0, 'the down destination caught up');
    expect(down!.status(200n)).toMatchObject({ state: 'active', deliveredThrough: 200n, checkpoint: 200n, deadLetterCount: 0 });
  });

  it('opens the breaker after consecutive failures, sends nothing during the cool-down, then one probe at a time', async () => {
    let failing = true;
    flaky.answerWith(() => (failing ? { status: 500 } : { status: 200 }));
    forwarding = openForwarding({
      file: state.file,
      config: forwardConfigOf([{ name: 'flaky', url: flaky.url, format: 'raw', concurrency: 4, retry: FAST_RETRY, breaker: { failureThreshold: 3, cooldownMs: 300 } }]),
      reader: memoryLog([]),
      logHead: 0n,
    });
    forwarding.start();
    const flakyDestination = forwarding.destinations[0]!;
    await flakyDestination.handle(loggedCallbacks(8, 4));
    await eventually(() => flakyDestination.status(8n).state === 'breaker-open', 'breaker open');
    const openedAt = Date.now();
    // Requests already on their way when it opened may still arrive: counted once answered. Nothing is sent after them
    // until the cool-down ends.
    await eventually(() => flakyDestination.status(8n).inFlightCount === 0, 'the requests sent before it opened answered');
    const sentBeforeOpen = flaky.received.length;
    await flaky.waitFor((r) => r.length > sentBeforeOpen);
    const probe = flaky.received[sentBeforeOpen]!;
    expect(probe.at - openedAt).toBeGreaterThanOrEqual(250);
    expect(sentBeforeOpen).toBeLessThanOrEqual(3 + 4);
    // The probe failed: open again for a cool-down, then the next single probe.
    await flaky.waitFor((r) => r.length > sentBeforeOpen + 1);
    expect(flaky.received[sentBeforeOpen + 1]!.at - probe.at).toBeGreaterThanOrEqual(250);

    failing = false;
    await eventually(() => flakyDestination.status(8n).pendingCount === 0, 'all delivered once the probe succeeds');
    expect(flakyDestination.status(8n).state).toBe('active');
  });
});

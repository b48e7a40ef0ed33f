// Forwarding against receivers that fail: retried with backoff, Retry-After honoured, dead-lettered at the right moment, redirects not followed.
import Database from 'better-sqlite3';
import { openForwarding, type Forwarding } from '../../src/forwarding';
import { FAST_RETRY, eventually, forwardConfigOf, loggedCallback, memoryLog, tempForwardingFile } from '../support/forwardingLog';
import { startReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhookReceiver';
import { steppableSystemClock } from '../support/systemClock';

const positionOf = (request: ReceivedRequest) => Number(request.headers['x-css-ledger-position']);

describe('forwarding retries and dead letters', () => {
  let receiver: WebhookReceiver;
  let forwarding: Forwarding | undefined;
  let state: ReturnType<typeof tempForwardingFile>;

  beforeEach(async () => {
    receiver = await startReceiver();
    state = tempForwardingFile();
  });
  afterEach(async () => {
    await forwarding?.close(500);
    forwarding = undefined;
    await receiver.stop();
    state.remove();
  });

  const open = (settings: Record<string, unknown> = {}) => {
    const destination = { name: 'hooks', url: receiver.url, format: 'raw', ...settings, retry: { ...FAST_RETRY, ...(settings.retry as object) } };
    forwarding = openForwarding({ file: state.file, config: forwardConfigOf([destination]), reader: memoryLog([]), logHead: 0n });
    forwarding.start();
    return forwarding.destinations[0]!;
  };
  const deliveries = (status?: 'pending' | 'delivered' | 'dead') => forwarding!.log.list('hooks', { status }, 100, null).edges.map((e) => e.row);

  it('retries a 500 until the receiver answers 2xx, and logs every attempt', async () => {
    receiver.answerWith((_request, index) => ({ status: index < 2 ? 500 : 200, body: 'database is down' }));
    const destination = open();
    await destination.handle([loggedCallback(1, 'session-a')]);
    await eventually(() => deliveries('delivered').length === 1, 'delivered');

    const [delivery] = deliveries('delivered');
    expect(delivery).toMatchObject({ attempts: 3, lastStatus: 200, lastError: null });
    const attempts = forwarding!.log.attempts(delivery!.id);
    expect(attempts.map((a) => [a.httpStatus, a.error])).toEqual([
      [500, 'HTTP 500: database is down'],
      [500, 'HTTP 500: database is down'],
      [200, null],
    ]);
    expect(destination.status(1n)).toMatchObject({ deliveredThrough: 1n, lagEvents: 0, pendingCount: 0, lastDeliveredPosition: 1n });
  });

  it('a receiver that never answers times out; after maxAttempts the delivery is dead-lettered and its stream moves on', async () => {
    receiver.answerWith((request) => (positionOf(request) === 1 ? 'hang' : { status: 200 }));
    const destination = open({ timeoutMs: 100, retry: { maxAttempts: 2 } });
    await destination.handle([loggedCallback(1, 'session-a'), loggedCallback(2, 'session-a')]);
    await eventually(() => deliveries('delivered').length === 1, 'the second event delivered');

    const [dead] = deliveries('dead');
    expect(dead).toMatchObject({ position: 1n, attempts: 2, lastError: 'gave up after 2 attempts: no answer within 100 ms' });
    expect(receiver.received.map(positionOf)).toEqual([1, 1, 2]);
    expect(destination.status(2n)).toMatchObject({ deadLetterCount: 1, deliveredThrough: 2n, lastError: { message: dead!.lastError } });
  });

  it('410 is dead-lettered at once, its answer on one line; redeliverDeadLetters sends it again when the receiver takes it', async () => {
    receiver.answerWith((request) => (positionOf(request) === 1 ? { status: 410, body: '<p>\n  gone\n</p>\n' } : { status: 200 }));
    const destination = open();
    await destination.handle([loggedCallback(1, 'session-a'), loggedCallback(2, 'session-a')]);
    await eventually(() => deliveries('delivered').length === 1, 'the second event delivered');
    expect(deliveries('dead')).toMatchObject([{ position: 1n, attempts: 1, lastStatus: 410, lastError: 'HTTP 410: <p> gone </p>' }]);

    receiver.answerWith(() => ({ status: 200 }));
    expect(await destination.redeliverDeadLetters()).toEqual({ redelivered: 1 });
    await eventually(() => deliveries('delivered').length === 2, 'the dead letter delivered');
    expect(receiver.received.map(positionOf)).toEqual([1, 2, 1]);
    expect(destination.status(2n).deadLetterCount).toBe(0);
  });

  it('with deadLetterOn4xx off, a 4xx is retried like a 5xx', async () => {
    receiver.answerWith((_request, index) => ({ status: index === 0 ? 404 : 200 }));
    const destination = open({ retry: { deadLetterOn4xx: false } });
    await destination.handle([loggedCallback(1, 'session-a')]);
    await eventually(() => deliveries('delivered').length === 1, 'delivered');
    expect(deliveries('delivered')[0]!.attempts).toBe(2);
  });

  it('503 with Retry-After: 1 holds the destination back for that second, whatever the backoff says', async () => {
    receiver.answerWith((_request, index) => (index === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }));
    // maxDelayMs caps Retry-After too: here it leaves room for the second asked for.
    const destination = open({ concurrency: 1, retry: { maxDelayMs: 5_000 } });
    await destination.handle([loggedCallback(1, 'session-a')]);
    await receiver.waitFor((r) => r.length === 1);
    await destination.handle([loggedCallback(2, 'session-b')]);
    await eventually(() => deliveries('delivered').length === 2, 'both delivered');

    const [first, ...later] = receiver.received;
    const retry = later.find((r) => positionOf(r) === 1);
    const other = later.find((r) => positionOf(r) === 2);
    expect(retry!.at - first!.at).toBeGreaterThanOrEqual(950);
    // The other stream's event waited too: Retry-After speaks for the destination.
    expect(other!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('a redirect is not followed: it is retried and reported, then dead-lettered after maxAttempts', async () => {
    receiver.answerWith((request) => (request.path === '/hook' ? { status: 302, headers: { location: '/moved' } } : { status: 200 }));
    open({ retry: { maxAttempts: 3 } }).handle([loggedCallback(1, 'session-a')]);
    await eventually(() => deliveries('dead').length === 1, 'dead-lettered');
    expect(receiver.received.map((r) => r.path)).toEqual(['/hook', '/hook', '/hook']);
    expect(deliveries('dead')[0]!.lastError).toBe('gave up after 3 attempts: HTTP 302: redirect to /moved not followed; fix the destination URL');
  });

  it('after maxAgeSeconds since it was offered, a failing delivery is dead-lettered', async () => {
    let skew = 0;
    receiver.answerWith(() => ({ status: 500 }));
    forwarding = openForwarding({
      file: state.file,
      config: forwardConfigOf([{ name: 'hooks', url: receiver.url, format: 'raw', retry: { ...FAST_RETRY, maxAgeSeconds: 60 } }]),
      reader: memoryLog([]),
      logHead: 0n,
      clock: { wall: () => Date.now(), monotonic: () => performance.now() + skew },
    });
    forwarding.start();
    await forwarding.destinations[0]!.handle([loggedCallback(1, 'session-a')]);
    await receiver.waitFor((r) => r.length >= 2);
    skew += 61_000;
    await eventually(() => deliveries('dead').length === 1, 'dead-lettered');
    expect(deliveries('dead')[0]!.lastError).toBe('gave up after 60 s: HTTP 500');
  });

  it('the system clock set back an hour while a retry waits does not hold it back', async () => {
    const clock = steppableSystemClock();
    try {
      receiver.answerWith((_request, index) => (index === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }));
      // maxDelayMs leaves room for the second asked for.
      await open({ retry: { maxDelayMs: 5_000 } }).handle([loggedCallback(1, 'session-a')]);
      await eventually(() => deliveries('pending')[0]?.attempts === 1, 'the 503 recorded');
      clock.stepTo(-3_600_000);
      await eventually(() => deliveries('delivered').length === 1, 'delivered a second after the 503', 10_000);
      expect(receiver.received).toHaveLength(2);
    } finally {
      clock.restore();
    }
  });

  it('a retry stored as due an hour after its delay, as when the clock was set back while the service was stopped, goes after its delay', async () => {
    receiver.answerWith(() => ({ status: 500 }));
    await open({ retry: { initialDelayMs: 1_000, maxDelayMs: 1_000 } }).handle([loggedCallback(1, 'session-a')]);
    await eventually(() => deliveries('pending')[0]?.attempts === 1, 'the first attempt recorded');
    await forwarding!.close(500);
    forwarding = undefined;
    // The row as the stopped service left it, on a clock then an hour ahead of the one the service starts with.
    const db = new Database(state.file);
    db.prepare('UPDATE deliveries SET next_attempt_at = next_attempt_at + 3600000').run();
    db.close();

    receiver.answerWith(() => ({ status: 200 }));
    const reopened = Date.now();
    open({ retry: { initialDelayMs: 1_000, maxDelayMs: 1_000 } });
    await eventually(() => deliveries('delivered').length === 1, 'delivered within its delay', 10_000);
    expect(Date.now() - reopened).toBeLessThan(5_000);
    expect(receiver.received).toHaveLength(2);
  });
});

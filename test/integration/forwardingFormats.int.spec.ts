// Forwarding formats over real HTTP: raw sends the callback's bytes as CSS sent them; standard-webhooks signs an envelope receivers verify.
import { Webhook } from 'standardwebhooks';
import { openForwarding, type Forwarding } from '../../src/forwarding';
import { eventually, forwardConfigOf, loggedCallback, memoryLog, tempForwardingFile } from '../support/forwardingLog';
import { steppableSystemClock } from '../support/systemClock';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('forwarding formats', () => {
  let receiver: WebhookReceiver;
  let forwarding: Forwarding | undefined;
  const state = tempForwardingFile();

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await forwarding?.close(1_000);
    forwarding = undefined;
    await receiver.stop();
  });
  afterAll(() => state.remove());

  const open = (destination: Record<string, unknown>, file = state.file) => {
    forwarding = openForwarding({ file, config: forwardConfigOf([destination]), reader: memoryLog([]), logHead: 0n });
    forwarding.start();
    return forwarding.destinations[0]!;
  };

  it('raw: the body byte for byte, its content type, webhook-id and the log position', async () => {
    const destination = open({ name: 'raw', url: receiver.url + '?k=1', format: 'raw', headers: { authorization: 'Bearer t' } });
    const plain = loggedCallback(1, 'session-a');
    const declared = loggedCallback(2, 'session-b', { contentType: 'text/plain; charset=utf-8' });
    // A body whose bytes JSON re-encoding would change: spacing, escapes, a BOM and non-ASCII text.
    declared.data.raw = '\uFEFF{ "app" : "d\\u00e9mo", "note": "caf\u00e9" }';
    await destination.handle([plain, declared]);
    await receiver.waitFor((r) => r.length === 2);

    const [first, second] = [...receiver.received].sort((a, b) => Number(a.headers['x-css-ledger-position']) - Number(b.headers['x-css-ledger-position']));
    expect(first!.path).toBe('/hook?k=1');
    expect(first!.body.equals(Buffer.from(plain.data.raw as string, 'utf8'))).toBe(true);
    expect(first!.headers['content-type']).toBe('application/json');
    expect(first!.headers['webhook-id']).toBe(plain.id);
    expect(first!.headers['x-css-ledger-position']).toBe('1');
    expect(first!.headers.authorization).toBe('Bearer t');
    expect(second!.body.equals(Buffer.from(declared.data.raw as string, 'utf8'))).toBe(true);
    expect(second!.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('standard-webhooks: the envelope, signed so that the reference library verifies it', async () => {
    const destination = open({ name: 'signed', url: receiver.url, format: 'standard-webhooks', secret: SECRET });
    const event = loggedCallback(7, 'session-a', { recordedAt: new Date('2025-01-02T03:04:05.678Z') });
    await destination.handle([event]);
    await receiver.waitFor((r) => r.length === 1);

    const [request] = receiver.received;
    const headers = request!.headers as Record<string, string>;
    const payload = new Webhook(SECRET).verify(request!.body.toString('utf8'), headers);
    expect(payload).toEqual({
      type: 'StreamPushed',
      timestamp: '2025-01-02T03:04:05.678Z',
      data: {
        eventId: event.id,
        stream: 'session-a',
        position: '7',
        receivedAt: '2025-01-02T03:04:05.678Z',
        raw: event.data.raw,
        fields: event.data.fields,
      },
    });
    expect(headers['webhook-id']).toBe(event.id);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // Signed with another secret, the same request does not verify.
    expect(() => new Webhook('whsec_' + Buffer.alloc(32, 7).toString('base64')).verify(request!.body.toString('utf8'), headers)).toThrow();
  });

  it("standard-webhooks: signed at the system clock's time, though it was set forward since forwarding started", async () => {
    const destination = open({ name: 'stepped', url: receiver.url, format: 'standard-webhooks', secret: SECRET });
    // Receivers hold webhook-timestamp to within five minutes of their own clock (the reference library does).
    const clock = steppableSystemClock();
    try {
      clock.stepTo(10 * 60_000);
      const event = loggedCallback(8, 'session-a');
      await destination.handle([event]);
      await receiver.waitFor((r) => r.length === 1);

      const [request] = receiver.received;
      const headers = request!.headers as Record<string, string>;
      expect(Math.abs(Number(headers['webhook-timestamp']) * 1000 - Date.now())).toBeLessThan(5_000);
      expect(() => new Webhook(SECRET).verify(request!.body.toString('utf8'), headers)).not.toThrow();
      // What is recorded of the attempt is on the same clock.
      const delivered = () => forwarding!.log.list('stepped', { status: 'delivered' }, 10, null).edges.map((e) => e.row);
      await eventually(() => delivered().length === 1, 'the delivery recorded');
      const [delivery] = delivered();
      const [attempt] = forwarding!.log.attempts(delivery!.id);
      expect(Math.abs(attempt!.at.getTime() - Date.now())).toBeLessThan(5_000);
    } finally {
      clock.restore();
    }
  });
});

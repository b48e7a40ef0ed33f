import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { seedExamples } from '../support/seedExamples';
import { postCallback, useTestService } from '../support/testService';

const OK = { code: 0 };

describe('POST /callbacks in development mode (no keys, no token)', () => {
  const fixture = useTestService();

  it('stores every example of the CSS documents with its type, stream and body exactly as sent', async () => {
    for (const example of seedExamples()) {
      const response = await postCallback(fixture.service.url, example.raw);
      expect({ source: example.source, status: response.status, body: response.body }).toEqual({
        source: example.source,
        status: 200,
        body: OK,
      });
      const eventId = response.headers.get('callback-event-id')!;
      const stream = (await fixture.service.store.readAll({ maxCount: 10_000 })).find((e) => e.id === eventId);
      expect(stream).toBeDefined();
      expect(stream!.data.raw === example.raw || response.headers.get('callback-stored') === 'duplicate').toBe(true);
    }
    const events = await fixture.service.store.readAll({ maxCount: 10_000 });
    const byStream = new Map(events.map((e) => [e.stream.replace(/[0-9a-f-]{36}$/, '<id>'), e.type]));
    expect(Object.fromEntries(byStream)).toEqual({
      'session-6674468118806626493': 'StreamPushed',
      'relaytask-118148': 'RelayTaskStarted',
      'relaytask-118145': 'RelayVodFileFinished',
      'relayexit-<id>': 'RelayTaskExited',
    });
    // Examples repeated word for word across the documents are one event each.
    expect(events).toHaveLength(8);
    const vodStream = await fixture.service.store.readStream('relaytask-118145');
    expect(vodStream.map((e) => e.type)).toEqual([
      'RelayVodFileStarted',
      'RelayVodFileFinished',
      'RelayVodFileStarted',
      'RelayVodFileFinished',
    ]);
  });

  it('keeps a 64-bit sequence sent as a JSON number exactly, in the stream name and in the body', async () => {
    const raw = '{"event_type":0,"sequence":9223372036854775807,"stream_id":"big","errcode":1,"push_duration":"1000"}';
    const response = await postCallback(fixture.service.url, raw);
    expect(response.status).toBe(200);
    const [event] = await fixture.service.store.readStream('session-9223372036854775807');
    expect(event).toMatchObject({ type: 'StreamInterrupted', data: { raw, fields: { sequence: '9223372036854775807' } } });
  });

  it('records when, from where and how each callback was authenticated', async () => {
    const before = Date.now();
    const response = await postCallback(fixture.service.url, { event_type: 1, sequence: '1001', stream_id: 'meta' });
    const [event] = await fixture.service.store.readStream('session-1001');
    expect(event!.id).toBe(response.headers.get('callback-event-id'));
    expect(event!.metadata).toMatchObject({ clientAddress: '127.0.0.1', authenticatedBy: 'none' });
    expect(Date.parse(event!.metadata.receivedAt as string)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('stores a callback of a type it does not model, answers 200, and keeps it apart', async () => {
    const response = await postCallback(fixture.service.url, { event_type: 100, stream_id: 'rec', file_id: 'f1', video_url: 'http://v' });
    expect(response.status).toBe(200);
    const id = response.headers.get('callback-event-id')!;
    const [event] = await fixture.service.store.readStream(`unrecognized-${id}`);
    expect(event).toMatchObject({ type: 'UnrecognizedCallbackReceived', data: { fields: { eventType: '100' } } });
  });

  it('keeps the content type the callback came with, so it can be passed on as it came', async () => {
    await postCallback(fixture.service.url, { event_type: 1, sequence: '1101', stream_id: 'typed' }, { contentType: 'application/json; charset=UTF-8' });
    // fetch always declares one for a text body: node:http sends none unless told.
    const body = JSON.stringify({ event_type: 1, sequence: '1102', stream_id: 'untyped' });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = http.request(`${fixture.service.url}/callbacks`, { method: 'POST', headers: { 'content-length': Buffer.byteLength(body) } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.on('error', reject);
      request.end(body);
    });
    expect(status).toBe(200);
    const [typed] = await fixture.service.store.readStream('session-1101');
    const [untyped] = await fixture.service.store.readStream('session-1102');
    expect(typed!.metadata.contentType).toBe('application/json; charset=UTF-8');
    expect(untyped!.metadata).not.toHaveProperty('contentType');
  });

  it('accepts any content type, or none', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', null]) {
      const response = await postCallback(fixture.service.url, { event_type: 1, sequence: '1002', stream_id: String(contentType) }, { contentType });
      expect({ contentType, status: response.status }).toEqual({ contentType, status: 200 });
    }
  });

  it('answers a retried callback 200 again without storing it twice', async () => {
    const body = { event_type: 314, callback_event: 'TaskStart', task_id: 'retry-1', msg: '{"task_start_time":1712893433000}' };
    const first = await postCallback(fixture.service.url, body);
    const second = await postCallback(fixture.service.url, JSON.stringify(body, null, 2));
    expect([first.status, first.body, second.status, second.body]).toEqual([200, OK, 200, OK]);
    expect([first.headers.get('callback-stored'), second.headers.get('callback-stored')]).toEqual(['new', 'duplicate']);
    expect(await fixture.service.store.readStream('relaytask-retry-1')).toHaveLength(1);
  });

  it('stores concurrent deliveries of the same callback once', async () => {
    const body = { event_type: 1, sequence: '1003', stream_id: 'race' };
    const responses = await Promise.all(Array.from({ length: 20 }, () => postCallback(fixture.service.url, body)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(responses.filter((r) => r.headers.get('callback-stored') === 'new')).toHaveLength(1);
    expect(await fixture.service.store.readStream('session-1003')).toHaveLength(1);
  });

  describe('rejects bodies it cannot read, with a JSON error and nothing stored', () => {
    it.each([
      ['not JSON', 'event_type=1&sequence=5', 400, 'invalid_json', /not valid JSON/],
      ['a JSON array', '[{"event_type":1}]', 400, 'not_an_object', /must be a JSON object, got an array/],
      ['a JSON string', '"push"', 400, 'not_an_object', /got a string/],
      ['a JSON number', '1', 400, 'not_an_object', /got a number/],
      ['empty', '', 400, 'empty_body', /empty body/],
      ['not UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 400, 'invalid_encoding', /UTF-8/],
      ['over 64 KiB', JSON.stringify({ event_type: 1, sequence: '7', pad: 'x'.repeat(64 * 1024) }), 413, 'body_too_large', /65536 bytes/],
    ])('%s: %i', async (_label, body, status, error, message) => {
      const countBefore = (await fixture.service.store.readAll({ maxCount: 100_000 })).length;
      const response = await postCallback(fixture.service.url, body);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.body).toEqual({ code: status, error, message: expect.stringMatching(message) });
      expect(await fixture.service.store.readAll({ maxCount: 100_000 })).toHaveLength(countBefore);
    });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${fixture.service.url}/callback`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ code: 404, error: 'not_found', message: "no route for POST /callback: CSS's callbacks are taken at POST /callbacks" });
  });

  it('answers a known path asked with another method with a JSON 405 and the methods it takes', async () => {
    const callbacks = await fetch(`${fixture.service.url}/callbacks?token=x`);
    expect(callbacks.status).toBe(405);
    expect(callbacks.headers.get('allow')).toBe('POST');
    expect(await callbacks.json()).toEqual({ code: 405, error: 'method_not_allowed', message: '/callbacks takes POST, not GET' });

    const health = await fetch(`${fixture.service.url}/healthz`, { method: 'DELETE' });
    expect(health.status).toBe(405);
    expect(health.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD']);
  });

  it('answers OPTIONS on a served path with its methods and no CORS grant, GraphQL included', async () => {
    for (const [path, methods] of [['/callbacks', ['OPTIONS', 'POST']], ['/graphql', ['GET', 'HEAD', 'OPTIONS', 'POST']]] as const) {
      const response = await fetch(`${fixture.service.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
      });
      expect({ path, status: response.status, body: await response.text() }).toEqual({ path, status: 204, body: '' });
      expect(response.headers.get('allow')?.split(', ').sort()).toEqual(methods);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('refuses a compressed body with a JSON 415 that says to send it uncompressed, and stores nothing', async () => {
    const countBefore = (await fixture.service.store.readAll({ maxCount: 100_000 })).length;
    const response = await fetch(`${fixture.service.url}/callbacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ event_type: 1, sequence: 'compressed-1', stream_id: 's' })),
    });
    expect(response.status).toBe(415);
    expect(response.headers.get('accept-encoding')).toBe('identity');
    expect(await response.json()).toEqual({
      code: 415,
      error: 'unsupported_content_encoding',
      message: 'Content-Encoding "gzip" is not supported: send the body uncompressed',
    });
    expect(await fixture.service.store.readAll({ maxCount: 100_000 })).toHaveLength(countBefore);

    const identity = await fetch(`${fixture.service.url}/callbacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'identity' },
      body: JSON.stringify({ event_type: 1, sequence: 'identity-1', stream_id: 's' }),
    });
    expect(identity.status).toBe(200);
  });
});

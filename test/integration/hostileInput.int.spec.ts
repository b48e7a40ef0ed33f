// POST /callbacks over real HTTP on loopback, fed hostile input by fast-check: random bytes, random
// JSON, damaged JSON, deep nesting, wrong content types, bodies at the size limit, prototype-pollution
// keys. The service must never answer 5xx nor fall over; every rejection is a JSON {code, error,
// message}; every 200 is an event that is really in the store, and nothing is stored without a 200.
// Slow clients (a raw socket that stalls or dribbles its body) must be cut off by the request timeout.
import fc from 'fast-check';
import http from 'node:http';
import net from 'node:net';
import { parseCallbackBody } from '../../src/domain/callbackJson';
import { interpretCallback } from '../../src/domain/interpretCallback';
import { md5Hex } from '../../src/ingest/authenticateCallback';
import { useTestService } from '../support/testService';

const BODY_LIMIT = 65_536; // CALLBACK_BODY_LIMIT_BYTES default: deep nesting that fits under it is tested
const KEYS = ['hostile-key-0', 'hostile-key-1'];
const RUNS = 200;
const REQUEST_TIMEOUT_MS = 10_000;
/** Per property: 200 requests on loopback take a few seconds; the bound is for slow CI machines. */
const PROPERTY_TIMEOUT_MS = 60_000;

const PROTOTYPES = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype };
const prototypeKeys = () => Object.entries(PROTOTYPES).map(([name, proto]) => `${name}: ${Reflect.ownKeys(proto).map(String).sort().join(',')}`).join('\n');
const pristinePrototypes = prototypeKeys();

/** The service runs in this process: a polluted prototype would show here. */
function expectPrototypesUntouched(): void {
  expect(prototypeKeys()).toBe(pristinePrototypes);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

// ---------------------------------------------------------------------------------------------
// HTTP on loopback

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

interface Request {
  body: Buffer;
  /** null: no Content-Type header at all. */
  contentType: string | null;
  /** Transfer-Encoding: chunked instead of Content-Length. */
  chunked: boolean;
}

function send(agent: http.Agent, port: number, request: Request): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {};
    if (request.contentType !== null) headers['content-type'] = request.contentType;
    if (!request.chunked) headers['content-length'] = request.body.length;
    else headers['transfer-encoding'] = 'chunked';
    const outgoing = http.request({ host: '127.0.0.1', port, path: '/callbacks', method: 'POST', agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.setTimeout(REQUEST_TIMEOUT_MS, () => outgoing.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    outgoing.on('error', reject);
    if (request.chunked && request.body.length > 1) {
      const middle = Math.floor(request.body.length / 2);
      outgoing.write(request.body.subarray(0, middle));
      outgoing.end(request.body.subarray(middle));
    } else {
      outgoing.end(request.body);
    }
  });
}

const REJECTIONS: Record<number, readonly string[]> = {
  400: ['empty_body', 'invalid_encoding', 'invalid_json', 'not_an_object'],
  401: ['bad_signature', 'expired', 'bad_token', 'unauthenticated'],
  413: ['body_too_large'],
  415: ['unsupported_media_type'],
};

const describeRequest = (request: Request) =>
  `${request.body.length} bytes, content-type ${JSON.stringify(request.contentType)}${request.chunked ? ', chunked' : ''}: ` +
  JSON.stringify(request.body.subarray(0, 300).toString('utf8'));

/** What the service must make of a body it accepts, computed here the way the route does. */
function expectedEvent(body: Buffer): { id: string; stream: string; raw: string } | null {
  let raw: string;
  try {
    raw = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return null;
  }
  // A leading byte order mark is kept in the stored body and skipped by the parser.
  const parsed = parseCallbackBody(raw.startsWith('\ufeff') ? raw.slice(1) : raw);
  if (!parsed.ok) return null;
  const event = interpretCallback(parsed.payload, raw);
  return { id: event.id, stream: event.stream, raw };
}

// ---------------------------------------------------------------------------------------------
// Bodies

type Tree = { kind: 'lit'; text: string } | { kind: 'arr'; items: Tree[] } | { kind: 'obj'; entries: [string, Tree][] };
const lit = (text: string): Tree => ({ kind: 'lit', text });

function render(tree: Tree): string {
  switch (tree.kind) {
    case 'lit':
      return tree.text;
    case 'arr':
      return `[${tree.items.map(render).join(',')}]`;
    case 'obj':
      return `{${tree.entries.map(([key, value]) => `${JSON.stringify(key)}:${render(value)}`).join(',')}}`;
  }
}

const POLLUTERS = ['{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"prototype":{"polluted":"yes"}}'];
const FIELDS = [
  'event_type', 'sequence', 'task_id', 'msg', 'source_urls', 'appid', 'appId', 'errcode', 'sub_errcode', 'callback_event',
  'event_time', 'push_duration', 'stream_id', 'app', 'appname', 'code', 'message', '__proto__', 'constructor', 'prototype', 'polluted',
];
const literal = fc
  .oneof(
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    fc.constantFrom('1e400', '-0', '123456789012345678901234567890', '9223372036854775807', '0.1', 'true', 'null', '[]', '{}', ...POLLUTERS),
    fc.constantFrom('NaN', 'Infinity', '1e309', ' 12 ', '', '__proto__', '["http://a"]\n', '{"code":"-22"}', ...POLLUTERS).map((s) => JSON.stringify(s)),
    fc.string({ unit: 'binary', maxLength: 30 }).map((s) => JSON.stringify(s)),
  )
  .map(lit);
const { tree } = fc.letrec<{ tree: Tree; arr: Tree; obj: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, literal, tie('arr'), tie('obj'), tie('tree').map((inner) => lit(JSON.stringify(render(inner))))),
  arr: fc.array(tie('tree'), { maxLength: 3 }).map((items): Tree => ({ kind: 'arr', items })),
  obj: fc
    .uniqueArray(fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), tie('tree')), { maxLength: 5, selector: ([key]) => key })
    .map((entries): Tree => ({ kind: 'obj', entries })),
}));
/** Callback-shaped objects with hostile fields: every branch of the interpretation is reached. */
const callbackObject = fc
  .record({
    eventType: fc.constantFrom('1', '0', '314', '"314"', '100', '[1]', 'null'),
    callbackEvent: fc.constantFrom('TaskStart', 'VodSourceFileStart', 'VodSourceFileFinish', 'TaskExit', 'TaskAlarm', 'Other'),
    fields: fc.uniqueArray(fc.tuple(fc.constantFrom(...FIELDS), tree), { maxLength: 8, selector: ([key]) => key }),
  })
  .map(({ eventType, callbackEvent, fields }): [string, Tree][] => [
    ['event_type', lit(eventType)],
    ['callback_event', lit(JSON.stringify(callbackEvent))],
    ...fields.filter(([key]) => key !== 'event_type' && key !== 'callback_event'),
  ]);

/** Top-level members of a JSON object text, or null when the text is not one (parsed the standard way). */
function objectEntries(text: string): [string, Tree][] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return Object.entries(value).map(([key, v]) => [key, lit(JSON.stringify(v))]);
}

// ---------------------------------------------------------------------------------------------

describe.each([
  ['with callback keys configured', { CSS_CALLBACK_KEYS: KEYS.join(',') }, true],
  ['in development mode (no keys, no token)', {}, false],
] as const)('POST /callbacks under hostile input, %s', (_mode, env, keysConfigured) => {
  // Declared first: after-all hooks run in order, and this goes before the service does.
  afterAll(async () => {
    agent.destroy();
  });
  const fixture = useTestService({ ...env, CALLBACK_BODY_LIMIT_BYTES: String(BODY_LIMIT) });
  let port: number;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  /** Every 200: the event id it named and the body that was sent. */
  const acknowledged = new Map<string, string[]>();
  let requests = 0;

  beforeAll(async () => {
    port = Number(new URL(fixture.service.url).port);
  });

  /** Signs a JSON object body as CSS does (t, sign = MD5(key + t)); with keys configured only signed bodies may get a 200. */
  function signed(entries: [string, Tree][], keyIndex = 0): string {
    const t = Math.floor(Date.now() / 1000) + 600;
    const rest = entries.filter(([key]) => key !== 't' && key !== 'sign');
    return render({ kind: 'obj', entries: [...rest, ['t', lit(String(t))], ['sign', lit(JSON.stringify(md5Hex(KEYS[keyIndex]! + String(t))))]] });
  }

  /**
   * Sends and checks what holds for any request: no 5xx, a JSON error for every rejection, and a 200
   * only with an id the store really holds. `expectOk`: the body is a well-formed, authentic callback
   * that must be accepted.
   */
  async function expectWellBehaved(request: Request, options: { authentic: boolean; expectOk?: boolean }): Promise<Answer> {
    requests++;
    let answer: Answer;
    try {
      answer = await send(agent, port, request);
    } catch (error) {
      throw new Error(`no HTTP answer (${String(error)}) to ${describeRequest(request)}`);
    }
    const context = `${answer.status} ${answer.text.slice(0, 300)} for ${describeRequest(request)}`;
    if (answer.status >= 500) throw new Error(`5xx: ${context}`);
    if (answer.status === 200) {
      if (keysConfigured && !options.authentic) throw new Error(`an unsigned callback was accepted: ${context}`);
      expect(answer.text).toBe('{"code":0}');
      const expected = expectedEvent(request.body);
      if (expected === null) throw new Error(`accepted a body that is not a UTF-8 JSON object: ${context}`);
      expect(answer.headers['callback-event-id']).toBe(expected.id);
      expect(['new', 'duplicate']).toContain(answer.headers['callback-stored']);
      const stored = await fixture.service.store.readStream(expected.stream);
      const event = stored.find((e) => e.id === expected.id);
      if (event === undefined) throw new Error(`answered 200 but ${expected.id} is not in ${expected.stream}: ${context}`);
      acknowledged.set(expected.id, [...(acknowledged.get(expected.id) ?? []), expected.raw]);
      // "Kept with its body exactly as received": byte for byte.
      if (answer.headers['callback-stored'] === 'new' && !Buffer.from(event.data.raw as string, 'utf8').equals(request.body)) {
        throw new Error(`stored body differs from the bytes received (${Buffer.byteLength(event.data.raw as string)} stored): ${context}`);
      }
    } else {
      let body: unknown;
      try {
        body = JSON.parse(answer.text);
      } catch {
        throw new Error(`a rejection without a JSON body: ${context}`);
      }
      const allowed = REJECTIONS[answer.status];
      if (allowed === undefined) throw new Error(`unexpected status: ${context}`);
      expect(body).toEqual({ code: answer.status, error: expect.any(String), message: expect.any(String) });
      const { error, message } = body as { error: string; message: string };
      if (!allowed.includes(error)) throw new Error(`error ${error} with status ${answer.status}: ${context}`);
      expect(message.length).toBeGreaterThan(0);
      if (options.expectOk) throw new Error(`an authentic, well-formed callback was refused: ${context}`);
    }
    expectPrototypesUntouched();
    return answer;
  }

  const asRequest = (text: string, contentType: string | null = 'application/json', chunked = false): Request => ({
    body: Buffer.from(text, 'utf8'),
    contentType,
    chunked,
  });

  it('answers random bytes without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }),
          fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.concat([Buffer.from('{"'), bytes])),
          fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.concat([Buffer.from('{"event_type":1,"x":"'), bytes, Buffer.from('"}')])),
        ),
        fc.boolean(),
        async (bytes, chunked) => {
          await expectWellBehaved({ body: Buffer.from(bytes), contentType: 'application/json', chunked }, { authentic: false });
        },
      ),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('answers any JSON value: 400 for what is not an object, and stores an authentic object', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.boolean(), async (value, sign) => {
        const text = JSON.stringify(value);
        const entries = objectEntries(text);
        if (entries === null) {
          const answer = await expectWellBehaved(asRequest(text), { authentic: false });
          expect([answer.status, JSON.parse(answer.text).error]).toEqual([400, 'not_an_object']);
          return;
        }
        const authentic = !keysConfigured || sign;
        const body = keysConfigured && sign ? signed(entries) : text;
        await expectWellBehaved(asRequest(body), { authentic, expectOk: authentic });
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('answers damaged JSON without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(callbackObject, fc.nat(), fc.nat(3), fc.string({ unit: fc.constantFrom(...'{}[]":,\\'.split('')), maxLength: 3 }), async (entries, at, drop, insert) => {
        const text = keysConfigured ? signed(entries) : render({ kind: 'obj', entries });
        const i = at % text.length;
        await expectWellBehaved(asRequest(text.slice(0, i) + insert + text.slice(i + drop)), { authentic: true });
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('stores authentic callbacks whose fields have the wrong types or carry __proto__, constructor and prototype at any depth', async () => {
    await fc.assert(
      fc.asyncProperty(callbackObject, async (entries) => {
        const text = keysConfigured ? signed(entries) : render({ kind: 'obj', entries });
        if (Buffer.byteLength(text) > BODY_LIMIT) return;
        await expectWellBehaved(asRequest(text), { authentic: true, expectOk: true });
        // Unsigned, the same body is refused when keys are configured.
        if (keysConfigured) {
          const answer = await expectWellBehaved(asRequest(render({ kind: 'obj', entries })), { authentic: false });
          expect(answer.status).toBe(401);
        }
      }),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('answers deep nesting (up to 12,000 levels, at the top, in a field, embedded in msg) without a 5xx', async () => {
    const shape = fc.record({
      depth: fc.integer({ min: 1, max: 12_000 }),
      opener: fc.constantFrom('[', '{"a":', '{"__proto__":'),
      closed: fc.boolean(),
      where: fc.constantFrom('top', 'field', 'msg'),
    });
    type Shape = { depth: number; opener: string; closed: boolean; where: 'top' | 'field' | 'msg' };
    await fc.assert(
      fc.asyncProperty(shape, async ({ depth, opener, closed, where }: Shape) => {
        const closer = opener === '[' ? ']' : '}';
        const nested = opener.repeat(depth) + '1' + (closed ? closer.repeat(depth) : '');
        const entries: [string, Tree][] =
          where === 'msg'
            ? [['event_type', lit('314')], ['task_id', lit('"deep"')], ['callback_event', lit('"TaskExit"')], ['msg', lit(JSON.stringify(nested))]]
            : [['event_type', lit('100')], ['deep', lit(nested)]];
        const text = where === 'top' ? nested : keysConfigured ? signed(entries) : render({ kind: 'obj', entries });
        await expectWellBehaved(asRequest(text), { authentic: where !== 'top' });
      }),
      {
        numRuns: 100,
        // Always: depths that parse, are under the body limit, and are too deep for recursive code downstream.
        examples: [3_000, 4_000, 4_500, 5_000, 5_500, 6_000].flatMap((depth) =>
          (['field', 'msg'] as const).map((where) => [{ depth, opener: '{"a":', closed: true, where }] as [Shape]),
        ),
      },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('answers every nesting depth from 1,000 to 12,000 levels (in a field, in msg) without a 5xx', async () => {
    // A sweep, so that every depth band that fails shows at once (the property above stops at the first).
    const failures: string[] = [];
    for (const where of ['field', 'msg'] as const) {
      for (let depth = 1_000; depth <= 12_000; depth += 250) {
        const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
        const entries: [string, Tree][] =
          where === 'msg'
            ? [['event_type', lit('314')], ['task_id', lit('"sweep"')], ['callback_event', lit('"TaskExit"')], ['msg', lit(JSON.stringify(nested))]]
            : [['event_type', lit('100')], ['deep', lit(nested)]];
        const text = keysConfigured ? signed(entries) : render({ kind: 'obj', entries });
        try {
          await expectWellBehaved(asRequest(text), { authentic: true });
        } catch (error) {
          failures.push(`${where} ${depth} levels (${Buffer.byteLength(text)} bytes): ${(error instanceof Error ? error.message : String(error)).slice(0, 120)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, PROPERTY_TIMEOUT_MS);

  it('takes any well-formed content type, or none, and answers a malformed one with a JSON 415 at worst', async () => {
    const token = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-+.'.split('')), minLength: 1, maxLength: 12 });
    const wellFormed = fc
      .tuple(token, token, fc.array(fc.tuple(token, token), { maxLength: 2 }))
      .map(([type, subtype, params]) => [`${type}/${subtype}`, ...params.map(([k, v]) => `${k}=${v}`)].join('; '));
    const anyHeader = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/json; charset=utf-16', '*/*'),
          wellFormed,
        ),
        anyHeader,
        fc.boolean(),
        fc.nat(),
        async (contentType, junk, chunked, n) => {
          const entries: [string, Tree][] = [['event_type', lit('1')], ['sequence', lit(JSON.stringify(String(9_000_000 + n)))], ['stream_id', lit('"ct"')]];
          const text = keysConfigured ? signed(entries) : render({ kind: 'obj', entries });
          await expectWellBehaved(asRequest(text, contentType, chunked), { authentic: true, expectOk: true });
          await expectWellBehaved(asRequest(text, null, chunked), { authentic: true, expectOk: true });
          const answer = await expectWellBehaved(asRequest(text, junk, chunked), { authentic: true });
          expect([200, 415]).toContain(answer.status);
        },
      ),
      { numRuns: RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('takes a body of exactly the limit and answers 413 body_too_large one byte over, with or without Content-Length', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(-1000, -1, 0, 1, 2, 1000, BODY_LIMIT, 4 * BODY_LIMIT),
        fc.boolean(),
        fc.nat(),
        fc.constantFrom('x', 'é', '\\u0000'),
        async (over, chunked, n, unit) => {
          const size = BODY_LIMIT + over;
          const entries: [string, Tree][] = [['event_type', lit('100')], ['n', lit(String(n))], ['pad', lit('""')]];
          const skeleton = keysConfigured ? signed(entries) : render({ kind: 'obj', entries });
          const room = size - Buffer.byteLength(skeleton);
          const pad = unit.repeat(Math.floor(room / Buffer.byteLength(unit))) + 'x'.repeat(room % Buffer.byteLength(unit));
          const text = skeleton.replace('"pad":""', `"pad":"${pad}"`);
          expect(Buffer.byteLength(text)).toBe(size);
          const answer = await expectWellBehaved(asRequest(text, 'application/json', chunked), { authentic: true, expectOk: size <= BODY_LIMIT });
          if (size > BODY_LIMIT) expect([answer.status, JSON.parse(answer.text).error]).toEqual([413, 'body_too_large']);
        },
      ),
      { numRuns: 60 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('keeps a body that starts with a UTF-8 byte order mark byte for byte', async () => {
    const entries: [string, Tree][] = [['event_type', lit('100')], ['bom', lit('true')]];
    const text = keysConfigured ? signed(entries) : render({ kind: 'obj', entries });
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    // A 400 would be defensible too; a 200 must keep the three bytes.
    await expectWellBehaved({ body, contentType: 'application/json', chunked: false }, { authentic: true });
  }, PROPERTY_TIMEOUT_MS);

  it('answers malformed HTTP framing (a Content-Length that lies, garbage) with a 4xx and survives', async () => {
    const frames = [
      'POST /callbacks HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{"event_type":1}',
      'POST /callbacks HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{}\n\r\n0\r\n\r\n',
      'POST /callbacks HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}',
      'POST /callbacks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      '\u0000\u0001garbage\r\n\r\n',
    ];
    for (const frame of frames) {
      const answer = await rawExchange(port, frame);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      expect({ frame, status: status >= 400 && status < 500 }).toEqual({ frame, status: true });
      expectPrototypesUntouched();
    }
  }, PROPERTY_TIMEOUT_MS);

  it('is still up and ready afterwards; its projector took every event; nothing was stored without a 200', async () => {
    expect(requests).toBeGreaterThan(RUNS);
    const health = await fetch(`${fixture.service.url}/healthz`);
    expect(health.status).toBe(200);
    const events = await fixture.service.store.readAll({ maxCount: 1_000_000 });
    const last = events.at(-1)?.position ?? 0n;
    await Promise.race([
      fixture.service.projector.waitForPosition(last),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the projector did not reach the end of the log within 10 s')), 10_000).unref()),
    ]);
    const ready = await fetch(`${fixture.service.url}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toMatchObject({ status: 200, body: { projector: { phase: 'live', position: String(last) } } });
    expect(fixture.service.projector.status().lastError).toBeNull();
    // The store holds exactly the acknowledged callbacks, each once, with a body that was sent.
    expect(events.map((e) => e.id).sort()).toEqual([...acknowledged.keys()].sort());
    for (const event of events) expect(acknowledged.get(event.id)).toContain(event.data.raw);
    expectPrototypesUntouched();
  }, PROPERTY_TIMEOUT_MS);
});

/** Writes raw bytes on a fresh connection and collects what comes back until the server closes (bounded). */
function rawExchange(port: number, data: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
    let received = '';
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      // A complete answer with a Content-Length is enough: some framings leave the connection open.
      const head = /\r\n\r\n/.exec(received);
      const length = /content-length: (\d+)/i.exec(received);
      if (head !== null && length !== null && received.length >= head.index + 4 + Number(length[1])) socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

// ---------------------------------------------------------------------------------------------

describe('slow clients on POST /callbacks (HTTP_REQUEST_TIMEOUT_MS=1000)', () => {
  const TIMEOUT_MS = 1_000;
  /** How late after the timeout the cut may come: the server checks its connections periodically. */
  const SLACK_MS = 2_000;
  const fixture = useTestService({ HTTP_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) });
  let port: number;

  beforeAll(async () => {
    port = Number(new URL(fixture.service.url).port);
  });

  interface Cut {
    /** ms from connect to the server closing the connection; null if it had not after the bound. */
    closedAfterMs: number | null;
    response: string;
    bytesSent: number;
  }

  /**
   * A raw socket that sends `head`, then one body byte every `dribbleEveryMs` (never, when null) up to
   * `maxBytes`; gives up (and destroys the socket itself) at TIMEOUT_MS + SLACK_MS + 1 s.
   */
  function slowClient(head: string, dribbleEveryMs: number | null, maxBytes = 1_000): Promise<Cut> {
    return new Promise((resolve) => {
      const started = Date.now();
      let response = '';
      let bytesSent = 0;
      let closedByUs = false;
      let dribble: NodeJS.Timeout | undefined;
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(head);
        if (dribbleEveryMs !== null) {
          dribble = setInterval(() => {
            if (bytesSent >= maxBytes || socket.destroyed) return clearInterval(dribble);
            socket.write('x');
            bytesSent++;
          }, dribbleEveryMs);
        }
      });
      const giveUp = setTimeout(() => {
        closedByUs = true;
        socket.destroy();
      }, TIMEOUT_MS + SLACK_MS + 1_000);
      socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(dribble);
        clearTimeout(giveUp);
        resolve({ closedAfterMs: closedByUs ? null : Date.now() - started, response, bytesSent });
      });
    });
  }

  const expectCutOff = (cut: Cut) => {
    expect(cut.closedAfterMs).not.toBeNull();
    expect(cut.closedAfterMs!).toBeLessThanOrEqual(TIMEOUT_MS + SLACK_MS);
    // Cut with a 408 (or just closed): never accepted, never a 5xx.
    if (cut.response !== '') expect(cut.response).toMatch(/^HTTP\/1\.1 408 /);
  };

  const postHead = (contentLength: number) =>
    `POST /callbacks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n`;

  it('cuts off a client that sends the headers and then stalls, and serves others meanwhile', async () => {
    const stalled = slowClient(postHead(1_000), null);
    // While it hangs, a normal callback is answered at once.
    const response = await fetch(`${fixture.service.url}/callbacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: 1, sequence: '5550001', stream_id: 'meanwhile' }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(200);
    expectCutOff(await stalled);
  }, 15_000);

  it('cuts off a client that dribbles its body one byte every 100 ms (a whole-request timeout, not an idle one)', async () => {
    const cut = await slowClient(postHead(1_000), 100);
    expectCutOff(cut);
    expect(cut.bytesSent).toBeLessThan(1_000);
  }, 15_000);

  it('cuts off a client that never finishes its headers', async () => {
    expectCutOff(await slowClient('POST /callbacks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n', null));
  }, 15_000);

  it('is healthy after the slow clients, and stored nothing of them', async () => {
    expect((await fetch(`${fixture.service.url}/healthz`)).status).toBe(200);
    const events = await fixture.service.store.readAll({ maxCount: 1_000 });
    expect(events.map((e) => e.stream)).toEqual(['session-5550001']);
  }, 15_000);
});

// Properties of callback parsing and interpretation over hostile input: whatever the body,
// parseCallbackBody + interpretCallback answer (a parse error with a message, or an event with a
// type and a stream) and never throw; no prototype is ever touched; the event can be stored; and
// the event id depends on the content, not on key order, whitespace, t or sign.
import fc from 'fast-check';
import { CallbackEventType, type CallbackEvent } from '../../src/domain/callbackEvents';
import { parseCallbackBody, type ParsedBody } from '../../src/domain/callbackJson';
import { interpretCallback } from '../../src/domain/interpretCallback';
import { storedCallback } from '../../src/ingest/storedCallback';
import { seededRandom } from '../../src/simulation/callbackTraffic';

// ---------------------------------------------------------------------------------------------
// What every body must come to

type Outcome = { kind: 'rejected'; parsed: Extract<ParsedBody, { ok: false }> } | { kind: 'event'; event: CallbackEvent };

const EVENT_TYPES = new Set<string>(Object.values(CallbackEventType));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** An id usable in a stream name: visible ASCII, 1 to 128 characters. */
const STREAM_ID = '[\\x21-\\x7e]{1,128}';
const SESSION_STREAM = new RegExp(`^session-${STREAM_ID}$`);
const TASK_STREAM = new RegExp(`^relaytask-${STREAM_ID}$`);

const PROTOTYPES = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype };
const prototypeKeys = () => Object.entries(PROTOTYPES).map(([name, proto]) => `${name}: ${Reflect.ownKeys(proto).map(String).sort().join(',')}`);
const pristine = prototypeKeys().join('\n');

/** A failed invariant (plain throw: these checks run hundreds of thousands of times). */
function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

/** Nothing was added to (or removed from) the built-in prototypes, and a fresh object sees no stray property. */
function expectPrototypesUntouched(): void {
  const now = prototypeKeys().join('\n');
  check(now === pristine, () => `a built-in prototype changed:\n${now}\nwas\n${pristine}`);
  const probe: Record<string, unknown> = {};
  for (const key of ['polluted', 'isAdmin', 'sequence', 'event_type', 'task_id', 'msg']) {
    check(probe[key] === undefined, () => `Object.prototype.${key} is polluted`);
  }
}

/** Every object in the value has a built-in prototype (a `__proto__` key stayed data); walked without recursion. */
function expectPlainPrototypes(root: unknown): void {
  const stack: unknown[] = [root];
  for (let seen = 0; stack.length > 0 && seen < 200_000; seen++) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    const proto = Object.getPrototypeOf(value);
    if (Array.isArray(value)) {
      check(proto === Array.prototype, () => 'an array got a foreign prototype');
      for (const item of value) stack.push(item);
    } else {
      check(proto === Object.prototype || proto === null, () => 'an object got a foreign prototype');
      for (const key of Object.keys(value)) stack.push((value as Record<string, unknown>)[key]);
    }
  }
}

/** Parses and interprets like POST /callbacks does, checks every invariant, and returns what came out. */
function examine(text: string): Outcome {
  let parsed: ParsedBody;
  try {
    parsed = parseCallbackBody(text);
  } catch (error) {
    throw new Error(`parseCallbackBody threw ${String(error)}`);
  }
  expectPrototypesUntouched();
  if (!parsed.ok) {
    const { error, message } = parsed;
    check(error === 'invalid_json' || error === 'not_an_object', () => `unknown error slug ${error}`);
    check(typeof message === 'string' && message.length > 0, () => 'a rejection without a message');
    // Messages end up in responses and logs: they must not echo a huge body back.
    check(message.length <= 500, () => `a rejection message of ${message.length} characters`);
    return { kind: 'rejected', parsed };
  }
  check(Object.getPrototypeOf(parsed.payload) === Object.prototype, () => 'the payload is not a plain object');
  expectPlainPrototypes(parsed.payload);

  let event: CallbackEvent;
  try {
    event = interpretCallback(parsed.payload, text);
  } catch (error) {
    throw new Error(`interpretCallback threw ${String(error)}`);
  }
  expectPrototypesUntouched();
  const { id, type, stream } = event;
  check(UUID.test(id), () => `event id ${id} is not a v5 UUID`);
  check(EVENT_TYPES.has(type), () => `unknown event type ${type}`);
  check(event.raw === text, () => 'the event does not keep the body as received');
  expectPlainPrototypes(event.fields);
  const streamOk = (() => {
    switch (event.type) {
      case 'StreamPushed':
      case 'StreamInterrupted':
        return SESSION_STREAM.test(stream);
      case 'RelayTaskExited':
        return stream === `relayexit-${id}` || TASK_STREAM.test(stream);
      case 'UnrecognizedCallbackReceived':
        return (stream === `unrecognized-${id}` || TASK_STREAM.test(stream)) && typeof event.fields.reason === 'string';
      default:
        return TASK_STREAM.test(stream);
    }
  })();
  check(streamOk, () => `${type} in stream ${stream.slice(0, 200)}`);

  // The store serializes the event as JSON: that must work for whatever was accepted.
  let serialized: string;
  try {
    serialized = JSON.stringify(storedCallback(event, { receivedAt: '2024-01-01T00:00:00.000Z', clientAddress: '127.0.0.1', authenticatedBy: 'none' }));
  } catch (error) {
    throw new Error(`the interpreted event cannot be serialized for the store: ${String(error)}`);
  }
  check((JSON.parse(serialized) as { data: { raw: string } }).data.raw === text, () => 'the stored body differs from the one received');
  return { kind: 'event', event };
}

function parsesAsStandardJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

// ---------------------------------------------------------------------------------------------
// JSON texts built from trees, so keys such as __proto__ stay data and order can be shuffled

type Tree = { kind: 'lit'; text: string } | { kind: 'arr'; items: Tree[] } | { kind: 'obj'; entries: [string, Tree][] };

const lit = (text: string): Tree => ({ kind: 'lit', text });

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** JSON text of a tree; with `random`, every object's keys in another order; `space` between tokens. */
function render(tree: Tree, random?: () => number, space = ''): string {
  switch (tree.kind) {
    case 'lit':
      return tree.text;
    case 'arr':
      return `[${space}${tree.items.map((item) => render(item, random, space)).join(`,${space}`)}${space}]`;
    case 'obj': {
      const entries = random === undefined ? tree.entries : shuffled(tree.entries, random);
      const members = entries.map(([key, value]) => `${JSON.stringify(key)}${space}:${space}${render(value, random, space)}`);
      return `{${space}${members.join(`,${space}`)}${space}}`;
    }
  }
}

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const KNOWN_FIELDS = [
  'event_type', 'sequence', 'task_id', 'msg', 'source_urls', 'appid', 'appId', 'errcode', 'sub_errcode', 't', 'sign',
  'callback_event', 'event_time', 'push_duration', 'width', 'height', 'set_id', 'stream_id', 'app', 'appname',
  'channel_id', 'node', 'user_ip', 'stream_param', 'errmsg', 'to_url', 'interface', 'product_name',
  // inside msg
  'code', 'message', 'task_start_time', 'task_exit_time', 'index', 'url', 'duration', 'type',
] as const;

const POLLUTERS = [
  '{"__proto__":{"polluted":"yes","isAdmin":true}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"prototype":{"polluted":"yes"}}',
  '[{"__proto__":{"polluted":"yes"}}]',
];

const NUMBER_TEXTS = [
  '0', '-0', '1', '314', '-22', '0.1', '1.0', '1e2', '0e0', '1E-400', '1e400', '-1e400', '4.9e-324', '1.7976931348623157e308',
  '9007199254740993', '9223372036854775807', '-9223372036854775809', '123456789012345678901234567890', '6674468118806626493',
];

const STRING_VALUES = [
  '', '   ', 'NaN', '-NaN', 'Infinity', '-Infinity', '1e309', '0x1F', ' 12 ', '12abc', '١٢٣', '\u0000', '\ud800', '\uffff',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', '6674468118806626493', '-22', 'TaskExit', 'TaskStart',
  '["http://a.example/x.m3u8"]\n', '[1,{"a":[]},null]', '{"code":"-22","message":{"x":1},"task_exit_time":"1e999"}',
  '{"index":"NaN","duration":[],"url":{"a":1}}', '{', '[', '"', 'x'.repeat(200), ...POLLUTERS,
];

const keyArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<string>(...KNOWN_FIELDS, ...POLLUTION_KEYS, 'polluted', 'toString', 'hasOwnProperty', 'valueOf') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

const literalArbitrary: fc.Arbitrary<Tree> = fc
  .oneof(
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    fc.constantFrom(...NUMBER_TEXTS),
    fc.constantFrom(...STRING_VALUES).map((value) => JSON.stringify(value)),
    fc.string({ unit: 'binary', maxLength: 40 }).map((value) => JSON.stringify(value)),
    fc.constantFrom('true', 'false', 'null', '[]', '{}', ...POLLUTERS),
  )
  .map(lit);

/** Hostile JSON trees: known fields with wrong types, pollution keys at any depth, JSON embedded in strings. */
const { tree: treeArbitrary } = fc.letrec<{ tree: Tree; arr: Tree; obj: Tree; embedded: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, literalArbitrary, tie('arr'), tie('obj'), tie('embedded')),
  arr: fc.array(tie('tree'), { maxLength: 4 }).map((items): Tree => ({ kind: 'arr', items })),
  obj: fc
    .uniqueArray(fc.tuple(keyArbitrary, tie('tree')), { maxLength: 6, selector: ([key]) => key })
    .map((entries): Tree => ({ kind: 'obj', entries })),
  // CSS embeds JSON in strings (msg, source_urls): hostile JSON there too.
  embedded: tie('tree').map((inner) => lit(JSON.stringify(render(inner)))),
}));

const EVENT_TYPE_TEXTS = ['1', '0', '314', '"1"', '"0"', '"314"', '" 314 "', '100', '"abc"', '1.0', '314e0', '-0', '[314]', '{"a":1}', 'true', 'null'];
const CALLBACK_EVENT_TEXTS = ['TaskStart', 'VodSourceFileStart', 'VodSourceFileFinish', 'TaskExit', 'TaskAlarm', 'Unknown', ''].map((e) => JSON.stringify(e));

/** A callback-shaped object: an event_type and callback_event that reach every branch, plus hostile fields. */
const callbackTreeArbitrary: fc.Arbitrary<Tree> = fc
  .record({
    eventType: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...EVENT_TYPE_TEXTS).map(lit) }, { weight: 1, arbitrary: treeArbitrary })),
    callbackEvent: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CALLBACK_EVENT_TEXTS).map(lit) }, { weight: 1, arbitrary: treeArbitrary })),
    fields: fc.uniqueArray(fc.tuple(keyArbitrary, treeArbitrary), { maxLength: 12, selector: ([key]) => key }),
  })
  .map(({ eventType, callbackEvent, fields }): Tree => {
    const entries: [string, Tree][] = fields.filter(([key]) => key !== 'event_type' && key !== 'callback_event');
    if (eventType !== null) entries.unshift(['event_type', eventType]);
    if (callbackEvent !== null) entries.push(['callback_event', callbackEvent]);
    return { kind: 'obj', entries };
  });

// ---------------------------------------------------------------------------------------------

describe('parseCallbackBody + interpretCallback on hostile input', () => {
  afterEach(() => expectPrototypesUntouched());

  it('never throw on arbitrary strings, and reject what standard JSON rejects', () => {
    const jsonish = fc.string({ unit: fc.constantFrom(...'{}[]":,.-+0123456789eEtrufalsn \\/_'.split('')), maxLength: 60 });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), jsonish), (text) => {
        const outcome = examine(text);
        // The lossless parser may refuse more than JSON.parse (duplicate keys, extreme depth), never less.
        if (!parsesAsStandardJson(text).ok) expect(outcome).toMatchObject({ kind: 'rejected', parsed: { error: 'invalid_json' } });
      }),
      { numRuns: 1000 },
    );
  });

  it('never throw on damaged JSON (cut, spliced, characters dropped or inserted)', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.nat(),
        fc.nat(),
        fc.string({ unit: fc.constantFrom(...'{}[]":,\\'.split('')), maxLength: 3 }),
        (value, at, length, insert) => {
          const text = JSON.stringify(value) ?? 'null';
          const i = text.length === 0 ? 0 : at % text.length;
          examine(text.slice(0, i) + insert + text.slice(i + (length % 4)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answer every JSON value: an event for an object (with the same keys), not_an_object for anything else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const outcome = examine(text);
        const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
        if (isObject) {
          expect(outcome.kind).toBe('event');
          const payload = (parseCallbackBody(text) as Extract<ParsedBody, { ok: true }>).payload;
          expect(Object.keys(payload)).toEqual(Object.keys(value));
        } else {
          expect(outcome).toMatchObject({ kind: 'rejected', parsed: { error: 'not_an_object' } });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throw on callback-shaped objects whose known fields have the wrong types, with pollution keys at any depth', () => {
    fc.assert(
      fc.property(callbackTreeArbitrary, (tree) => {
        const text = render(tree);
        // Every tree is a JSON object with unique keys: it must become an event, whatever its fields hold.
        expect(examine(text).kind).toBe('event');
      }),
      { numRuns: 600 },
    );
  });

  it('turn each documented callback into an event whatever type one of its fields has', () => {
    const bases: Record<string, unknown>[] = [
      { event_type: 1, sequence: '6674468118806626493', app: 'push.example.com', appid: 1250000001, appname: 'live', stream_id: 's1', event_time: 1700000000, errcode: 0, errmsg: 'ok', width: 1280, height: 720, set_id: 2, t: 1700000600, sign: 'x' },
      { event_type: 0, sequence: '6674468118806626493', app: 'push.example.com', appid: 1250000001, appname: 'live', stream_id: 's1', event_time: 1700000900, errcode: 1, sub_errcode: 2, errmsg: 'closed', push_duration: '900000' },
      ...['TaskStart', 'VodSourceFileStart', 'VodSourceFileFinish', 'TaskExit', 'TaskAlarm'].map((callbackEvent) => ({
        appid: 4, event_type: 314, interface: 'general_callback', product_name: 'pullpush', task_id: '118148', callback_event: callbackEvent,
        source_urls: '["http://vod.example.com/a.m3u8"]\n', stream_id: 'relay', to_url: 'rtmp://push.example.com/live/relay', event_time: '1700000000',
        msg: JSON.stringify({ task_start_time: 1700000000000, url: 'http://vod.example.com/a.mp4', index: 0, duration: 60, code: -22, message: 'x', task_exit_time: 1700000100000, type: 'PullFileUnstable' }),
      })),
      { appid: 4, event_type: 314, interface: 'general_callback', product_name: 'pullpush', callback_event: 'TaskExit', source_urls: '["http://a"]\n', msg: '{"code":0,"message":"done"}' },
      { event_type: 100, stream_id: 'rec', file_id: 'f1', video_url: 'http://v' },
    ];
    const wrongValue = fc.oneof(
      fc.constantFrom('[]', '{}', 'true', 'false', 'null', '[1,2]', '{"a":{"b":[]}}', ...NUMBER_TEXTS, ...POLLUTERS).map(lit),
      fc.constantFrom(...STRING_VALUES).map((value) => lit(JSON.stringify(value))),
      treeArbitrary,
    );
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.constantFrom<string>(...KNOWN_FIELDS, ...POLLUTION_KEYS), wrongValue, (base, field, value) => {
        const entries: [string, Tree][] = Object.entries(base)
          .filter(([key]) => key !== field)
          .map(([key, v]) => [key, lit(JSON.stringify(v))]);
        entries.push([field, value]);
        expect(examine(render({ kind: 'obj', entries })).kind).toBe('event');
      }),
      { numRuns: 600 },
    );
  });

  it('never throw on deep nesting (up to 20,000 levels of [ or {), at the top, in a field, or embedded in msg and source_urls', () => {
    const nesting = fc.record({
      depth: fc.integer({ min: 1, max: 20_000 }),
      opener: fc.constantFrom('[', '{"a":', '{"__proto__":', '{"msg":', '[{"constructor":'),
      closed: fc.boolean(),
      where: fc.constantFrom('top', 'field', 'msg', 'source_urls'),
    });
    const build = ({ depth, opener, closed, where }: { depth: number; opener: string; closed: boolean; where: string }) => {
      const closer = [...opener].filter((c) => c === '[' || c === '{').reverse().map((c) => (c === '[' ? ']' : '}')).join('');
      const nested = opener.repeat(depth) + '1' + (closed ? closer.repeat(depth) : '');
      switch (where) {
        case 'top':
          return nested;
        case 'field':
          return `{"event_type":100,"deep":${nested}}`;
        case 'msg':
          return `{"event_type":314,"task_id":"t1","callback_event":"TaskExit","msg":${JSON.stringify(nested)}}`;
        default:
          return `{"event_type":314,"task_id":"t1","callback_event":"TaskStart","source_urls":${JSON.stringify(nested)}}`;
      }
    };
    fc.assert(
      fc.property(nesting, (shape) => {
        examine(build(shape));
      }),
      {
        numRuns: 80,
        // Always: the 10k levels of the brief, and the depths that parse but are too deep for recursive code downstream.
        examples: [10_000, 5_000, 4_500, 3_000].flatMap((depth) =>
          (['top', 'field', 'msg'] as const).flatMap((where) =>
            ['[', '{"a":'].map((opener) => [{ depth, opener, closed: true, where }] as [{ depth: number; opener: string; closed: boolean; where: string }]),
          ),
        ),
      },
    );
  });

  // The two ways deep nesting can get past the parser, swept depth by depth so each shows on its own
  // (where the stack runs out depends on how deep the caller already is): a body lossless-json still
  // parses but that is too deep for the event id's canonical JSON, and a msg whose embedded JSON is
  // too deep for JSON.stringify. Over HTTP both sit at 20-40 kB, under the 64 kB body limit.
  it.each([
    ['objects at the top', (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`],
    ['arrays in a field', (depth: number) => `{"event_type":100,"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`],
    ['objects embedded in a TaskExit msg', (depth: number) => `{"event_type":314,"task_id":"t1","callback_event":"TaskExit","msg":${JSON.stringify(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)}}`],
  ])('answer %s at every depth from 1,000 to 12,000 levels, and never throw', (_label, body) => {
    // Failures as runs of depths with the same error, e.g. "4200..5100: interpretCallback threw RangeError ...".
    const failures: { from: number; to: number; error: string }[] = [];
    for (let depth = 1_000; depth <= 12_000; depth += 100) {
      try {
        examine(body(depth));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const last = failures.at(-1);
        if (last !== undefined && last.error === message && last.to === depth - 100) last.to = depth;
        else failures.push({ from: depth, to: depth, error: message });
      }
    }
    expect(failures.map(({ from, to, error }) => `${from}..${to} levels: ${error}`)).toEqual([]);
  });

  it('never throw on huge strings, keys and numbers (100 kB to 1 MB)', () => {
    fc.assert(
      fc.property(
        fc.record({
          field: fc.constantFrom<string>('sequence', 'task_id', 'msg', 'source_urls', 'event_type', 'stream_id', 'errcode', 'sign', 't', 'appid', '__proto__'),
          size: fc.integer({ min: 100_000, max: 1_000_000 }),
          unit: fc.constantFrom('a', '9', '"', '\\', '\u00e9', '\ud83d\ude00', '[', '{', ' ', '\u0000'),
          as: fc.constantFrom('value', 'key', 'digits', 'embedded'),
          eventType: fc.constantFrom('1', '0', '314', '100'),
        }),
        ({ field, size, unit, as, eventType }) => {
          const huge = unit.repeat(Math.ceil(size / unit.length));
          const members = new Map<string, string>([
            ['"event_type"', eventType],
            ['"callback_event"', '"TaskExit"'],
            ['"sequence"', '"1"'],
            ['"task_id"', '"1"'],
          ]);
          if (as === 'key') members.set(JSON.stringify(huge), '1');
          else if (as === 'digits') members.set(JSON.stringify(field), `1${'0'.repeat(size)}`);
          else if (as === 'embedded') members.set(JSON.stringify(field), JSON.stringify(`{"code":${JSON.stringify(huge)},"url":${JSON.stringify(huge)}}`));
          else members.set(JSON.stringify(field), JSON.stringify(huge));
          const text = `{${[...members].map(([key, value]) => `${key}:${value}`).join(',')}}`;
          expect(examine(text).kind).toBe('event');
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe('the event id', () => {
  it('does not change with key order (at every depth), whitespace, t or sign', () => {
    fc.assert(
      fc.property(
        callbackTreeArbitrary,
        fc.integer(),
        fc.constantFrom('', ' ', '\n', '\t', ' \r\n '),
        fc.oneof(fc.constantFrom('1700000600', '"1700000600"', '0', '-1', '[]', '{}', 'null'), literalArbitrary.map((t) => render(t))),
        fc.oneof(fc.constantFrom('"0123456789abcdef0123456789abcdef"', '""', '1', '[]'), literalArbitrary.map((t) => render(t))),
        (tree, seed, space, t, sign) => {
          const first = examine(render(tree));
          const reordered = examine(render(tree, seededRandom(seed), space));
          const entries = (tree as Extract<Tree, { kind: 'obj' }>).entries.filter(([key]) => key !== 't' && key !== 'sign');
          const resigned = examine(render({ kind: 'obj', entries: [...entries, ['sign', lit(sign)], ['t', lit(t)]] }, seededRandom(seed + 1)));
          if (first.kind !== 'event' || reordered.kind !== 'event' || resigned.kind !== 'event') throw new Error('a callback object was rejected');
          expect(reordered.event.id).toBe(first.event.id);
          expect(resigned.event.id).toBe(first.event.id);
          expect(reordered.event.stream).toBe(first.event.stream);
          expect(reordered.event.type).toBe(first.event.type);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('changes when anything but t and sign changes', () => {
    fc.assert(
      fc.property(callbackTreeArbitrary, fc.constantFrom('"x"', '1', 'null', '{}', '[]'), (tree, extra) => {
        const entries = (tree as Extract<Tree, { kind: 'obj' }>).entries;
        const key = '__added_field__';
        const before = examine(render(tree));
        const after = examine(render({ kind: 'obj', entries: [...entries, [key, lit(extra)]] }));
        if (before.kind !== 'event' || after.kind !== 'event') throw new Error('a callback object was rejected');
        expect(after.event.id).not.toBe(before.event.id);
      }),
      { numRuns: 300 },
    );
  });
});

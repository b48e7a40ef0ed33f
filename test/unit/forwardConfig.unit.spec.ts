// The forwarding file: JSON or YAML, defaults filled in, and one line naming the path for each mistake.
import { CallbackEventType } from '../../src/domain/callbackEvents';
import { loadForwardConfig, shownUrl } from '../../src/forwarding/forwardConfig';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('loadForwardConfig', () => {
  it('reads YAML with the defaults filled in', () => {
    const result = loadForwardConfig(
      ['destinations:', '  - name: billing', '    url: https://hooks.example.com/css', '    format: standard-webhooks', `    secret: ${SECRET}`, '    filter: { types: [StreamPushed] }', ''].join('\n'),
      'forward.yaml',
    );
    expect(result).toEqual({
      ok: true,
      config: {
        destinations: [
          {
            name: 'billing',
            url: 'https://hooks.example.com/css',
            format: 'standard-webhooks',
            secret: SECRET,
            filter: { types: ['StreamPushed'] },
            timeoutMs: 10_000,
            concurrency: 32,
            maxPending: 1_000,
            startFrom: 'now',
            retry: { maxAttempts: 20, maxAgeSeconds: 86_400, initialDelayMs: 1_000, maxDelayMs: 3_600_000, jitter: 'full', deadLetterOn4xx: true },
            breaker: { failureThreshold: 5, cooldownMs: 30_000 },
            headers: {},
          },
        ],
        retention: { days: 7, maxRowsPerDestination: 100_000 },
      },
    });
  });

  it('reads JSON, and keeps keys it does not know at the top and on destinations (they are the operator’s)', () => {
    const text = JSON.stringify({ owner: 'ops', destinations: [{ name: 'a', url: 'http://127.0.0.1:9/x', format: 'raw', description: 'local', rateLimit: 50 }] });
    const result = loadForwardConfig(text, 'forward.json');
    expect(result.ok && result.config.destinations[0]).toMatchObject({ name: 'a', rateLimit: 50 });
  });

  it('reports every mistake on its own line, naming the file and the path', () => {
    const text = JSON.stringify({
      destinations: [
        { name: 'ok', url: 'https://a.example/x', format: 'raw' },
        { name: 'Bad Name', url: 'https://a.example/x', format: 'raw' },
        { name: 'b', url: 'ftp://a.example/x', format: 'xml', timeoutMs: 0, concurrency: 1.5 },
        { name: 'c', url: 'https://user:pw@a.example/x', format: 'raw', filter: { types: ['StreamPushed', 'Nope'], domain: ['x'] } },
        { name: 'd', url: 'https://a.example/x', format: 'raw', retry: { maxAttempts: 0, maxAtempts: 3 }, headers: { 'webhook-id': 'x', 'x-ok': 'y', 'bad name': 'z' } },
      ],
      retention: { days: -1 },
    });
    const result = loadForwardConfig(text, 'forward.json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      'forward.json: destinations[1].name: must be 1 to 64 of a-z, 0-9, - and _',
      'forward.json: destinations[2].url: must be an http(s) URL (credentials go in headers, not the URL)',
      'forward.json: destinations[2].format: must be raw or standard-webhooks',
      'forward.json: destinations[2].timeoutMs: must be a whole number from 1 to 300000',
      'forward.json: destinations[2].concurrency: must be a whole number from 1 to 256',
      'forward.json: destinations[3].url: must be an http(s) URL (credentials go in headers, not the URL)',
      `forward.json: destinations[3].filter.types[1]: must be one of ${Object.values(CallbackEventType).join(', ')}`,
      'forward.json: destinations[3].filter.domain: is not a known setting',
      'forward.json: destinations[4].retry.maxAttempts: must be a whole number from 1 to 1000',
      'forward.json: destinations[4].retry.maxAtempts: is not a known setting',
      'forward.json: destinations[4].headers.webhook-id: is set by the ledger and cannot be replaced',
      'forward.json: destinations[4].headers.bad name: is not a valid header name',
      'forward.json: retention.days: must be a whole number from 1 to 3650',
    ]);
  });

  it('checks settings that depend on each other, and that names are unique', () => {
    const text = JSON.stringify({
      destinations: [
        { name: 'a', url: 'https://a.example/x', format: 'standard-webhooks' },
        { name: 'a', url: 'https://a.example/x', format: 'raw', secret: SECRET },
        { name: 'c', url: 'https://a.example/x', format: 'standard-webhooks', secret: 'whsec_c2hvcnQ=' },
        { name: 'd', url: 'https://a.example/x', format: 'raw', retry: { initialDelayMs: 5_000, maxDelayMs: 1_000 } },
      ],
    });
    const result = loadForwardConfig(text, 'f.json');
    expect(!result.ok && result.errors).toEqual([
      'f.json: destinations[0].secret: is required for standard-webhooks (whsec_...)',
      'f.json: destinations[1].secret: raw deliveries are not signed: remove it or use standard-webhooks',
      'f.json: destinations[2].secret: must be whsec_ followed by the base64 of a 24 to 64 byte key',
      'f.json: destinations[3].retry.maxDelayMs: must be at least retry.initialDelayMs',
      'f.json: destinations[1].name: a is used by another destination',
    ]);
  });

  it('says a name is used twice beside another mistake, not only once that one is fixed', () => {
    const result = loadForwardConfig('destinations:\n  - name: a\n    url: https://a.example/x\n    format: raw\n  - name: a\n    format: raw\n', 'f.yaml');
    expect(!result.ok && result.errors).toEqual(['f.yaml: destinations[1].url: is required: an http(s) URL', 'f.yaml: destinations[1].name: a is used by another destination']);
  });

  it('says a destination without a url or a format lacks it, rather than that it is of the wrong kind', () => {
    const result = loadForwardConfig('destinations:\n  - name: a\n', 'f.yaml');
    expect(!result.ok && result.errors).toEqual([
      'f.yaml: destinations[0].url: is required: an http(s) URL',
      'f.yaml: destinations[0].format: is required: raw or standard-webhooks',
    ]);
  });

  it('reports unreadable text and a file without destinations in one line each', () => {
    const broken = loadForwardConfig('destinations: [\n', 'forward.yaml');
    expect(!broken.ok && broken.errors.every((line) => /^forward\.yaml: .* at line \d+, column \d+$/.test(line))).toBe(true);
    expect(loadForwardConfig('[]', 'f.json')).toEqual({ ok: false, errors: ['f.json: (file): must be an object with a destinations list'] });
    expect(loadForwardConfig('{}', 'f.json')).toEqual({ ok: false, errors: ['f.json: destinations: is required: a list of destinations'] });
    expect(loadForwardConfig('destinations: []\ndestinations: []\n', 'f.yaml').ok).toBe(false);
  });
});

describe('shownUrl', () => {
  it.each([
    ['https://hooks.example.com/css', 'https://hooks.example.com/css'],
    ['https://hooks.example.com/css?key=s3cret', 'https://hooks.example.com/css?key=…'],
    ['http://10.0.0.5:8080/in?a=1&b=&a=2#frag', 'http://10.0.0.5:8080/in?a=…&b=…&a=…'],
    ['https://h.example.com/x?na%20me=v', 'https://h.example.com/x?na%20me=…'],
    // Keys in the path, as Slack's, Discord's and many receivers' URLs carry them; the path's words stay.
    ['https://hooks.slack.com/services/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', 'https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/…'],
    ['https://discord.com/api/webhooks/1234567890123456789/Ab1-Cd2_Ef3Gh4Ij5Kl6Mn7', 'https://discord.com/api/webhooks/1234567890123456789/…'],
    ['https://in.example.com/v2/3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60/events', 'https://in.example.com/v2/…/events'],
    ['https://in.example.com/billing-intake/css-callbacks/', 'https://in.example.com/billing-intake/css-callbacks/'],
  ])('shows %s as %s: the query’s values, any fragment and keys in the path hidden', (url, shown) => expect(shownUrl(url)).toBe(shown));
});

import { ERRORS, graphqlCode, type ErrorSlug } from '../../src/errors/catalogue';
import { firstAnswer, postQuery, subscriptionClient } from '../support/graphqlClient';
import { postCallback, signCallback, useTestService } from '../support/testService';

const KEY = 'catalogue-key';
const GRAPHQL_CODES = new Set((Object.keys(ERRORS) as ErrorSlug[]).map(graphqlCode));

describe('error codes on the wire', () => {
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY, GRAPHQL_MAX_COST: '1000' });

  it('answers every HTTP refusal with a slug and status of the catalogue', async () => {
    const url = fixture.service.url;
    const signed = signCallback({ event_type: 1, stream_id: 's' }, KEY);
    const answers = [
      await postCallback(url, ''),
      await postCallback(url, new Uint8Array([0x7b, 0xff, 0x7d])),
      await postCallback(url, '{"event_type":'),
      await postCallback(url, '[1]'),
      await postCallback(url, { event_type: 1, stream_id: 's' }),
      await postCallback(url, { ...signed, sign: '0'.repeat(32) }),
      await postCallback(url, signCallback({ event_type: 1, stream_id: 's' }, KEY, Math.floor(Date.now() / 1000) + 30 * 86_400)),
      await postCallback(url, 'x'.repeat(2_000_000)),
    ];
    for (const [path, init] of [
      ['/no-such-route', {}],
      ['/callbacks', { method: 'GET' }],
      ['/callbacks', { method: 'POST', headers: { 'content-encoding': 'br' }, body: '{}' }],
      ['/graphql', { method: 'POST', body: new Blob(['{"query":"{ __typename }"}']) }],
      ['/streams/%zz', {}],
    ] as const) {
      const response = await fetch(`${url}${path}`, init);
      answers.push({ status: response.status, headers: response.headers, body: await response.json() });
    }
    for (const { status, body } of answers) {
      const { code, error } = body as { code: number; error: ErrorSlug };
      expect({ listed: Object.hasOwn(ERRORS, error), body }).toEqual({ listed: true, body });
      expect({ error, status, code }).toEqual({ error, status: ERRORS[error].status, code: ERRORS[error].status });
    }
    expect(answers.map((answer) => (answer.body as { error: string }).error)).toEqual([
      'empty_body', 'invalid_encoding', 'invalid_json', 'not_an_object', 'unauthenticated', 'bad_signature', 'expiry_too_far', 'body_too_large', 'not_found',
      'method_not_allowed', 'unsupported_content_encoding', 'unsupported_media_type', 'bad_request',
    ]);
    expect((answers.at(-2)!.body as { message: string }).message).toBe('a body of no content type is not taken here: send application/json');
    expect((answers.at(-1)!.body as { message: string }).message).toBe('the path "/streams/%zz" is not valid percent-encoded UTF-8');
  });

  it('answers every GraphQL error with a code of the catalogue', async () => {
    const url = fixture.service.url;
    const answers = [
      await postQuery(url, '{ sessions('),
      await postQuery(url, '{ noSuchField }'),
      await postQuery(url, '{ sessions(first: 100000) { edges { cursor } } }'),
      await postQuery(url, 'subscription { sessionUpdated { streamId } }'),
      await postQuery(url, `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: sessions(first: 500) { edges { cursor } }`).join(' ')} }`),
    ];
    const codes = answers.flatMap((answer) => answer.body.errors?.map((error) => error.extensions?.code) ?? []);
    expect(codes.length).toBeGreaterThanOrEqual(answers.length);
    for (const code of codes) expect(GRAPHQL_CODES).toContain(code);
  });

  it('answers the same GraphQL errors over the WebSocket with the codes they have over HTTP', async () => {
    const documents = [
      'subscription { sessionUpdated(',
      'subscription { noSuchField }',
      `subscription { sessionUpdated { ${'__typename '.repeat(1000)}} }`,
      'subscription { sessionUpdated { streamId } } subscription B { sessionUpdated { status } }',
    ];
    const client = subscriptionClient(fixture.service.url);
    try {
      for (const document of documents) {
        const overHttp = (await postQuery(fixture.service.url, document)).body.errors?.map((error) => error.extensions?.code);
        const overWebSocket = (await firstAnswer(client, document)).errors?.map((error) => error.extensions?.code);
        expect({ document, overWebSocket }).toEqual({ document, overWebSocket: overHttp });
      }
    } finally {
      await client.dispose();
    }
  });

  it('answers a document of several operations without one named as a client error, not a 500', async () => {
    const answer = await postQuery(fixture.service.url, 'query A { __typename } query B { sessions(first: 1) { totalCount } }');
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { message: 'Must provide operation name if query contains multiple operations.', extensions: expect.objectContaining({ code: 'OPERATION_RESOLUTION_FAILURE' }) },
    ]);
    expect(GRAPHQL_CODES).toContain('OPERATION_RESOLUTION_FAILURE');
  });
});

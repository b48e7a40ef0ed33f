// What a GraphQL client's input is held to and told, over real HTTP and a real WebSocket: the filters' limits, and no schema hints in production.
import type { Client } from 'graphql-ws';
import type { RunningService } from '../../src/server';
import { firstAnswer, postQuery, subscriptionClient } from '../support/graphqlClient';
import { useTestService } from '../support/testService';

const post = async (service: RunningService, query: string, variables?: Record<string, unknown>) => (await postQuery(service.url, query, variables)).body;

const TOO_LONG = 'x'.repeat(257);
const TOO_MANY = Array.from({ length: 101 }, (_, i) => i);
const MISSPELT_FIELD = '{ sessions { nodes { streamid } } }';
const MISSPELT_INPUT = ['query ($filter: SessionFilter) { sessions(filter: $filter) { totalCount } }', { filter: { streamid: 'cam' } }] as const;

describe('filter limits', () => {
  // Declared first: after-all hooks run in order, and this goes before the service does.
  afterAll(async () => {
    await client.dispose();
  });
  const fixture = useTestService();
  let client: Client;

  beforeAll(async () => {
    client = subscriptionClient(fixture.service.url);
  });

  it.each([
    ['sessions', 'SessionFilter', { streamId: TOO_LONG }, /^invalid arguments: filter\.streamId must be shorter than or equal to 256 characters$/],
    ['sessions', 'SessionFilter', { errcodes: TOO_MANY }, /^invalid arguments: filter\.errcodes must contain no more than 100 elements$/],
    ['relayTasks', 'RelayTaskFilter', { exitCodes: TOO_MANY }, /filter\.exitCodes must contain no more than 100 elements/],
    ['relayTasks', 'RelayTaskFilter', { streamId: TOO_LONG }, /filter\.streamId must be shorter than or equal to 256 characters/],
    ['callbacks', 'CallbackFilter', { stream: 'x'.repeat(301) }, /filter\.stream must be shorter than or equal to 300 characters/],
  ])('refuses %s with a %s over its limits over HTTP: BAD_USER_INPUT naming the argument', async (listing, type, filter, message) => {
    const result = await post(fixture.service, `query ($filter: ${type}) { ${listing}(filter: $filter) { totalCount } }`, { filter });
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(message), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  });

  it.each([
    ['sessionUpdated', 'SessionFilter', { streamId: TOO_LONG }, /filter\.streamId must be shorter than or equal to 256 characters/],
    ['relayTaskUpdated', 'RelayTaskFilter', { exitCodes: TOO_MANY }, /filter\.exitCodes must contain no more than 100 elements/],
    ['callbackReceived', 'CallbackFilter', { type: 'x'.repeat(101) }, /filter\.type must be shorter than or equal to 100 characters/],
  ])('refuses a %s subscription with a %s over its limits over the WebSocket, naming the argument', async (subscription, type, filter, message) => {
    const fields = subscription === 'callbackReceived' ? 'type' : 'status';
    const answer = await firstAnswer(client, `subscription ($filter: ${type}) { ${subscription}(filter: $filter) { ${fields} } }`, { filter });
    expect(answer.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(message), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  });

  it('takes filters within their limits', async () => {
    const result = await post(fixture.service, 'query ($filter: SessionFilter) { sessions(filter: $filter) { totalCount } }', {
      filter: { streamId: 'x'.repeat(256), errcodes: TOO_MANY.slice(1) },
    });
    expect(result).toEqual({ data: { sessions: { totalCount: 0 } } });
  });

  it('suggests field names in development', async () => {
    expect((await post(fixture.service, MISSPELT_FIELD)).errors?.[0]?.message).toMatch(/Did you mean "streamId"/);
  });
});

describe('in production', () => {
  // Declared first: after-all hooks run in order, and this goes before the service does.
  afterAll(async () => {
    await client.dispose();
  });
  const fixture = useTestService({ NODE_ENV: 'production' });
  let client: Client;

  beforeAll(async () => {
    client = subscriptionClient(fixture.service.url);
  });

  it('names no field of the schema ("Did you mean") for a misspelt field or input field, over HTTP', async () => {
    const field = await post(fixture.service, MISSPELT_FIELD);
    expect(field.errors?.[0]?.message).toBe('Cannot query field "streamid" on type "StreamSession".');
    const input = await post(fixture.service, ...MISSPELT_INPUT);
    expect(input.errors?.[0]?.message).toMatch(/Field "streamid" is not defined by type "SessionFilter"\.$/);
  });

  it('nor over the WebSocket', async () => {
    const field = await firstAnswer(client, 'subscription { sessionUpdated { streamid } }');
    expect(field.errors?.[0]?.message).toBe('Cannot query field "streamid" on type "StreamSession".');
    const input = await firstAnswer(client, 'subscription ($filter: SessionFilter) { sessionUpdated(filter: $filter) { status } }', { filter: { streamid: 'cam' } });
    expect(input.errors?.[0]?.message).toMatch(/Field "streamid" is not defined by type "SessionFilter"\.$/);
  });
});

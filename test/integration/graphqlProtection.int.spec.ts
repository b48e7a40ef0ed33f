import type { RunningService } from '../../src/server';
import { SessionUpdatedDocument } from '../graphql/generated';
import { collect, subscriptionClient, waitForSubscribers } from '../support/graphqlClient';
import { postAndProject, useTestService } from '../support/testService';

const TOKEN = 'dashboard-token-0123456789abcdef';

async function post(service: RunningService, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

describe('GraphQL protection', () => {
  const fixture = useTestService({
    NODE_ENV: 'production',
    GRAPHQL_API_TOKENS: `other-token-0123456789abcdef,${TOKEN}`,
    GRAPHQL_MAX_DEPTH: '4',
    GRAPHQL_MAX_ALIASES: '3',
    GRAPHQL_MAX_COST: '100',
  });
  beforeAll(async () => {
    await postAndProject(fixture.service, { event_type: 1, sequence: '1', stream_id: 'guarded' });
  });

  const bearer = { authorization: `Bearer ${TOKEN}` };

  it('refuses HTTP queries without a valid bearer token with 401 UNAUTHENTICATED', async () => {
    for (const headers of [{}, { authorization: 'Bearer guessed-token-0000000000' }, { authorization: TOKEN.slice(1) }] as Array<Record<string, string>>) {
      const { status, body } = await post(fixture.service, '{ sessions { totalCount } }', headers);
      expect(status).toBe(401);
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers a query that carries one of the tokens', async () => {
    const { status, body } = await post(fixture.service, '{ sessions { totalCount } }', bearer);
    expect([status, body.data]).toEqual([200, { sessions: { totalCount: 1 } }]);
  });

  it('refuses a query deeper than GRAPHQL_MAX_DEPTH', async () => {
    const { body } = await post(fixture.service, '{ sessions { edges { node { events { id } } } } }', bearer);
    expect(body.errors?.[0]?.message).toMatch(/depth/i);
    expect(body.data).toBeUndefined();
  });

  it('refuses a query with more aliases than GRAPHQL_MAX_ALIASES', async () => {
    const { body } = await post(fixture.service, '{ a: sessions { totalCount } b: sessions { totalCount } c: sessions { totalCount } d: sessions { totalCount } }', bearer);
    expect(body.errors?.[0]?.message).toMatch(/alias/i);
  });

  it('refuses a query costlier than GRAPHQL_MAX_COST', async () => {
    const fields = 'sequence appId domain appName streamId status pushedAt interruptedAt pushDurationMs errcode errmsg reason node userIp streamParam';
    const { body } = await post(fixture.service, `{ sessions { nodes { ${fields} } edges { node { ${fields} } } } relayTasks { nodes { taskId status exitCode exitMessage sourceUrls toUrl } } }`, bearer);
    expect(body.errors?.[0]?.message).toMatch(/cost/i);
  });

  it('keeps introspection off in production, naming the setting that turns it on (not Apollo\'s own option)', async () => {
    const { body } = await post(fixture.service, '{ __schema { types { name } } }', bearer);
    expect(body.errors?.[0]?.message).toMatch(/^introspection is off on this service .*GRAPHQL_INTROSPECTION=true turns it on/);
    expect(JSON.stringify(body.errors)).not.toContain('ApolloServer');
  });

  it('closes a WebSocket whose connection_init carries no valid token with 4403', async () => {
    const client = subscriptionClient(fixture.service.url, { authorization: 'Bearer nope-nope-nope-nope' });
    const closed = new Promise<number>((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code)));
    const updates = collect(client, SessionUpdatedDocument, {});
    expect(await closed).toBe(4403);
    await expect(updates.next(1)).rejects.toBeDefined();
    await client.dispose();
  });

  it('serves subscriptions to a WebSocket whose connection_init carries a token', async () => {
    const client = subscriptionClient(fixture.service.url, { authorization: `Bearer ${TOKEN}` });
    try {
      const updates = collect(client, SessionUpdatedDocument, { filter: { streamId: 'guarded' } });
      await waitForSubscribers(fixture.service, 1);
      await postAndProject(fixture.service, { event_type: 0, sequence: '1', stream_id: 'guarded', errcode: 1 });
      const [update] = await updates.next(1);
      expect(update!.sessionUpdated).toMatchObject({ sequence: '1', status: 'ENDED' });
    } finally {
      await client.dispose();
    }
  });

});

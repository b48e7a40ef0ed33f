// What one GraphQL operation may ask for, over real HTTP and a real WebSocket: its cost, its document's size, its answer's size.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import type { RunningService } from '../../src/server';
import { firstAnswer, postQuery, subscriptionClient, type RawAnswer } from '../support/graphqlClient';
import { postAndProject, useTestService } from '../support/testService';

const post = (service: RunningService, query: string, variables?: Record<string, unknown>) => postQuery(service.url, query, variables);
const errorsOf = (answer: RawAnswer) => answer.body.errors ?? [];

/** 15 aliases (the default alias limit) of a page of callback bodies whose size is a variable. */
const FIFTEEN_PAGES_OF_BODIES = `query Bodies($n: Int) { ${Array.from({ length: 15 }, (_, i) => `a${i}: callbacks(first: $n) { nodes { raw } }`).join(' ')} }`;

/** A document of about `bytes` bytes: a valid query padded with a comment. */
const documentOf = (bytes: number) => `{ sessions(first: 1) { totalCount } }\n# ${'x'.repeat(bytes)}`;

/** A valid query of `tokens` tokens: eleven of its own, then __typename (which costs nothing) over and over. */
const documentOfTokens = (tokens: number) => `{ sessions(first: 1) { totalCount } ${'__typename '.repeat(tokens - 11)}}`;

/** The ```graphql examples of the README. */
function readmeExamples(): string[] {
  const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  return [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

describe('GraphQL limits under the default settings', () => {
  // Declared first: after-all hooks run in order, and this goes before the service does.
  afterAll(async () => {
    await client.dispose();
  });
  const fixture = useTestService();
  let client: Client;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) await postAndProject(fixture.service, { event_type: 1, sequence: String(i + 1), stream_id: `cam-${i}` });
    client = subscriptionClient(fixture.service.url);
  });

  it('refuses 15 aliases of callbacks(first: $n) { nodes { raw } } with n = 500 before running it, over HTTP', async () => {
    const answer = await post(fixture.service, FIFTEEN_PAGES_OF_BODIES, { n: 500 });
    expect(answer.status).toBe(400);
    expect(answer.body).not.toHaveProperty('data');
    expect(errorsOf(answer)).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/costs 82515, over the limit of 5000 \(GRAPHQL_MAX_COST\)/),
        extensions: { code: 'QUERY_TOO_COSTLY', cost: 82515, maxCost: 5000 },
      }),
    ]);
  });

  it('refuses the same over the WebSocket', async () => {
    const answer = await firstAnswer(client, FIFTEEN_PAGES_OF_BODIES, { n: 500 });
    expect(answer.data).toBeUndefined();
    expect(answer.errors).toEqual([expect.objectContaining({ extensions: { code: 'QUERY_TOO_COSTLY', cost: 82515, maxCost: 5000 } })]);
  });

  it('answers the same query with n = 5', async () => {
    const answer = await post(fixture.service, FIFTEEN_PAGES_OF_BODIES, { n: 5 });
    expect(errorsOf(answer)).toEqual([]);
    expect((answer.body.data!.a14 as { nodes: unknown[] }).nodes).toHaveLength(3);
  });

  it('answers every example query of the README', async () => {
    const examples = readmeExamples();
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const example of examples) expect({ example, errors: errorsOf(await post(fixture.service, example)) }).toEqual({ example, errors: [] });
  });
});

describe('GraphQL limits set lower', () => {
  // Declared first: after-all hooks run in order, and this goes before the service does.
  afterAll(async () => {
    await client.dispose();
  });
  const fixture = useTestService({ GRAPHQL_MAX_COST: '500', GRAPHQL_MAX_DOCUMENT_BYTES: '4096', GRAPHQL_MAX_TOKENS: '300', GRAPHQL_MAX_RESPONSE_BYTES: '65536' });
  let client: Client;
  const RAW_BYTES = 2_000;

  beforeAll(async () => {
    // 40 callbacks of 2 kB: 80 kB of bodies, more than the answer may hold.
    for (let i = 0; i < 40; i++) {
      await postAndProject(fixture.service, { event_type: 1, sequence: String(100 + i), stream_id: 'big', stream_param: 'p'.repeat(RAW_BYTES) });
    }
    client = subscriptionClient(fixture.service.url);
  });

  it('counts `first` left out as its default, 50: 1 + 50 × (1 + 10) = 551, over 500', async () => {
    const answer = await post(fixture.service, '{ callbacks { nodes { raw } } }');
    expect(answer.status).toBe(400);
    expect(errorsOf(answer)[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COSTLY', cost: 551, maxCost: 500 } });
    expect(errorsOf(await post(fixture.service, '{ callbacks(first: 20) { nodes { type } } }'))).toEqual([]);
  });

  it('refuses a document over GRAPHQL_MAX_DOCUMENT_BYTES with 413 and DOCUMENT_TOO_LARGE, and takes one under it', async () => {
    const answer = await post(fixture.service, documentOf(5_000));
    expect(answer.status).toBe(413);
    expect(errorsOf(answer)[0]).toMatchObject({
      message: expect.stringMatching(/over the limit of 4096 \(GRAPHQL_MAX_DOCUMENT_BYTES\)/),
      extensions: { code: 'DOCUMENT_TOO_LARGE', maxBytes: 4096 },
    });
    expect(errorsOf(await post(fixture.service, documentOf(3_000)))).toEqual([]);
  });

  it('refuses the same document over the WebSocket', async () => {
    const answer = await firstAnswer(client, documentOf(5_000));
    expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'DOCUMENT_TOO_LARGE', maxBytes: 4096 } });
    expect((await firstAnswer(client, documentOf(3_000))).errors).toBeUndefined();
  });

  it('refuses a document of more than GRAPHQL_MAX_TOKENS tokens with 400, naming the setting, and takes one of as many, over HTTP and the WebSocket', async () => {
    const refusal = expect.objectContaining({
      message: expect.stringMatching(/^the query document has more than 300 tokens .*\(GRAPHQL_MAX_TOKENS\)/),
      extensions: { code: 'GRAPHQL_PARSE_FAILED', maxTokens: 300 },
    });
    const answer = await post(fixture.service, documentOfTokens(301));
    expect([answer.status, errorsOf(answer)]).toEqual([400, [refusal]]);
    expect((await firstAnswer(client, documentOfTokens(301))).errors).toEqual([refusal]);
    const taken = await post(fixture.service, documentOfTokens(300));
    expect([taken.status, errorsOf(taken)]).toEqual([200, []]);
    expect((await firstAnswer(client, documentOfTokens(300))).errors).toBeUndefined();
  });

  it('answers RESPONSE_TOO_LARGE, without data, instead of an answer over GRAPHQL_MAX_RESPONSE_BYTES', async () => {
    const answer = await post(fixture.service, '{ callbacks(first: 40) { nodes { raw } } }'); // cost 441: allowed
    expect(answer.body).toEqual({
      errors: [{ message: expect.stringMatching(/larger than 65536 bytes \(GRAPHQL_MAX_RESPONSE_BYTES\)/), extensions: { code: 'RESPONSE_TOO_LARGE', maxBytes: 65536 } }],
    });
    const small = await post(fixture.service, '{ callbacks(first: 20) { nodes { raw } } }');
    expect(errorsOf(small)).toEqual([]);
    expect(JSON.stringify(small.body).length).toBeGreaterThan(20 * RAW_BYTES);
  });

  it('answers RESPONSE_TOO_LARGE over the WebSocket too', async () => {
    const answer = await firstAnswer(client, '{ callbacks(first: 40) { nodes { raw } } }');
    expect(answer).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'RESPONSE_TOO_LARGE', maxBytes: 65536 } })] });
  });
});

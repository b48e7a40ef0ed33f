import { GraphQLError, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { loadConfig } from '../../src/config';
import { EventLoopTurns } from '../../src/graphql/eventLoopTurns';
import { mainThreadOnly, ThreadQueries, type ThreadAnswer } from '../../src/graphql/readingThreadAnswers';
import { chargeResponses } from '../../src/graphql/responseBudget';

/** A schema of a few fields: one reads a read model, one needs the main thread's forwarding, one is refused with a status. */
function schema(): GraphQLSchema {
  const forwarding = mainThreadOnly<{ destinations(): string[] }>('forwarding');
  const built = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        greeting: { type: GraphQLString, resolve: () => 'hello' },
        adminAccess: { type: GraphQLString, resolve: (_source, _args, context: { adminAccess?: string }) => context.adminAccess ?? 'none said' },
        text: { type: GraphQLString, args: { kib: { type: new GraphQLNonNull(GraphQLInt) } }, resolve: (_, { kib }: { kib: number }) => 'x'.repeat(kib * 1024) },
        destinations: { type: new GraphQLList(GraphQLString), resolve: () => forwarding.destinations() },
        busy: {
          type: GraphQLString,
          resolve: () => {
            throw new GraphQLError('too many', { extensions: { code: 'TOO_MANY_STATISTICS', http: { status: 503, headers: new Map([['retry-after', '1']]) } } });
          },
        },
        broken: {
          type: GraphQLString,
          resolve: () => {
            throw new Error('disk on fire');
          },
        },
      },
    }),
  });
  chargeResponses(built);
  return built;
}

const config = { ...loadConfig({}).graphql, maxResponseBytes: 64 * 1024 };
const answer = (query: string, variables?: Record<string, unknown>): Promise<ThreadAnswer> =>
  new ThreadQueries(schema(), config, new EventLoopTurns()).answer({ query, variables: variables ?? null });

describe('a query worked out on a reading thread', () => {
  it('answers data as execution gives it, written as the JSON text of the answer', async () => {
    expect(await answer('{ greeting }')).toEqual({ kind: 'answered', dataJson: '{"greeting":"hello"}' });
  });

  it("gives the query the request's admin access in its context", async () => {
    const answered = await new ThreadQueries(schema(), config, new EventLoopTurns()).answer({ query: '{ adminAccess }', adminAccess: 'granted' });
    expect(answered).toEqual({ kind: 'answered', dataJson: '{"adminAccess":"granted"}' });
    expect(await answer('{ adminAccess }')).toEqual({ kind: 'answered', dataJson: '{"adminAccess":"none said"}' });
  });

  it('says which root fields need the main thread, by their names whatever the aliases', async () => {
    expect(await answer('{ greeting where: destinations }')).toEqual({ kind: 'main thread', fields: ['destinations'] });
  });

  it("keeps an error's HTTP status and headers aside, and gives an unexpected error Apollo's code", async () => {
    const answered = await answer('{ busy broken }');
    expect(answered.kind).toBe('answered');
    if (answered.kind !== 'answered') return;
    expect(answered.dataJson).toBe('{"busy":null,"broken":null}');
    expect(answered.errors).toEqual([
      { formatted: expect.objectContaining({ message: 'too many', path: ['busy'], extensions: { code: 'TOO_MANY_STATISTICS' } }), http: { status: 503, headers: [['retry-after', '1']] } },
      { formatted: expect.objectContaining({ message: 'disk on fire', path: ['broken'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }) },
    ]);
  });

  it('answers a variable that cannot be coerced with no data and BAD_USER_INPUT', async () => {
    const answered = await answer('query($n: Int!) { text(kib: $n) }', { n: 'many' });
    expect(answered).toEqual({ kind: 'answered', errors: [{ formatted: expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }) }] });
  });

  it('answers past the response budget with the one error that says so', async () => {
    const answered = await answer('{ text(kib: 65) }');
    expect(answered).toEqual({ kind: 'answered', errors: [{ formatted: expect.objectContaining({ extensions: expect.objectContaining({ code: 'RESPONSE_TOO_LARGE', maxBytes: 65_536 }) }) }] });
    expect(await answer('{ text(kib: 63) }')).toMatchObject({ kind: 'answered', dataJson: expect.stringMatching(/^\{"text":"x+"\}$/) });
  });
});

// Long lists of objects are answered a slice per turn of the event loop; short ones, and lists of scalars, as before.
import { graphql, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { EventLoopTurns } from '../../src/graphql/eventLoopTurns';
import { completeLongListsInTurns } from '../../src/graphql/longLists';

/** A schema whose `items(n)` lists n objects and `numbers(n)` n integers, counting the item fields worked out. */
function countingSchema() {
  const worked = { fields: 0 };
  const Item = new GraphQLObjectType({
    name: 'Item',
    fields: {
      n: {
        type: new GraphQLNonNull(GraphQLInt),
        resolve: (item: { n: number }) => {
          worked.fields++;
          return item.n;
        },
      },
    },
  });
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        items: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Item))),
          args: { n: { type: new GraphQLNonNull(GraphQLInt) } },
          resolve: (_root, { n }: { n: number }) => range(n).map((i) => ({ n: i })),
        },
        laterItems: {
          type: new GraphQLList(Item),
          args: { n: { type: new GraphQLNonNull(GraphQLInt) } },
          resolve: async (_root, { n }: { n: number }) => range(n).map((i) => ({ n: i })),
        },
        numbers: {
          type: new GraphQLList(GraphQLInt),
          args: { n: { type: new GraphQLNonNull(GraphQLInt) } },
          resolve: (_root, { n }: { n: number }) => range(n),
        },
      },
    }),
  });
  return { schema, worked };
}

/** Runs the query; returns its answer and how many item fields were worked out when the next turn of the loop came. */
async function answerAndFirstTurn(schema: GraphQLSchema, worked: { fields: number }, source: string) {
  let atNextTurn = -1;
  const nextTurn = new Promise<void>((resolve) =>
    setImmediate(() => {
      atNextTurn = worked.fields;
      resolve();
    }),
  );
  const answer = await graphql({ schema, source });
  await nextTurn;
  return { answer, atNextTurn };
}

describe('long lists in turns', () => {
  it('works out a list of objects longer than a slice a slice per turn, and answers all of it in order', async () => {
    const { schema, worked } = countingSchema();
    completeLongListsInTurns(schema, new EventLoopTurns(), 100);
    for (const field of ['items', 'laterItems']) {
      worked.fields = 0;
      const { answer, atNextTurn } = await answerAndFirstTurn(schema, worked, `{ ${field}(n: 1050) { n } }`);
      expect(answer.errors).toBeUndefined();
      expect((answer.data![field] as Array<{ n: number }>).map(({ n }) => n)).toEqual(Array.from({ length: 1050 }, (_, i) => i));
      // The first slice at once; the other ten each in a turn of its own, after the one the test waited for.
      expect(atNextTurn).toBe(100);
      expect(worked.fields).toBe(1050);
    }
  });

  it('answers a list of a slice or less, and lists of scalars, in the turn it is asked', async () => {
    const { schema, worked } = countingSchema();
    completeLongListsInTurns(schema, new EventLoopTurns(), 100);
    const { answer, atNextTurn } = await answerAndFirstTurn(schema, worked, '{ items(n: 100) { n } numbers(n: 5000) }');
    expect(atNextTurn).toBe(100);
    expect((answer.data!.numbers as number[]).length).toBe(5000);
  });
});

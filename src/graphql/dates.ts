// Read-model times are milliseconds since the epoch; GraphQL's DateTime scalar takes a Date.
import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';

export const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/**
 * graphql-scalars' DateTime, answering ISO strings rather than Date objects: JSON.stringify turns a
 * Date into the same string through toJSON, but a result holding Dates leaves V8's fast serializer,
 * which made stringifying a page of relay tasks cost more than executing it.
 */
export const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  serialize(value) {
    const serialized = DateTimeResolver.serialize(value) as unknown;
    return serialized instanceof Date ? serialized.toISOString() : serialized;
  },
});

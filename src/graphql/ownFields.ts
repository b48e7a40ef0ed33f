// The fields of a built schema's own object types, for the passes that wrap their resolvers (responseBudget, longLists).
import { isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';

/** Every field of every object type but GraphQL's introspection types (`__Type`, ...). */
export function ownFields(schema: GraphQLSchema): Array<GraphQLField<unknown, unknown>> {
  return Object.values(schema.getTypeMap()).flatMap((type) => (isObjectType(type) && !type.name.startsWith('__') ? Object.values(type.getFields()) : []));
}

/** Whether a resolver's value is still to come. */
export function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

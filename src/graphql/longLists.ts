// Lists of objects answered a slice per turn of the event loop: a statistic by node can have tens of thousands of buckets.
import { defaultFieldResolver, getNullableType, isListType, isObjectType, type GraphQLSchema } from 'graphql';
import type { EventLoopTurns } from './eventLoopTurns';
import { isPromise, ownFields } from './ownFields';

/**
 * The items of a list whose fields graphql-js works out in one turn: a few milliseconds for statistics buckets. Pages
 * (MAX_PAGE_SIZE) are shorter and come out as before.
 */
export const LIST_ITEMS_PER_TURN = 1_000;

/**
 * Every field answering a list of objects answers a long one spread over turns of the event loop (EventLoopTurns.spread),
 * so that the callbacks and requests that come in meanwhile are served between its slices.
 */
export function completeLongListsInTurns(schema: GraphQLSchema, turns: EventLoopTurns, perTurn = LIST_ITEMS_PER_TURN): void {
  const spread = (value: unknown) => (Array.isArray(value) ? turns.spread(value, perTurn) : value);
  for (const field of ownFields(schema)) {
    const listed = getNullableType(field.type);
    if (!isListType(listed) || !isObjectType(getNullableType(listed.ofType))) continue;
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context, info) => {
      const value = resolve(source, args, context, info);
      return isPromise(value) ? value.then(spread) : spread(value);
    };
  }
}

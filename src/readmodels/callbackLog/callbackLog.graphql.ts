// The GraphQL side of the callback log: its resolvers, what their large fields cost, and the topic its entries go to.
import { count, rows, type FieldCost } from '../../graphql/queryCost';
import type { ReadModelGraphql } from '../readModel';
import { CallbackActivityResolver } from './callbackActivity.resolver';
import { MAX_ACTIVITY_MINUTES } from './callbackActivity.queries';
import { CallbackReceived, CallbackResolver } from './callback.resolver';
import type { CallbackLogEntry } from './callbackLog.table';

/** One per minute listed: its three numbers are one small row (`minutes` itself is priced as one). */
const activity: FieldCost = (args, childCost) => 1 + childCost + count(args.minutes, 60, MAX_ACTIVITY_MINUTES);

export const callbackLogGraphql: ReadModelGraphql<CallbackLogEntry> = {
  resolvers: [CallbackResolver, CallbackActivityResolver],
  fieldCosts: { 'CallbackActivity.minutes': rows(0), 'Query.callbackActivity': activity },
  publish: (topics, entry) => topics.publish(CallbackReceived, entry),
};

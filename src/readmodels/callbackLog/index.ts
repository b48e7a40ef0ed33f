// The callback log read model: every stored callback with its body as received, and the activity counts drawn from it.
import { readModel } from '../readModel';
import { callbackLogProjection } from './callbackLog.projection';
import { callbackLogQueries } from './callbackLog.queries';

export const callbackLog = readModel({
  projection: callbackLogProjection,
  queries: callbackLogQueries,
  graphql: () => (require('./callbackLog.graphql') as typeof import('./callbackLog.graphql')).callbackLogGraphql,
});

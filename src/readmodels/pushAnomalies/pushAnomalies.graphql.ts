// The GraphQL side of push anomalies: a session's list, what it costs, and no subscription of its own.
import { list } from '../../graphql/queryCost';
import type { ReadModelGraphql } from '../readModel';
import { PushAnomalyResolver, SessionPushAnomaliesResolver } from './pushAnomaly.resolver';
import type { PushAnomalyRow } from './pushAnomalies.table';

/** A session's anomalies count as this many: a report a minute, of a type or two, over an evening's push. */
const SESSION_ANOMALIES = 20;

export const pushAnomaliesGraphql: ReadModelGraphql<PushAnomalyRow> = {
  resolvers: [SessionPushAnomaliesResolver, PushAnomalyResolver],
  fieldCosts: { 'StreamSession.pushAnomalies': list(SESSION_ANOMALIES) },
  publish: () => undefined,
};

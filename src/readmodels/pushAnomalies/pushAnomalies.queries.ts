// Reads of the push anomalies read model: a session's, in time order.
import { bound } from '../../eventstore/sqlite/boundValue';
import type { ReadModelDatabase } from '../../processing/projectionDefinition';
import { pushAnomaliesTable, type PushAnomalyRow } from './pushAnomalies.table';

export type { PushAnomalyRow } from './pushAnomalies.table';

export function pushAnomalyQueries(db: ReadModelDatabase) {
  const columns = pushAnomaliesTable.selectList(db);
  const ofSession = pushAnomaliesTable.reader(
    db.prepare<[string]>(`SELECT ${columns} FROM push_anomalies WHERE sequence = ${bound('?')} ORDER BY at, position, entry`),
  );
  return {
    /** Every anomaly reported for a session, oldest first (reports in log order, entries in report order). */
    ofSession(sequence: string): PushAnomalyRow[] {
      return ofSession(sequence);
    },
  };
}
export type PushAnomalyQueries = ReturnType<typeof pushAnomalyQueries>;

// The push anomalies projection: each entry of each push anomaly report, under the session its `sequence` names.
import { CallbackEventType } from '../../domain/callbackEvents';
import { defineProjection } from '../../processing/projectionDefinition';
import { toProjectedEvent } from '../projectedEvent';
import { pushAnomaliesTable, type PushAnomalyRow } from './pushAnomalies.table';
import { pushAnomalyRows } from './pushAnomalyRows';

export const pushAnomaliesProjection = defineProjection<PushAnomalyRow>({
  name: 'pushAnomalies',
  version: 1,
  // Unrecognized callbacks too: a report stored before its type was modelled is read as the report it is.
  canHandle: [CallbackEventType.PushAnomaliesReported, CallbackEventType.UnrecognizedCallbackReceived],
  tables: [pushAnomaliesTable],
  open(db) {
    // A report repeated in the log keeps its first rows.
    const save = pushAnomaliesTable.inserter(db, 'ignore');
    return {
      apply(events) {
        const rows: PushAnomalyRow[] = [];
        for (const recorded of events) {
          // Only what the callback log lists: each anomaly's report is always there to show.
          if (typeof recorded.data.raw !== 'string') continue;
          const event = toProjectedEvent(recorded);
          if (event === null || event.type !== CallbackEventType.PushAnomaliesReported) continue;
          for (const row of pushAnomalyRows(event)) {
            save(row);
            rows.push(row);
          }
        }
        return rows;
      },
    };
  },
});

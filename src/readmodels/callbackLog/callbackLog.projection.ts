// The callback log projection: every callback the service wrote, unrecognized ones included, in log order.
import { CallbackEventType } from '../../domain/callbackEvents';
import { countWriter } from '../../processing/keptCounts';
import { defineProjection } from '../../processing/projectionDefinition';
import { receivedAtOf } from '../projectedEvent';
import { callbackCountsTable, callbackLogTable, type CallbackLogEntry } from './callbackLog.table';

export const callbackLogProjection = defineProjection<CallbackLogEntry>({
  name: 'callbackLog',
  // 2: how many callbacks of each type, kept as they are appended.
  version: 2,
  // Every callback type, and nothing else: quarantined callbacks are not in the log until promoted.
  canHandle: Object.values(CallbackEventType),
  tables: [callbackLogTable, callbackCountsTable],
  open(db) {
    // A plain INSERT: the checkpoint commits with it, so a position applied twice is a bug worth failing on.
    const append = callbackLogTable.inserter(db);
    const countChanges = countWriter(db, callbackCountsTable);
    return {
      apply(events) {
        const entries: CallbackLogEntry[] = [];
        const counted = countChanges();
        for (const recorded of events) {
          const { raw, fields } = recorded.data;
          // Not stored by storedCallback(): no body to show.
          if (typeof raw !== 'string' || fields === null || typeof fields !== 'object') continue;
          const entry: CallbackLogEntry = {
            position: recorded.position,
            eventId: recorded.id,
            type: recorded.type,
            stream: recorded.stream,
            receivedAt: receivedAtOf(recorded),
            raw,
          };
          append(entry);
          entries.push(entry);
          counted.add([entry.type], 1);
        }
        counted.write();
        return entries;
      },
    };
  },
});

// The callback log projection: every callback the service wrote, unrecognized ones included, in log order.
import { CallbackEventType } from '../../domain/callbackEvents';
import { defineProjection } from '../../processing/projectionDefinition';
import { receivedAtOf } from '../projectedEvent';
import { callbackLogTable, type CallbackLogEntry } from './callbackLog.table';

export const callbackLogProjection = defineProjection<CallbackLogEntry>({
  name: 'callbackLog',
  version: 1,
  // Every callback type, and nothing else: quarantined callbacks are not in the log until promoted.
  canHandle: Object.values(CallbackEventType),
  tables: [callbackLogTable],
  open(db) {
    // A plain INSERT: the checkpoint commits with it, so a position applied twice is a bug worth failing on.
    const append = callbackLogTable.inserter(db);
    return {
      apply(events) {
        const entries: CallbackLogEntry[] = [];
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
        }
        return entries;
      },
    };
  },
});

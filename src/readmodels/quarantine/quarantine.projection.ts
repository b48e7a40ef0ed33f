// The quarantine listing: CallbackQuarantined adds an entry, QuarantinedCallbackPromoted marks it promoted. No other read model reads either.
import { QuarantineEventType, readQuarantinedData } from '../../domain/quarantine';
import type { RecordedEvent } from '../../eventstore/eventStore';
import { defineProjection } from '../../processing/projectionDefinition';
import { receivedAtOf } from '../projectedEvent';
import { quarantineTable } from './quarantine.table';

export const quarantineProjection = defineProjection<never>({
  name: 'quarantine',
  version: 1,
  canHandle: [QuarantineEventType.CallbackQuarantined, QuarantineEventType.QuarantinedCallbackPromoted],
  tables: [quarantineTable],
  open(db) {
    // An entry is keyed by its event id: its stream holds one CallbackQuarantined event, so a conflict is a foreign event.
    const add = quarantineTable.inserter(db, 'ignore');
    const promote = db.prepare<[number, string]>('UPDATE quarantined_callbacks SET promoted_at = ? WHERE event_id = ? AND promoted_at IS NULL');
    const applyOne = (recorded: RecordedEvent): void => {
      if (recorded.type === QuarantineEventType.CallbackQuarantined) {
        const data = readQuarantinedData(recorded.data);
        if (data === null) return; // not written by this service
        const keyIndex = recorded.metadata.keyIndex;
        add({
          eventId: data.eventId,
          position: recorded.position,
          type: data.type,
          stream: data.stream,
          receivedAt: receivedAtOf(recorded),
          reason: data.reason,
          lateSeconds: data.lateSeconds,
          keyIndex: Number.isSafeInteger(keyIndex) ? (keyIndex as number) : null,
          raw: data.raw,
          promotedAt: null,
        });
      } else if (recorded.type === QuarantineEventType.QuarantinedCallbackPromoted) {
        const { eventId, promotedAt } = recorded.data;
        const at = typeof promotedAt === 'string' ? Date.parse(promotedAt) : NaN;
        if (typeof eventId === 'string') promote.run(Number.isNaN(at) ? recorded.recordedAt.getTime() : at, eventId);
      }
    };
    return {
      apply(events) {
        events.forEach(applyOne);
        return [];
      },
    };
  },
});

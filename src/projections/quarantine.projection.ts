// The quarantine listing: CallbackQuarantined adds an entry, QuarantinedCallbackPromoted marks it promoted. No other read model sees either.
import { QuarantineEventType, readQuarantinedData } from '../domain/quarantine';
import type { RecordedEvent } from '../eventstore/eventStore';
import type { QuarantineTable } from '../readmodel/quarantineTable';
import { receivedAtOf } from './projectedEvent';

export function applyQuarantineEvent(table: QuarantineTable, recorded: RecordedEvent): void {
  switch (recorded.type) {
    case QuarantineEventType.CallbackQuarantined: {
      const data = readQuarantinedData(recorded.data);
      if (data === null) return; // not written by this service
      const keyIndex = recorded.metadata.keyIndex;
      table.add({
        eventId: data.eventId,
        position: recorded.position,
        type: data.type,
        stream: data.stream,
        receivedAt: receivedAtOf(recorded),
        reason: data.reason,
        lateSeconds: data.lateSeconds,
        keyIndex: Number.isSafeInteger(keyIndex) ? (keyIndex as number) : null,
        raw: data.raw,
      });
      return;
    }
    case QuarantineEventType.QuarantinedCallbackPromoted: {
      const { eventId, promotedAt } = recorded.data;
      const at = typeof promotedAt === 'string' ? Date.parse(promotedAt) : NaN;
      if (typeof eventId === 'string') table.markPromoted(eventId, Number.isNaN(at) ? recorded.recordedAt.getTime() : at);
      return;
    }
    default:
      return;
  }
}

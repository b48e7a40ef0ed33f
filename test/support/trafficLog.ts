// Fills an event store with generated traffic the way ingestion would, without HTTP (for large logs).
import { interpretCallback } from '../../src/domain/interpretCallback';
import { parseCallbackBody } from '../../src/domain/callbackJson';
import type { EventStore } from '../../src/eventstore/eventStore';
import { storedCallback } from '../../src/ingest/storedCallback';
import { generateTraffic, type TrafficOptions } from '../../src/simulation/callbackTraffic';

/** Appends every generated callback (concurrently, so group commit batches them); returns the last position. */
export async function appendTraffic(store: EventStore, options: TrafficOptions): Promise<{ events: number; lastPosition: bigint }> {
  let lastPosition = 0n;
  let events = 0;
  const traffic = generateTraffic(options);
  for (let i = 0; i < traffic.length; i += 500) {
    const results = await Promise.all(
      traffic.slice(i, i + 500).map(({ at, body }) => {
        const raw = JSON.stringify(body);
        const parsed = parseCallbackBody(raw);
        if (!parsed.ok) throw new Error(parsed.message);
        const event = interpretCallback(parsed.payload, raw);
        const metadata = { receivedAt: new Date(at).toISOString(), clientAddress: '127.0.0.1', authenticatedBy: 'none' as const };
        return store.appendToStream(event.stream, [storedCallback(event, metadata)]);
      }),
    );
    for (const result of results) {
      if (result.position !== undefined && result.position > lastPosition) lastPosition = result.position;
      events += result.appended.length;
    }
  }
  return { events, lastPosition };
}

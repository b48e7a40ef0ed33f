// `export`: the whole callback log, in global-log order, as JSON Lines.
import { isQuarantineStream } from '../domain/streamNames';
import type { EventStore } from '../eventstore/eventStore';
import { exportLine } from './callbackLogLines';

export interface ExportCounts {
  exported: number;
  /** Events in the log that this service did not write (no raw callback), left out. */
  skipped: number;
  /** Events of the quarantine, left out: they are not in the callback log until promoted. */
  quarantined: number;
}

/** The lines (each ending in a newline), a page at a time, so the log is never held in memory; `counts` fills as they go. */
export async function* exportedLines(store: EventStore, counts: ExportCounts, pageSize = 1000): AsyncGenerator<string> {
  let after: bigint | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: pageSize });
    if (page.length === 0) return;
    let chunk = '';
    for (const event of page) {
      if (isQuarantineStream(event.stream)) {
        counts.quarantined++;
        continue;
      }
      const line = exportLine(event);
      if (line === null) counts.skipped++;
      else {
        counts.exported++;
        chunk += `${line}\n`;
      }
    }
    after = page[page.length - 1]!.position;
    if (chunk !== '') yield chunk;
  }
}

// `export`: the whole callback log, in global-log order, as JSON Lines.
import type { EventStore } from '../eventstore/eventStore';
import { exportLine } from './callbackLogLines';

export interface ExportCounts {
  exported: number;
  /** Events in the log that this service did not write (no raw callback), left out. */
  skipped: number;
}

/** The lines (each ending in a newline), a page at a time, so the log is never held in memory; `counts` fills as they go. */
export async function* exportedLines(store: EventStore, counts: ExportCounts, pageSize = 1000): AsyncGenerator<string> {
  let after: bigint | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: pageSize });
    if (page.length === 0) return;
    let chunk = '';
    for (const event of page) {
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

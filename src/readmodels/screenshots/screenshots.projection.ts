// The screenshots projection: each screenshot as a row, tied to the push session it was taken from, whichever arrives first.
import { CallbackEventType } from '../../domain/callbackEvents';
import { defineProjection } from '../../processing/projectionDefinition';
import type { ProjectedEvent } from '../projectedEvent';
import { SESSION_EVENT_TYPES, sessionIntervalsTable, tiedFactOf } from '../sessionIntervals';
import { openTiedFacts, tiedFacts, type TiedFactAdded } from '../tiedFacts';
import { screenshotsTable, type ScreenshotRow } from './screenshots.table';

/** The screenshot's row; its `sequence` is left to the session tie. */
export function screenshotRow(event: ProjectedEvent & { type: 'ScreenshotTaken' }): Omit<ScreenshotRow, 'sequence'> {
  const f = event.fields;
  return {
    eventId: event.id,
    ...tiedFactOf(event, { domain: f.domain, appName: f.appName, streamId: f.streamId }),
    takenAt: f.takenAt,
    url: f.url,
    width: f.width,
    height: f.height,
    fileSizeBytes: f.fileSizeBytes,
    listedAt: f.takenAt ?? event.receivedAt,
  };
}

/** The sessions this read model ties its facts to, kept by itself. */
const intervalsTable = sessionIntervalsTable('screenshot');

export const screenshotsProjection = defineProjection<TiedFactAdded>({
  name: 'screenshots',
  // 2: a session's interval state keeps only what its fold reads.
  version: 2,
  // Unrecognized callbacks too: one stored before its type was modelled may be a screenshot or a push today.
  canHandle: [...SESSION_EVENT_TYPES, CallbackEventType.ScreenshotTaken, CallbackEventType.UnrecognizedCallbackReceived],
  tables: [intervalsTable, screenshotsTable],
  open: (db) =>
    openTiedFacts(db, intervalsTable, [
      tiedFacts<ScreenshotRow>({
        table: screenshotsTable,
        factOf: (event) => (event.type === CallbackEventType.ScreenshotTaken ? screenshotRow(event) : null),
      }),
    ]),
});

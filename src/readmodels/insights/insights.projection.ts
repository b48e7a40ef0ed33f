// The insights projection: sessions with their interruption's side, each stream's last sign of life, relay exits by time, and tallies.
import { CallbackEventType } from '../../domain/callbackEvents';
import { ModerationSuggestions } from '../../domain/streamMediaEvents';
import { parseStreamName, StreamCategory } from '../../domain/streamNames';
import type { RecordedEvent } from '../../eventstore/eventStore';
import { countWriter, type CountChanges } from '../../processing/keptCounts';
import { defineProjection, type ReadModelDatabase } from '../../processing/projectionDefinition';
import { toProjectedEvent, type ProjectedEvent } from '../projectedEvent';
import { emptySession, reduceSession, type SessionState } from '../sessions/session.reducer';
import { compactSession, insightSessionRow, sessionTallies } from './insightSession';
import {
  countedEventsTable,
  insightRelayExitsTable,
  insightSessionsTable,
  interruptionCountsTable,
  interruptionRollupsTable,
  nodeHourChangesTable,
  nodeCellChangesTable,
  interruptionTotalsTable,
  relayExitRollupsTable,
  rollupSummariesTable,
  streamSessionsTable,
  streamSignsTable,
  talliesTable,
  type InsightSessionRow,
  type TallyKind,
} from './insights.table';
import { RollupChanges, rollupWriter } from './interruptionRollups';
import { liveStreamCounter } from './liveStreams';
import { relayExitCounter } from './relayExitRollups';
import { runningTotalsWriter } from './runningTotals';
import type { InterruptionFacts } from './interruptionStats';

/** The insights publish nothing to subscribers: their views are asked for. */
type InsightsChange = never;

/** An exit code as a metric label: CSS's codes are small integers; anything else folds into "other". */
export const exitCodeLabel = (code: number | null): string => (code !== null && Math.abs(code) <= 1000 ? String(code) : 'other');

const suggestionLabel = (suggestion: string | null): string =>
  ModerationSuggestions.find((known) => known.toLowerCase() === suggestion?.toLowerCase())?.toUpperCase() ?? 'OTHER';

/** Which stream showed a sign of life (its domain '' when the callback names none), and when: CSS's own time, else its receipt. */
function signOfLife(event: ProjectedEvent): [streamId: string, domain: string, at: number] | null {
  const sign = (fields: { streamId: string | null; domain: string | null }, at: number | null) =>
    fields.streamId === null ? null : ([fields.streamId, fields.domain ?? '', at ?? event.receivedAt] as [string, string, number]);
  switch (event.type) {
    case CallbackEventType.ScreenshotTaken:
      return sign(event.fields, event.fields.takenAt);
    case CallbackEventType.PushAnomaliesReported:
      return sign(event.fields, event.fields.reportedAt);
    case CallbackEventType.RecordingStatusChanged:
    case CallbackEventType.RecordingExceptionReported:
      return sign(event.fields, event.fields.at);
    default:
      return null;
  }
}

function openInsights(db: ReadModelDatabase) {
  const loadSession = db.prepare<[string], string>('SELECT state FROM insight_sessions WHERE sequence = ?').pluck();
  const saveSession = insightSessionsTable.inserter(db, 'replace');
  const saveSign = db.prepare<[string, string, number]>(
    'INSERT INTO insight_stream_signs (stream_id, domain, last_sign_at) VALUES (?, ?, ?) ON CONFLICT (stream_id, domain) DO UPDATE SET last_sign_at = max(last_sign_at, excluded.last_sign_at)',
  );
  const insertExit = insightRelayExitsTable.inserter(db, 'ignore');
  const countExit = relayExitCounter(db);
  const countOnce = db.prepare<[string]>('INSERT OR IGNORE INTO insight_counted_events (event_id) VALUES (?)');
  // A batch's tallies are netted and written once each at its end: a few keys (days, errcodes, domains) take most events.
  // One back at 0 goes, so the rows are the same however the events were batched.
  const tallyChanges = countWriter(db, talliesTable);
  const tally = (tallies: CountChanges, kind: TallyKind, key: string, by = 1) => tallies.add([kind, key], by);
  const exitsBefore = db.prepare<[string], number>('SELECT count(*) FROM insight_relay_exits WHERE event_id = ?').pluck();
  const writeRollups = rollupWriter(db);
  const writeTotals = runningTotalsWriter(db);
  const moveLiveStream = liveStreamCounter(db);
  const interruptionCountChanges = countWriter(db, interruptionCountsTable);
  /** Where an interruption is counted: its domain and side (null: the session is not interrupted). */
  const countedAs = (row: InsightSessionRow | null) => (row === null || row.interruptedAt === null ? null : [row.domain, row.side]);
  const factsOf = (row: InsightSessionRow): InterruptionFacts | null =>
    row.interruptedAt === null ? null : [row.interruptedAt, row.errcode, row.subErrcode, row.domain, row.node, row.pushDurationMs];

  const applySessions = (sessions: Map<string, { before: SessionState | null; after: SessionState }>, tallies: CountChanges) => {
    const countLive = (domain: string, by: 1 | -1) => tally(tallies, 'liveStreams', domain, by);
    const rollups = new RollupChanges();
    const interruptionCounts = interruptionCountChanges();
    for (const { before, after } of sessions.values()) {
      const row = insightSessionRow(compactSession(after));
      saveSession(row);
      // A session's totals and rollup cells move with it: what its earlier row counted is taken back.
      const earlier = before === null ? null : insightSessionRow(before);
      rollups.move(earlier === null ? null : factsOf(earlier), factsOf(row));
      moveLiveStream(earlier, row, countLive);
      const wasCounted = countedAs(earlier);
      const counted = countedAs(row);
      if (wasCounted !== null) interruptionCounts.add(wasCounted, -1);
      if (counted !== null) interruptionCounts.add(counted, 1);
      for (const [kind, key] of sessionTallies(earlier)) tally(tallies, kind, key, -1);
      for (const [kind, key] of sessionTallies(row)) tally(tallies, kind, key, 1);
    }
    writeRollups.write(rollups);
    writeTotals.write(rollups);
    interruptionCounts.write();
  };

  return {
    apply(events: readonly RecordedEvent[]): InsightsChange[] {
      const tallies = tallyChanges();
      const sessions = new Map<string, { before: SessionState | null; after: SessionState }>();
      for (const recorded of events) {
        const event = toProjectedEvent(recorded);
        if (event === null) continue;
        if (event.type === CallbackEventType.StreamPushed || event.type === CallbackEventType.StreamInterrupted) {
          const stream = parseStreamName(event.interpretedStream ?? event.stream);
          if (stream === null || stream.category !== StreamCategory.session) continue;
          const known = sessions.get(stream.id);
          const stored = known === undefined ? loadSession.get(stream.id) : undefined;
          const before = known?.after ?? (stored === undefined ? null : (JSON.parse(stored) as SessionState));
          const after = reduceSession(before ?? emptySession(stream.id), event);
          if (after !== before) sessions.set(stream.id, { before: known === undefined ? before : known.before, after });
          continue;
        }
        const sign = signOfLife(event);
        if (sign !== null) saveSign.run(...sign);
        else if (event.type === CallbackEventType.RelayTaskExited) {
          if (exitsBefore.get(event.id) !== 0) continue;
          const { exitCode, taskExitTime, eventTime } = event.fields;
          const exitedAt = taskExitTime ?? (eventTime === null ? event.receivedAt : eventTime * 1000);
          insertExit({ eventId: event.id, exitCode, exitedAt });
          countExit(exitCode, exitedAt);
          tally(tallies, 'relayExits', exitCodeLabel(exitCode));
        } else if (event.type === CallbackEventType.ImageModerationFlagged || event.type === CallbackEventType.AudioModerationFlagged) {
          const kind = event.type === CallbackEventType.ImageModerationFlagged ? 'IMAGE' : 'AUDIO';
          if (countOnce.run(event.id).changes === 1) tally(tallies, 'moderationHits', `${kind} ${suggestionLabel(event.fields.suggestion)}`);
        } else if (event.type === CallbackEventType.RecordingFileGenerated) {
          if (countOnce.run(event.id).changes === 1) tally(tallies, 'recordingsReady', '');
        }
      }
      applySessions(sessions, tallies);
      tallies.write();
      return [];
    },
    // The rollup cells kept decoded and the totals' latest days were changed with the batch: they go with it.
    rolledBack: () => {
      writeRollups.rolledBack();
      writeTotals.rolledBack();
    },
  };
}

export const insightsProjection = defineProjection<InsightsChange>({
  name: 'insights',
  // 3: interruptions rolled up by hour and day. 4: and by week (see WEEK_CELLS_SINCE). 5: each cell with its percentiles.
  // 6: running totals of the day cells (see RUNNING_TOTALS_SINCE), and the hour and day cells' percentiles apart.
  // 7: five-minute cells (see FIVE_MINUTE_CELLS_SINCE), and no more week cells (see WEEK_CELLS_UNTIL).
  // 8: signs of life by stream name and domain (a stream name is a customer's own: two domains may both use `live`).
  // 9: LIVE sessions indexed by stream name and by domain with their push time, signs of life by time (the stale count).
  // 10: streams live counted by domain as sessions come and go (the gauge read 100,000 index entries at each scrape);
  // a tally back at 0 is deleted. 11: interruptions counted by domain and side. 12: relay exits counted by five minutes,
  // hour and day (relayExitStats read each of the scale data set's 200,000). 13: the domain index holds the side (a
  // domain's interruptions by cause over a time range were counted a row read each: a second on the scale data set).
  // 14: node cells indexed by count and interruptions by node, so that a statistic by node with `first` ranks its nodes
  // from the largest cells (busiestNodes.ts) instead of reading every node's (half a second on the scale data set).
  // 15: each hour's changes to its cells by node counted, so that readers keep every node's count of an hour in memory
  // until it changes (nodeHourCounts.ts): a statistic by node over hours the ranking does not suit, in milliseconds.
  // 16: the cells each hour's latest changes wrote listed, so that readers of an hour still written to read only those.
  // 17: a stream counted live when its newest session is LIVE, not while any is (one that missed its interruption kept a
  // stream pushed again since counted live for good).
  version: 17,
  canHandle: [
    CallbackEventType.StreamPushed,
    CallbackEventType.StreamInterrupted,
    CallbackEventType.RelayTaskExited,
    CallbackEventType.ScreenshotTaken,
    CallbackEventType.PushAnomaliesReported,
    CallbackEventType.RecordingStatusChanged,
    CallbackEventType.RecordingExceptionReported,
    CallbackEventType.RecordingFileGenerated,
    CallbackEventType.ImageModerationFlagged,
    CallbackEventType.AudioModerationFlagged,
    // One stored before its type was modelled may be read as one of these today.
    CallbackEventType.UnrecognizedCallbackReceived,
  ],
  tables: [
    insightSessionsTable,
    streamSignsTable,
    insightRelayExitsTable,
    countedEventsTable,
    talliesTable,
    streamSessionsTable,
    interruptionRollupsTable,
    nodeHourChangesTable,
    nodeCellChangesTable,
    interruptionTotalsTable,
    rollupSummariesTable,
    interruptionCountsTable,
    relayExitRollupsTable,
  ],
  open: openInsights,
});

// A session as the insights read it: the sessions reducer's state kept small, its row, and what it adds to the tallies.
import type { SessionFields } from '../../domain/callbackEvents';
import { interruptionSide, isListedErrcode } from '../../domain/errcodeCatalogue';
import { sessionRow, type SessionFact, type SessionState } from '../sessions/session.reducer';
import type { InsightSessionRow } from './insights.table';

/** The only fields the insights derive anything from. */
const KEPT: ReadonlyArray<keyof SessionFields> = ['sequence', 'domain', 'streamId', 'node', 'eventTime', 'errcode', 'subErrcode', 'pushDurationMs'];

const compactFact = (fact: SessionFact | null): SessionFact | null =>
  fact === null ? null : { id: fact.id, receivedAt: fact.receivedAt, fields: Object.fromEntries(KEPT.map((key) => [key, fact.fields[key] ?? null])) as unknown as SessionFields };

/** The state without the fields no insight reads: about a quarter of the sessions read model's. */
export const compactSession = (state: SessionState): SessionState => ({ ...state, push: compactFact(state.push), interruption: compactFact(state.interruption) });

/** The sessions reducer's fields missing from a compact fact read as null, which sessionRow treats as not given. */
export function insightSessionRow(state: SessionState): InsightSessionRow {
  const row = sessionRow(state);
  return {
    sequence: row.sequence,
    streamId: row.streamId,
    domain: row.domain,
    node: row.node,
    status: row.status,
    sessionAt: row.sessionAt,
    pushedAt: row.pushedAt,
    interruptedAt: row.interruptedAt,
    pushDurationMs: row.pushDurationMs,
    errcode: row.errcode,
    subErrcode: row.subErrcode,
    side: row.interruptedAt === null ? null : interruptionSide(row.errcode, row.subErrcode),
    state: JSON.stringify(state),
  };
}

/** The UTC day of an instant, `YYYY-MM-DD`. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** An errcode as a metric label: listed ones as themselves, the rest (and none) as "other". */
export const errcodeLabel = (errcode: number | null): string => (errcode !== null && isListedErrcode(errcode) ? String(errcode) : 'other');

export type Tally = readonly [kind: 'sessionsPerDay' | 'interruptions', key: string];

/** What one session adds to the running totals: its day, and its interruption by errcode and side. */
export function sessionTallies(row: Pick<InsightSessionRow, 'sessionAt' | 'interruptedAt' | 'errcode' | 'side'> | null): Tally[] {
  if (row === null) return [];
  const tallies: Tally[] = [['sessionsPerDay', dayOf(row.sessionAt)]];
  if (row.interruptedAt !== null) tallies.push(['interruptions', `${errcodeLabel(row.errcode)} ${row.side ?? 'UNKNOWN'}`]);
  return tallies;
}

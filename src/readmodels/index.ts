// The read models. Adding one is a folder of its own and one line here; the processor does not change.
import type { ReadModelDatabase } from '../processing/projectionDefinition';
import { callbackLog } from './callbackLog';
import { insights } from './insights';
import { moderation } from './moderation';
import { pushAnomalies } from './pushAnomalies';
import { quarantine } from './quarantine';
import { recordings } from './recordings';
import { relayTasks } from './relayTasks';
import { screenshots } from './screenshots';
import { sessions } from './sessions';
import { timeline } from './timeline';

/**
 * In the order their files are applied in each batch: a query that reads two of them (a session's events from the
 * callback log) finds the one listed first at least as far along as the other.
 */
export const READ_MODELS = {
  callbackLog,
  sessions,
  relayTasks,
  quarantine,
  timeline,
  pushAnomalies,
  recordings,
  screenshots,
  moderation,
  insights,
} as const;

export type ReadModelName = keyof typeof READ_MODELS;
export type ReadModelQueries = { [Name in ReadModelName]: ReturnType<(typeof READ_MODELS)[Name]['queries']> };

/**
 * Views that are asked for more than followed: applied live in a lane of their own, behind the others and in small
 * batches, so that what they cost never delays callbackReceived, sessionUpdated or relayTaskUpdated. They are listed
 * after the others, so the order above still holds between any two.
 */
const BACKGROUND: ReadonlySet<ReadModelName> = new Set(['timeline', 'pushAnomalies', 'recordings', 'screenshots', 'moderation', 'insights']);

export const PROJECTIONS = Object.entries(READ_MODELS).map(([name, model]) =>
  BACKGROUND.has(name as ReadModelName) ? { ...model.projection, background: true } : model.projection,
);

/** Each read model's queries, opened on the connections of `served` (ServedReadModels), following each swap. */
export function servedQueries(served: { queries<Q extends object>(name: string, open: (db: ReadModelDatabase) => Q): Q }): ReadModelQueries {
  return Object.fromEntries(
    Object.entries(READ_MODELS).map(([name, model]) => [name, served.queries(name, (db) => model.queries(db) as object)]),
  ) as ReadModelQueries;
}

/** The page cache each read model's query connections are given, where it says. */
export const READ_CACHE_KIB: Readonly<Record<string, number | undefined>> = Object.fromEntries(
  Object.entries(READ_MODELS).map(([name, model]) => [name, model.readCacheKiB]),
);

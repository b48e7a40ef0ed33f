// The relay-task read model: one row per task with its runs, VOD files and alarms; exits without task_id matched or waiting.
import { readModel } from '../readModel';
import { relayTasksProjection } from './relayTasks.projection';
import { relayTaskQueries } from './relayTasks.queries';

export const relayTasks = readModel({
  projection: relayTasksProjection,
  queries: relayTaskQueries,
  graphql: () => (require('./relayTasks.graphql') as typeof import('./relayTasks.graphql')).relayTasksGraphql,
  // A task's row carries its runs, VOD files and alarms (the file holds ~7 KB a task on the scale data set): a page of
  // a listing reads a hundred pages or more, and with 2 MiB `relayTasks(exitCode)` answered 10-20% slower.
  readCacheKiB: 16 * 1024,
});

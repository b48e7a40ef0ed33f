// The relay-task read model: one row per task with its runs, VOD files and alarms; exits without task_id matched or waiting.
import { readModel } from '../readModel';
import { relayTasksProjection } from './relayTasks.projection';
import { relayTaskQueries } from './relayTasks.queries';

export const relayTasks = readModel({
  projection: relayTasksProjection,
  queries: relayTaskQueries,
  graphql: () => (require('./relayTasks.graphql') as typeof import('./relayTasks.graphql')).relayTasksGraphql,
});

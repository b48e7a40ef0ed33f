// Queries and live updates of relay tasks.
import { Arg, Args, ArgsType, Field, FieldResolver, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import { relayTaskStream } from '../../domain/streamNames';
import type { RelayTaskRow } from '../../projections/relayTask.reducer';
import { relayTaskAsOf } from '../../projections/timeTravel';
import { CallbackEvent } from '../callback/callbackEvent.type';
import { Connection, PageArgs } from '../connection';
import { withCursor } from '../errors';
import { DEFAULT_PAGE_SIZE } from '../../readmodel/pagination';
import type { GraphqlServices } from '../services';
import { followTopic, Topic } from '../topics';
import { RelayTask } from './relayTask.type';
import { matchesRelayTaskFilter, RelayTaskFilter, relayTaskListFilter } from './relayTaskFilter.input';

export const RelayTaskConnection = Connection(RelayTask, 'RelayTask');

@ArgsType()
class RelayTasksArgs extends PageArgs {
  @Field(() => RelayTaskFilter, { nullable: true })
  filter?: RelayTaskFilter | null;
}

@Resolver(() => RelayTask)
export class RelayTaskResolver {
  constructor(private readonly services: GraphqlServices) {}

  /** The task's own stream and those of the exits without task_id matched to it. */
  private streamsOf(taskId: string): string[] {
    return [relayTaskStream(taskId), ...this.services.relayTasks.exitsOfTask(taskId).map((exit) => exit.stream)];
  }

  @Query(() => RelayTask, { nullable: true, description: 'A relay task by its id; null when unknown. `asOf` answers as it stood then.' })
  async relayTask(
    @Arg('taskId', () => ID) taskId: string,
    @Arg('asOf', () => Date, { nullable: true }) asOf?: Date | null,
  ): Promise<RelayTask | null> {
    if (asOf == null) {
      const row = this.services.relayTasks.byTaskId(taskId);
      return row === null ? null : RelayTask.fromRow(row);
    }
    const streams = await Promise.all(this.streamsOf(taskId).map((stream) => this.services.store.readStream(stream)));
    const row = relayTaskAsOf(taskId, streams.flat(), asOf.getTime());
    return row === null ? null : RelayTask.fromRow(row);
  }

  @Query(() => RelayTaskConnection, { description: 'Relay tasks, most recently active first.' })
  relayTasks(@Args() { filter, first, after }: RelayTasksArgs): InstanceType<typeof RelayTaskConnection> {
    const page = withCursor(() => this.services.relayTasks.list(relayTaskListFilter(filter), first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return RelayTaskConnection.from(page, RelayTask.fromRow);
  }

  @FieldResolver(() => [CallbackEvent], { description: 'The callbacks of this task, matched exits included, oldest first.' })
  events(@Root() task: RelayTask): CallbackEvent[] {
    return this.services.callbacks.ofStreams(this.streamsOf(task.taskId)).map(CallbackEvent.fromEntry);
  }

  @Subscription(() => RelayTask, {
    subscribe: followTopic(Topic.RelayTaskUpdated, (args: { filter?: RelayTaskFilter | null }) => {
      const filter = relayTaskListFilter(args.filter);
      return (row) => matchesRelayTaskFilter(row, filter);
    }),
    description: 'Every change of a relay task that matches the filter, as the read model commits it.',
  })
  relayTaskUpdated(
    @Root() row: RelayTaskRow,
    @Arg('filter', () => RelayTaskFilter, { nullable: true }) _filter?: RelayTaskFilter | null,
  ): RelayTask {
    return RelayTask.fromRow(row);
  }
}

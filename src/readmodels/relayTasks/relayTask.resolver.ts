// Queries and live updates of relay tasks.
import { ValidateNested } from 'class-validator';
import { Arg, Args, ArgsType, Field, FieldResolver, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import { relayTaskStream } from '../../domain/streamNames';
import { CHECKED_ON_SUBSCRIBE, FilterArgs, filterCheck } from '../../graphql/argumentValidation';
import { Connection, PageArgs } from '../../graphql/connection';
import { withCursor } from '../../graphql/errors';
import { followTopic, topic } from '../../graphql/topics';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import { CallbackEvent } from '../callbackLog/callbackEvent.type';
import type { CallbackLogEntry } from '../callbackLog/callbackLog.table';
import type { ReadModelServices } from '../services';
import { RelayTaskAsOf } from './relayTaskAsOf';
import type { RelayTaskRow } from './relayTasks.table';
import { RelayTask } from './relayTask.type';
import { matchesRelayTaskFilter, RelayTaskFilter, relayTaskListFilter } from './relayTaskFilter.input';

export const RelayTaskConnection = Connection(RelayTask, 'RelayTask');

/** A task's row, each time the read model commits a change of it. */
export const RelayTaskUpdated = topic<RelayTaskRow>('RELAY_TASK_UPDATED');

@ArgsType()
class RelayTasksArgs extends PageArgs {
  @Field(() => RelayTaskFilter, { nullable: true })
  @ValidateNested()
  filter?: RelayTaskFilter | null;
}

const RelayTaskUpdatedArgs = FilterArgs(RelayTaskFilter);

/** Read per turn of the event loop: a long task's facts or callbacks take many turns. */
const FACTS_PAGE = 1000;
const CALLBACKS_PAGE = 250;

@Resolver(() => RelayTask)
export class RelayTaskResolver {
  constructor(private readonly services: ReadModelServices) {}

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
    const { relayTasks, turns } = this.services;
    const travel = new RelayTaskAsOf(taskId, asOf.getTime());
    for (let after = ''; ; ) {
      const page = await turns.run(() => {
        const facts = relayTasks.factsOf(taskId, after, FACTS_PAGE);
        travel.add(facts);
        return facts;
      });
      if (page.length < FACTS_PAGE) break;
      after = page[page.length - 1]!.id;
    }
    const row = await turns.run(() => travel.row());
    return row === null ? null : RelayTask.fromRow(row);
  }

  @Query(() => RelayTaskConnection, { description: 'Relay tasks, most recently active first.' })
  relayTasks(@Args() { filter, first, after }: RelayTasksArgs): InstanceType<typeof RelayTaskConnection> {
    const page = withCursor(() => this.services.relayTasks.list(relayTaskListFilter(filter), first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return RelayTaskConnection.from(page, RelayTask.fromRow);
  }

  @FieldResolver(() => [CallbackEvent], { description: 'The callbacks of this task, matched exits included, oldest first.' })
  async events(@Root() task: RelayTask): Promise<CallbackEvent[]> {
    const { callbackLog, turns } = this.services;
    const entries: CallbackLogEntry[] = [];
    for (const stream of this.streamsOf(task.taskId)) {
      for (let after = 0n; ; ) {
        const page = await turns.run(() => callbackLog.pageOfStream(stream, after, CALLBACKS_PAGE));
        entries.push(...page);
        if (page.length < CALLBACKS_PAGE) break;
        after = page[page.length - 1]!.position;
      }
    }
    return entries.sort((a, b) => (a.position < b.position ? -1 : 1)).map(CallbackEvent.fromEntry);
  }

  @Subscription(() => RelayTask, {
    subscribe: followTopic(RelayTaskUpdated, (args: { filter?: RelayTaskFilter | null }) => {
      const filter = relayTaskListFilter(args.filter);
      return (row) => matchesRelayTaskFilter(row, filter);
    }, filterCheck(RelayTaskUpdatedArgs, RelayTaskFilter)),
    description: 'Every change of a relay task that matches the filter, as the read model commits it.',
  })
  relayTaskUpdated(@Root() row: RelayTaskRow, @Args(() => RelayTaskUpdatedArgs, CHECKED_ON_SUBSCRIBE) _args: InstanceType<typeof RelayTaskUpdatedArgs>): RelayTask {
    return RelayTask.fromRow(row);
  }
}

// Anomaly views of relay tasks: slow or missing first VOD files, and tasks that keep restarting.
import { IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Args, ArgsType, Field, FieldResolver, Float, Int, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../graphql/connection';
import { withCursor } from '../../graphql/errors';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import type { ReadModelServices } from '../services';
import { RelayTaskConnection } from './relayTask.resolver';
import { RelayTask } from './relayTask.type';

@ArgsType()
class DomainPageArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "The push domain: the host of the task's target URL." })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  domain?: string | null;
}

@ArgsType()
class SlowRelayStartsArgs extends DomainPageArgs {
  @Field(() => Int, { defaultValue: 2000, description: 'CSS promises the first VodSourceFileStart within 2 s of TaskStart.' })
  @Min(0)
  @Max(86_400_000)
  thresholdMs!: number;
}

@ArgsType()
class RestartingRelayTasksArgs extends DomainPageArgs {
  @Field(() => Int, { defaultValue: 2, description: 'Restarted (a run after the first) at least this many times.' })
  @Min(1)
  @Max(1_000_000)
  minRestarts!: number;
}

@Resolver(() => RelayTask)
export class RelayTaskAnomaliesResolver {
  constructor(private readonly services: ReadModelServices) {}

  @Query(() => RelayTaskConnection, {
    description:
      'Relay tasks on VOD sources whose first VodSourceFileStart came more than thresholdMs after a TaskStart, or never came; most recently active first.',
  })
  slowRelayStarts(@Args() { thresholdMs, domain, first, after }: SlowRelayStartsArgs): InstanceType<typeof RelayTaskConnection> {
    const filter = domain == null ? {} : { domain };
    const page = withCursor(() => this.services.relayTasks.slowStarts(filter, thresholdMs, Date.now(), first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return RelayTaskConnection.from(page, RelayTask.fromRow);
  }

  @FieldResolver(() => Float, {
    nullable: true,
    description: 'On VOD sources: the longest wait of a run from its TaskStart to its first VodSourceFileStart (ms); null when none was measured.',
  })
  fileStartDelayMs(@Root() task: RelayTask): number | null {
    return this.services.relayTasks.timingOf(task.taskId)?.fileStartDelayMs ?? null;
  }

  @FieldResolver(() => Boolean, { description: 'On VOD sources: whether a run ended without playing any file.' })
  fileStartMissed(@Root() task: RelayTask): boolean {
    return this.services.relayTasks.timingOf(task.taskId)?.fileStartMissed === 1;
  }

  @Query(() => RelayTaskConnection, { description: 'Relay tasks that restarted at least minRestarts times; most recently active first.' })
  restartingRelayTasks(@Args() { minRestarts, domain, first, after }: RestartingRelayTasksArgs): InstanceType<typeof RelayTaskConnection> {
    const filter = domain == null ? {} : { domain };
    const page = withCursor(() => this.services.relayTasks.restarting(filter, minRestarts, first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return RelayTaskConnection.from(page, RelayTask.fromRow);
  }
}

// RelayTaskFilter: which relay tasks to list or follow; the same test in SQL and for live updates.
import { ArrayMaxSize, IsInt, IsOptional, IsString, MaxLength } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import type { RelayTaskRow } from './relayTasks.table';
import type { RelayTaskListFilter } from './relayTasks.queries';
import { RelayTaskStatus } from './relayTask.type';

@InputType()
export class RelayTaskFilter {
  @Field(() => Int, { nullable: true, description: "The exit code of the task's latest run." })
  @IsOptional()
  @IsInt()
  exitCode?: number | null;

  @Field(() => [Int], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  exitCodes?: number[] | null;

  @Field(() => RelayTaskStatus, { nullable: true })
  status?: RelayTaskStatus | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  streamId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Tasks whose latest run started at or after this instant.' })
  startedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Tasks whose latest run started before this instant.' })
  startedTo?: Date | null;
}

export function relayTaskListFilter(filter: RelayTaskFilter | null | undefined): RelayTaskListFilter {
  if (filter == null) return {};
  return {
    ...(filter.exitCode == null ? {} : { exitCode: filter.exitCode }),
    ...(filter.exitCodes == null ? {} : { exitCodes: filter.exitCodes }),
    ...(filter.status == null ? {} : { status: filter.status }),
    ...(filter.streamId == null ? {} : { streamId: filter.streamId }),
    ...(filter.startedFrom == null ? {} : { startedFrom: filter.startedFrom.getTime() }),
    ...(filter.startedTo == null ? {} : { startedTo: filter.startedTo.getTime() }),
  };
}

export function matchesRelayTaskFilter(row: RelayTaskRow, filter: RelayTaskListFilter): boolean {
  return (
    (filter.exitCode === undefined || row.exitCode === filter.exitCode) &&
    (filter.exitCodes === undefined || (row.exitCode !== null && filter.exitCodes.includes(row.exitCode))) &&
    (filter.status === undefined || row.status === filter.status) &&
    (filter.streamId === undefined || row.streamId === filter.streamId) &&
    (filter.startedFrom === undefined || (row.startedAt !== null && row.startedAt >= filter.startedFrom)) &&
    (filter.startedTo === undefined || (row.startedAt !== null && row.startedAt < filter.startedTo))
  );
}

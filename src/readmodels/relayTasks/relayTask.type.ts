// RelayTask: one relay ("pull-push") task with its runs, VOD files and alarms.
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { RelayAlarmRow, RelayFileRow, RelayRunRow } from './relayTask.reducer';
import type { RelayTaskRow } from './relayTasks.table';
import { dateOrNull } from '../../graphql/dates';

export enum RelayTaskStatus {
  RUNNING = 'RUNNING',
  EXITED = 'EXITED',
}
registerEnumType(RelayTaskStatus, { name: 'RelayTaskStatus', description: "The status of the task's latest run." });

@ObjectType({ simpleResolvers: true, description: 'A file of a VOD source, as the task played it.' })
export class RelayVodFile {
  @Field(() => Int, { description: 'Its index in the source list (-1 when CSS gave none).' })
  index!: number;

  @Field()
  url!: string;

  @Field(() => Int, { nullable: true })
  durationSeconds!: number | null;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => Int, { description: 'Which run played it (0 is the first).' })
  run!: number;

  static fromRow(row: RelayFileRow): RelayVodFile {
    return Object.assign(new RelayVodFile(), {
      index: row.index ?? -1,
      url: row.url ?? '',
      durationSeconds: row.durationSeconds,
      startedAt: dateOrNull(row.startedAt),
      finishedAt: dateOrNull(row.finishedAt),
      run: row.run,
    });
  }
}

@ObjectType({ simpleResolvers: true, description: 'One run of a task: a start and the exit that ended it (CSS restarts tasks that retry or migrate).' })
export class RelayTaskRun {
  @Field(() => Date, { nullable: true, description: 'Null when the TaskStart of this run was never received.' })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  exitedAt!: Date | null;

  @Field(() => Int, { nullable: true })
  exitCode!: number | null;

  @Field(() => String, { nullable: true })
  exitMessage!: string | null;

  static fromRow(row: RelayRunRow): RelayTaskRun {
    return Object.assign(new RelayTaskRun(), { ...row, startedAt: dateOrNull(row.startedAt), exitedAt: dateOrNull(row.exitedAt) });
  }
}

@ObjectType({ simpleResolvers: true, description: 'A TaskAlarm the task raised.' })
export class RelayTaskAlarm {
  @Field(() => String, { nullable: true, description: 'PullFileUnstable, PushStreamUnstable, PullFileFailed, PushStreamFailed, FileEndEarly, ...' })
  type!: string | null;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field()
  at!: Date;

  @Field(() => Int)
  run!: number;

  static fromRow(row: RelayAlarmRow): RelayTaskAlarm {
    return Object.assign(new RelayTaskAlarm(), { ...row, at: new Date(row.at) });
  }
}

@ObjectType({ simpleResolvers: true, description: 'A relay task; its status and exit are those of its latest run.' })
export class RelayTask {
  @Field(() => ID)
  taskId!: string;

  @Field(() => ID, { nullable: true })
  appId!: string | null;

  @Field(() => String, { nullable: true })
  streamId!: string | null;

  @Field(() => [String])
  sourceUrls!: string[];

  @Field(() => String, { nullable: true })
  toUrl!: string | null;

  @Field(() => RelayTaskStatus)
  status!: RelayTaskStatus;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  exitedAt!: Date | null;

  @Field(() => Int, { nullable: true })
  exitCode!: number | null;

  @Field(() => String, { nullable: true })
  exitMessage!: string | null;

  @Field(() => Int, { description: 'How many times the task started again after an exit.' })
  restartCount!: number;

  @Field(() => [RelayTaskRun])
  runs!: RelayTaskRun[];

  @Field(() => [RelayVodFile])
  files!: RelayVodFile[];

  @Field(() => [RelayTaskAlarm])
  alarms!: RelayTaskAlarm[];

  static fromRow(row: RelayTaskRow): RelayTask {
    return Object.assign(new RelayTask(), {
      taskId: row.taskId,
      appId: row.appId,
      streamId: row.streamId,
      sourceUrls: row.sourceUrls,
      toUrl: row.toUrl,
      status: row.status as RelayTaskStatus,
      startedAt: dateOrNull(row.startedAt),
      exitedAt: dateOrNull(row.exitedAt),
      exitCode: row.exitCode,
      exitMessage: row.exitMessage,
      restartCount: row.restartCount,
      runs: row.runs.map(RelayTaskRun.fromRow),
      files: row.files.map(RelayVodFile.fromRow),
      alarms: row.alarms.map(RelayTaskAlarm.fromRow),
    });
  }
}

// RecordingActivity: a recording task's status change (event_type 332) or exception (341) during a push session.
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { dateOrNull } from '../../graphql/dates';
import type { RecordingActivityRow } from './recordings.table';

export enum RecordingActivityKind {
  STATUS = 'STATUS',
  EXCEPTION = 'EXCEPTION',
}
registerEnumType(RecordingActivityKind, { name: 'RecordingActivityKind', description: 'STATUS: a recording status change (332); EXCEPTION: a recording exception (341).' });

@ObjectType({ simpleResolvers: true, description: 'What happened to a recording of a session: it started, paused, failed, ended, or reported an exception.' })
export class RecordingActivity {
  @Field(() => RecordingActivityKind)
  kind!: RecordingActivityKind;

  @Field(() => Date, { nullable: true })
  at!: Date | null;

  @Field({ description: "The recording task (CSS's session_id)." })
  recordingSessionId!: string;

  @Field(() => String, { nullable: true, description: 'STATUS: record_start_succeeded, record_start_failed, record_paused, record_resumed, record_error, record_ended.' })
  status!: string | null;

  @Field(() => String, { nullable: true, description: 'EXCEPTION: info, warning or error.' })
  level!: string | null;

  @Field(() => Int, { nullable: true })
  exceptionType!: number | null;

  @Field(() => Int, { nullable: true, description: "EXCEPTION: how often it occurred within CSS's counting period." })
  occurrences!: number | null;

  @Field(() => String, { nullable: true, description: "EXCEPTION: CSS's description, else the meaning of its type." })
  description!: string | null;

  static fromRow(row: RecordingActivityRow): RecordingActivity {
    return Object.assign(new RecordingActivity(), {
      kind: row.kind as RecordingActivityKind,
      at: dateOrNull(row.at),
      recordingSessionId: row.recordingSessionId,
      status: row.status,
      level: row.level,
      exceptionType: row.exceptionType,
      occurrences: row.occurrences,
      description: row.description,
    });
  }
}

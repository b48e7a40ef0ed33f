// StreamSession: one push activity (one `sequence`), as the sessions read model holds it.
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { SessionRow } from './sessions.table';
import { dateOrNull } from '../../graphql/dates';

export enum SessionStatus {
  LIVE = 'LIVE',
  ENDED = 'ENDED',
}
registerEnumType(SessionStatus, { name: 'SessionStatus', description: 'LIVE until the interruption arrives, then ENDED.' });


@ObjectType({ simpleResolvers: true, description: 'One push activity: the push and the interruption that share a sequence.' })
export class StreamSession {
  @Field(() => ID)
  sequence!: string;

  @Field(() => ID, { nullable: true })
  appId!: string | null;

  @Field(() => String, { nullable: true, description: '`app` in the callback: the push domain.' })
  domain!: string | null;

  @Field(() => String, { nullable: true, description: '`appname` in the callback: the push path.' })
  appName!: string | null;

  @Field()
  streamId!: string;

  @Field(() => String, { nullable: true })
  channelId!: string | null;

  @Field(() => SessionStatus)
  status!: SessionStatus;

  @Field(() => Date, { nullable: true, description: "CSS's event_time of the push, or when it was received if CSS gave none." })
  pushedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  interruptedAt!: Date | null;

  @Field(() => Float, { nullable: true })
  pushDurationMs!: number | null;

  @Field(() => Int, { nullable: true, description: 'Interruption error code.' })
  errcode!: number | null;

  @Field(() => Int, { nullable: true })
  subErrcode!: number | null;

  @Field(() => String, { nullable: true })
  errmsg!: string | null;

  @Field(() => String, { nullable: true, description: "Why the stream was interrupted, from CSS's table of interruption causes." })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: 'The kind of cause: CLIENT_STOPPED, CLIENT_NETWORK, CSS_INTERNAL, ...' })
  reasonCategory!: string | null;

  @Field(() => String, { nullable: true })
  node!: string | null;

  @Field(() => String, { nullable: true })
  userIp!: string | null;

  @Field(() => String, { nullable: true })
  streamParam!: string | null;

  @Field(() => Int, { nullable: true })
  setId!: number | null;

  @Field(() => Int, { nullable: true })
  width!: number | null;

  @Field(() => Int, { nullable: true })
  height!: number | null;

  static fromRow(row: SessionRow): StreamSession {
    return Object.assign(new StreamSession(), {
      ...row,
      streamId: row.streamId ?? '',
      status: row.status as SessionStatus,
      pushedAt: dateOrNull(row.pushedAt),
      interruptedAt: dateOrNull(row.interruptedAt),
    });
  }
}

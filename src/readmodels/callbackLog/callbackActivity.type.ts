// CallbackActivity: pushes and interruptions received per minute, for charts of the last hour or day.
import { Field, Int, ObjectType } from 'type-graphql';
import type { ActivityMinuteRow, CallbackActivity as CallbackActivityRow } from './callbackActivity.queries';

@ObjectType({ simpleResolvers: true, description: 'Push and interruption callbacks received in one minute.' })
export class ActivityMinute {
  @Field({ description: 'The start of the minute (UTC).' })
  minute!: Date;

  @Field(() => Int, { description: 'Push callbacks (event_type 1) received in that minute.' })
  pushes!: number;

  @Field(() => Int, { description: 'Interruption callbacks (event_type 0) received in that minute.' })
  interruptions!: number;

  static fromRow(row: ActivityMinuteRow): ActivityMinute {
    return Object.assign(new ActivityMinute(), { minute: new Date(row.minuteStart), pushes: row.pushes, interruptions: row.interruptions });
  }
}

@ObjectType({ simpleResolvers: true, description: 'Callbacks per minute of receipt, each stored callback counted once (retries are not counted again).' })
export class CallbackActivity {
  @Field(() => [ActivityMinute], { description: 'Every minute of the window, oldest first, zeros included; the last is the current minute.' })
  minutes!: ActivityMinute[];

  @Field({
    description:
      'The last log position the counts include, as a decimal string: a live client adds callbackReceived messages whose position is greater.',
  })
  throughPosition!: string;

  static fromRow(row: CallbackActivityRow): CallbackActivity {
    return Object.assign(new CallbackActivity(), { minutes: row.minutes.map(ActivityMinute.fromRow), throughPosition: String(row.throughPosition) });
  }
}

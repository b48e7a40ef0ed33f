// QuarantinedCallback: an authentic callback whose signature had expired, kept outside the callback log until promoted.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { QuarantineEntry } from './quarantine.table';
import { dateOrNull } from '../../graphql/dates';

@ObjectType({
  simpleResolvers: true,
  description: 'An authentic callback whose signature had expired: kept outside the callback log, sessions and relay tasks until promoted.',
})
export class QuarantinedCallback {
  @Field(() => ID, { description: 'The id of the event it becomes when promoted: what `promote` takes.' })
  id!: string;

  @Field()
  receivedAt!: Date;

  @Field({ description: 'Why it was quarantined: `expired` (its t had passed).' })
  reason!: string;

  @Field(() => Int, { description: 'How far in the past its t was when it arrived, in seconds.' })
  lateSeconds!: number;

  @Field({ description: 'The callback body exactly as received.' })
  raw!: string;

  @Field({ description: 'The event type it becomes when promoted, e.g. StreamPushed.' })
  type!: string;

  @Field({ description: 'The stream it goes to when promoted, e.g. session-6674468118806626493.' })
  stream!: string;

  @Field()
  promoted!: boolean;

  @Field(() => Date, { nullable: true })
  promotedAt!: Date | null;

  static fromEntry(entry: QuarantineEntry): QuarantinedCallback {
    return Object.assign(new QuarantinedCallback(), {
      id: entry.eventId,
      receivedAt: new Date(entry.receivedAt),
      reason: entry.reason,
      lateSeconds: entry.lateSeconds,
      raw: entry.raw,
      type: entry.type,
      stream: entry.stream,
      promoted: entry.promotedAt !== null,
      promotedAt: dateOrNull(entry.promotedAt),
    });
  }
}

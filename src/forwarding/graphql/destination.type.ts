// Destination: one place callbacks are forwarded to, with its health (status, lag, last error, dead letters, breaker).
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { DestinationView } from '../forwardingControl';
import { ownDate } from './ownDate';

export enum DestinationStatusValue {
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
  BREAKER_OPEN = 'BREAKER_OPEN',
  FAILED = 'FAILED',
}
registerEnumType(DestinationStatusValue, {
  name: 'DestinationStatus',
  description: 'ACTIVE: delivering; PAUSED by an operator; BREAKER_OPEN: failing everything, probed now and then; FAILED: stopped on an error of its own (restart).',
});

export enum BreakerStateValue {
  CLOSED = 'CLOSED',
  OPEN = 'OPEN',
  HALF_OPEN = 'HALF_OPEN',
}
registerEnumType(BreakerStateValue, { name: 'BreakerState', description: 'The circuit breaker: CLOSED lets deliveries through, OPEN holds them, HALF_OPEN lets one probe through.' });

const STATUS: Record<DestinationView['state'], DestinationStatusValue> = {
  active: DestinationStatusValue.ACTIVE,
  paused: DestinationStatusValue.PAUSED,
  'breaker-open': DestinationStatusValue.BREAKER_OPEN,
  failed: DestinationStatusValue.FAILED,
};
const BREAKER: Record<NonNullable<DestinationView['breaker']>, BreakerStateValue> = {
  closed: BreakerStateValue.CLOSED,
  open: BreakerStateValue.OPEN,
  'half-open': BreakerStateValue.HALF_OPEN,
};

/** Said of each field a shared group cannot know. */
const NULL_WHEN_SHARED = 'Null on shared delivery (EventStoreDB persistent subscription groups), which cannot know it.';

@ObjectType({
  simpleResolvers: true,
  description:
    'A destination of FORWARD_CONFIG and how its deliveries go. On shared delivery (EventStoreDB, FORWARD_EVENTSTOREDB_MODE=shared) counts and times are those of the instance that answers, ' +
    'dead letters are the group’s parked messages, and what only a checkpoint of its own would know is null.',
})
export class Destination {
  @Field()
  name!: string;

  @Field({ description: 'Where deliveries are sent, with the values of its query and the path segments that read like keys shown as … (they often hold a secret).' })
  url!: string;

  @Field({ description: 'raw or standard-webhooks.' })
  format!: string;

  @Field(() => DestinationStatusValue)
  status!: DestinationStatusValue;

  @Field()
  paused!: boolean;

  @Field(() => BreakerStateValue, { nullable: true, description: `${NULL_WHEN_SHARED} (no circuit breaker there)` })
  breaker!: BreakerStateValue | null;

  @Field(() => Int, { nullable: true, description: `Events of the log after deliveredThrough. ${NULL_WHEN_SHARED}` })
  lagEvents!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `Age in seconds of the oldest pending delivery, from when its callback was received; 0 when none is pending. ${NULL_WHEN_SHARED}`,
  })
  lagSeconds!: number | null;

  @Field(() => String, {
    nullable: true,
    description: `Every event of the log up to this position (a decimal string) is delivered, dead-lettered or filtered out. ${NULL_WHEN_SHARED}`,
  })
  deliveredThrough!: string | null;

  @Field(() => String, { nullable: true, description: 'Position (a decimal string) of the last event delivered (on shared delivery: by this instance).' })
  lastDeliveredPosition!: string | null;

  @Field(() => Date, { nullable: true })
  lastDeliveredAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The last failed attempt or failure of the destination (on shared delivery: seen by this instance).' })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  lastErrorAt!: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: "Deliveries given up (kept for redeliverDeadLetters); on shared delivery the group's parked messages, null when EventStoreDB cannot be asked.",
  })
  deadLetterCount!: number | null;

  @Field(() => Int, { description: 'Deliveries waiting or in flight (on shared delivery: handed to this instance and not settled yet).' })
  pendingCount!: number;

  @Field(() => Int)
  inFlightCount!: number;

  @Field(() => String, { nullable: true, description: 'The EventStoreDB persistent subscription group whose deliveries the instances share; null when this process follows the log itself.' })
  group!: string | null;

  @Field(() => Int, { nullable: true, description: 'Deliveries this instance finished with a 2xx since it started, on shared delivery; null otherwise (the delivery log holds them).' })
  deliveredCount!: number | null;

  static fromView(view: DestinationView): Destination {
    return Object.assign(new Destination(), {
      name: view.name,
      url: view.url,
      format: view.format,
      status: STATUS[view.state],
      paused: view.paused,
      breaker: view.breaker === null ? null : BREAKER[view.breaker],
      lagEvents: view.lagEvents,
      lagSeconds: view.lagSeconds,
      deliveredThrough: view.deliveredThrough === null ? null : String(view.deliveredThrough),
      lastDeliveredPosition: view.lastDeliveredPosition === null ? null : String(view.lastDeliveredPosition),
      lastDeliveredAt: ownDate(view.lastDeliveredAt),
      lastError: view.lastError?.message ?? null,
      lastErrorAt: ownDate(view.lastError?.at ?? null),
      deadLetterCount: view.deadLetterCount,
      pendingCount: view.pendingCount,
      inFlightCount: view.inFlightCount,
      group: view.group,
      deliveredCount: view.deliveredCount,
    });
  }
}

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
const BREAKER: Record<DestinationView['breaker'], BreakerStateValue> = {
  closed: BreakerStateValue.CLOSED,
  open: BreakerStateValue.OPEN,
  'half-open': BreakerStateValue.HALF_OPEN,
};

@ObjectType({ simpleResolvers: true, description: 'A destination of FORWARD_CONFIG and how its deliveries go.' })
export class Destination {
  @Field()
  name!: string;

  @Field()
  url!: string;

  @Field({ description: 'raw or standard-webhooks.' })
  format!: string;

  @Field(() => DestinationStatusValue)
  status!: DestinationStatusValue;

  @Field()
  paused!: boolean;

  @Field(() => BreakerStateValue)
  breaker!: BreakerStateValue;

  @Field(() => Int, { description: 'Events of the log after deliveredThrough.' })
  lagEvents!: number;

  @Field(() => Float, { description: 'Age in seconds of the oldest pending delivery, from when its callback was received; 0 when none is pending.' })
  lagSeconds!: number;

  @Field({ description: 'Every event of the log up to this position (a decimal string) is delivered, dead-lettered or filtered out.' })
  deliveredThrough!: string;

  @Field(() => String, { nullable: true, description: 'Position (a decimal string) of the last event delivered.' })
  lastDeliveredPosition!: string | null;

  @Field(() => Date, { nullable: true })
  lastDeliveredAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The last failed attempt or failure of the destination.' })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  lastErrorAt!: Date | null;

  @Field(() => Int, { description: 'Deliveries given up (kept for redeliverDeadLetters).' })
  deadLetterCount!: number;

  @Field(() => Int, { description: 'Deliveries waiting or in flight.' })
  pendingCount!: number;

  @Field(() => Int)
  inFlightCount!: number;

  static fromView(view: DestinationView): Destination {
    return Object.assign(new Destination(), {
      name: view.name,
      url: view.url,
      format: view.format,
      status: STATUS[view.state],
      paused: view.paused,
      breaker: BREAKER[view.breaker],
      lagEvents: view.lagEvents,
      lagSeconds: view.lagSeconds,
      deliveredThrough: String(view.deliveredThrough),
      lastDeliveredPosition: view.lastDeliveredPosition === null ? null : String(view.lastDeliveredPosition),
      lastDeliveredAt: ownDate(view.lastDeliveredAt),
      lastError: view.lastError?.message ?? null,
      lastErrorAt: ownDate(view.lastError?.at ?? null),
      deadLetterCount: view.deadLetterCount,
      pendingCount: view.pendingCount,
      inFlightCount: view.inFlightCount,
    });
  }
}

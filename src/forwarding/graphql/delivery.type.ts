// Delivery: one offer of a logged callback to a destination, with every attempt at it.
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { AttemptLogEntry } from '../deliveryLog';
import type { DeliveryView } from '../forwardingControl';
import { ownDate } from './ownDate';

export enum DeliveryStatusValue {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  DEAD = 'DEAD',
}
registerEnumType(DeliveryStatusValue, { name: 'DeliveryStatus', description: 'PENDING: to be tried (again); DELIVERED: answered 2xx; DEAD: given up (a dead letter).' });

export enum DeliveryOriginValue {
  LOG = 'LOG',
  REPLAY = 'REPLAY',
}
registerEnumType(DeliveryOriginValue, { name: 'DeliveryOrigin', description: 'LOG: offered as the log was followed; REPLAY: offered again by replayToDestination.' });

@ObjectType({ simpleResolvers: true, description: 'One HTTP attempt at a delivery.' })
export class DeliveryAttempt {
  @Field(() => Int, { description: 'Which attempt of the delivery, from 1.' })
  attempt!: number;

  @Field({ description: 'When it was sent.' })
  at!: Date;

  @Field(() => Int, { nullable: true, description: 'The answer; null when none came (timeout, refused, reset).' })
  httpStatus!: number | null;

  @Field(() => Float)
  durationMs!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;

  static fromEntry(entry: AttemptLogEntry): DeliveryAttempt {
    return Object.assign(new DeliveryAttempt(), { ...entry, at: ownDate(entry.at) });
  }
}

@ObjectType({ simpleResolvers: true, description: 'A callback offered to a destination; a replay or a redelivery is a new offer of the same event id.' })
export class Delivery {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The event id, sent as webhook-id: receivers drop repeats by it.' })
  eventId!: string;

  @Field()
  eventType!: string;

  @Field()
  stream!: string;

  @Field({ description: 'Position in the global log, as a decimal string.' })
  position!: string;

  @Field()
  receivedAt!: Date;

  @Field()
  offeredAt!: Date;

  @Field(() => DeliveryOriginValue)
  origin!: DeliveryOriginValue;

  @Field(() => DeliveryStatusValue)
  status!: DeliveryStatusValue;

  @Field(() => Int)
  attemptCount!: number;

  @Field(() => [DeliveryAttempt], { description: 'Oldest first.' })
  attempts!: DeliveryAttempt[];

  @Field(() => Date, { nullable: true, description: 'When a pending delivery is tried next.' })
  nextAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true })
  lastStatus!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;

  static fromView(view: DeliveryView): Delivery {
    return Object.assign(new Delivery(), {
      id: String(view.id),
      eventId: view.eventId,
      eventType: view.eventType,
      stream: view.stream,
      position: String(view.position),
      receivedAt: ownDate(view.receivedAt),
      offeredAt: ownDate(view.offeredAt),
      origin: view.origin === 'log' ? DeliveryOriginValue.LOG : DeliveryOriginValue.REPLAY,
      status: view.status.toUpperCase() as DeliveryStatusValue,
      attemptCount: view.attempts,
      attempts: view.attemptLog.map(DeliveryAttempt.fromEntry),
      nextAttemptAt: ownDate(view.nextAttemptAt),
      lastStatus: view.lastStatus,
      lastError: view.lastError,
      finishedAt: ownDate(view.finishedAt),
    });
  }
}

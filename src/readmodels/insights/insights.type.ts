// The GraphQL types of the insights: groupings, interruption sides, statistics buckets, and the interruption filter.
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum InterruptionGroup {
  ERRCODE = 'ERRCODE',
  DOMAIN = 'DOMAIN',
  NODE = 'NODE',
  HOUR = 'HOUR',
  DAY = 'DAY',
}
registerEnumType(InterruptionGroup, {
  name: 'InterruptionGroup',
  description: 'ERRCODE keys are `errcode:sub_errcode` (sub 0 when CSS sent none); HOUR and DAY keys the UTC instant or date they begin.',
});

export enum InterruptionCause {
  CUSTOMER = 'CUSTOMER',
  PLATFORM = 'PLATFORM',
  NETWORK = 'NETWORK',
  STOPPED = 'STOPPED',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(InterruptionCause, {
  name: 'InterruptionCause',
  description:
    "Whose side an interruption's cause is on: the customer's (push URL, authentication, IP lists, account, limits, their API calls), CSS's platform, or the network; STOPPED when the pusher ended its own stream (an ordinary end); UNKNOWN when CSS gives no reason.",
});

/** What a percentile answer is: the statistics merge 1 %-wide buckets of durations, from the rollups and the range's edges. */
const WITHIN_BOUND =
  ', within 1 % of the value measured (the rollups of whole UTC five minutes, hours and days keep durations in 1 %-wide buckets): ' +
  'the mean of the durations sharing its bucket, so the measured value itself when they are all equal';

@ObjectType({ simpleResolvers: true, description: 'Interruptions sharing a key: how many, and how long their pushes had lasted.' })
export class InterruptionBucket {
  @Field()
  key!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => Float, { nullable: true, description: `Median push duration (nearest rank)${WITHIN_BOUND}; null when none was given.` })
  pushDurationP50Ms!: number | null;

  @Field(() => Float, { nullable: true, description: `90th percentile of push duration (nearest rank)${WITHIN_BOUND}; null when none was given.` })
  pushDurationP90Ms!: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'Relay task exits with one exit code.' })
export class RelayExitBucket {
  @Field(() => Int, { nullable: true, description: 'Null when CSS gave none.' })
  exitCode!: number | null;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ simpleResolvers: true, description: 'Sessions begun on one UTC day.' })
export class SessionDay {
  @Field({ description: 'YYYY-MM-DD (UTC).' })
  day!: string;

  @Field(() => Int)
  count!: number;
}

@InputType()
export class InterruptionFilter {
  @Field(() => InterruptionCause, { nullable: true })
  cause?: InterruptionCause | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  domain?: string | null;

  @Field(() => Date, { nullable: true, description: 'Interrupted at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Interrupted before this instant.' })
  to?: Date | null;
}

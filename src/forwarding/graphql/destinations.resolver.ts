// Destinations and their delivery log, and the operations on them (behind the admin token).
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { GraphQLError } from 'graphql';
import { Arg, Args, ArgsType, Ctx, Field, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { requireAdmin, type AdminContext } from '../../graphql/adminAccess';
import { Connection, PageArgs } from '../../graphql/connection';
import { badUserInput } from '../../graphql/errors';
import { DEFAULT_PAGE_SIZE, type Page } from '../../processing/pagination';
import type { DeliveryStatus } from '../deliveryStore';
import type { DeliveryView, ForwardingControl } from '../forwardingControl';
import type { ReplayRange } from '../logReader';
import { Delivery, DeliveryStatusValue } from './delivery.type';
import { Destination } from './destination.type';

export const DeliveryConnection = Connection(Delivery, 'Delivery');

/** What forwarding's resolvers are handed. */
export interface ForwardingServices {
  forwarding: ForwardingControl;
}

@ArgsType()
class DeliveriesArgs extends PageArgs {
  @Field({ description: 'The destination by name.' })
  @IsString()
  @MaxLength(64)
  destination!: string;

  @Field(() => DeliveryStatusValue, { nullable: true })
  @IsOptional()
  status?: DeliveryStatusValue | null;

  @Field(() => String, { nullable: true, description: 'Only this stream (session-..., relaytask-...).' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  stream?: string | null;

  @Field(() => String, { nullable: true, description: 'Only the deliveries of this event id.' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  eventId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Offered at or after this time.' })
  @IsOptional()
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Offered before this time.' })
  @IsOptional()
  before?: Date | null;
}

@ObjectType({ simpleResolvers: true })
class ReplayResult {
  @Field()
  destination!: string;

  @Field(() => Int, { description: 'Callbacks of the range that passed the filter, offered again as new deliveries.' })
  offered!: number;
}

@ObjectType({ simpleResolvers: true })
class RedeliveryResult {
  @Field()
  destination!: string;

  @Field(() => Int, { description: 'Dead letters put back to pending, with fresh attempts.' })
  redelivered!: number;
}

/** The operation's errors from forwarding as the client's mistakes they are (they may come from another thread, so by name). */
async function answering<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const message = error instanceof Error ? error.message : String(error);
    if (name === 'UnknownDestinationError') throw badUserInput('destination', message);
    if (name === 'InvalidCursorError') throw badUserInput('after', message);
    if (name === 'InvalidReplayRangeError') throw badUserInput('range', message);
    if (name === 'UnsupportedForwardingOperationError') throw new GraphQLError(message, { extensions: { code: 'UNSUPPORTED_OPERATION' } });
    throw error;
  }
}

/** A decimal position argument. */
function position(name: string, value: string): bigint {
  if (!/^\d{1,20}$/.test(value)) throw badUserInput(name, 'must be a decimal log position');
  return BigInt(value);
}

function replayRange(args: { fromPosition?: string | null; toPosition?: string | null; from?: Date | null; to?: Date | null }): ReplayRange {
  const byPosition = args.fromPosition != null || args.toPosition != null;
  const byTime = args.from != null || args.to != null;
  if (!byPosition && !byTime) throw badUserInput('range', 'give the range to replay: fromPosition and toPosition, or from and to');
  if (byPosition && byTime) throw badUserInput('range', 'give fromPosition and toPosition, or from and to, not both kinds');
  if (byPosition) {
    if (args.fromPosition == null || args.toPosition == null) throw badUserInput('range', 'give both fromPosition and toPosition');
    return { fromPosition: position('fromPosition', args.fromPosition), toPosition: position('toPosition', args.toPosition) };
  }
  if (args.from == null || args.to == null) throw badUserInput('range', 'give both from and to');
  return { from: args.from, to: args.to };
}

@Resolver()
export class DestinationsResolver {
  constructor(private readonly services: ForwardingServices) {}

  @Query(() => [Destination], { description: 'The destinations of FORWARD_CONFIG and their health; empty when forwarding is off.' })
  async destinations(): Promise<Destination[]> {
    return (await this.services.forwarding.destinations()).map(Destination.fromView);
  }

  @Query(() => DeliveryConnection, { description: "A destination's delivery log, newest first, with every attempt." })
  async deliveries(@Args() { destination, status, stream, eventId, from, before, first, after }: DeliveriesArgs): Promise<InstanceType<typeof DeliveryConnection>> {
    const filter = {
      ...(status == null ? {} : { status: status.toLowerCase() as DeliveryStatus }),
      ...(stream == null ? {} : { stream }),
      ...(eventId == null ? {} : { eventId }),
      ...(from == null ? {} : { from }),
      ...(before == null ? {} : { before }),
    };
    const view = await answering(() => this.services.forwarding.deliveries(destination, filter, first ?? DEFAULT_PAGE_SIZE, after ?? null));
    const page: Page<DeliveryView> = {
      edges: view.deliveries.map((row) => ({ cursor: row.cursor, row })),
      hasNextPage: view.hasNextPage,
      hasPreviousPage: () => view.hasPreviousPage,
      startCursor: view.startCursor,
      endCursor: view.endCursor,
      totalCount: () => view.totalCount,
    };
    return DeliveryConnection.from(page, Delivery.fromView);
  }

  @Mutation(() => Destination, { description: 'Holds deliveries to the destination (the log is still taken in); requires X-Admin-Token.' })
  async pauseDestination(@Arg('destination') destination: string, @Ctx() context: AdminContext): Promise<Destination> {
    requireAdmin(context);
    return Destination.fromView(await answering(() => this.services.forwarding.pause(destination)));
  }

  @Mutation(() => Destination, { description: 'Delivers again after pauseDestination; requires X-Admin-Token.' })
  async resumeDestination(@Arg('destination') destination: string, @Ctx() context: AdminContext): Promise<Destination> {
    requireAdmin(context);
    return Destination.fromView(await answering(() => this.services.forwarding.resume(destination)));
  }

  @Mutation(() => ReplayResult, {
    description:
      'Offers a range of the log to one destination again (positions inclusive, or stored from `from` up to before `to`), filtered as usual, ' +
      'with the same webhook-id; answers once the range is offered. Requires X-Admin-Token.',
  })
  async replayToDestination(
    @Arg('destination') destination: string,
    @Ctx() context: AdminContext,
    @Arg('fromPosition', () => String, { nullable: true }) fromPosition?: string | null,
    @Arg('toPosition', () => String, { nullable: true }) toPosition?: string | null,
    @Arg('from', () => Date, { nullable: true }) from?: Date | null,
    @Arg('to', () => Date, { nullable: true }) to?: Date | null,
  ): Promise<ReplayResult> {
    requireAdmin(context);
    const range = replayRange({ fromPosition, toPosition, from, to });
    const { offered } = await answering(() => this.services.forwarding.replay(destination, range));
    return Object.assign(new ReplayResult(), { destination, offered });
  }

  @Mutation(() => RedeliveryResult, { description: "Puts the destination's dead letters back to pending with fresh attempts (on shared delivery: replays the group's parked messages); requires X-Admin-Token." })
  async redeliverDeadLetters(@Arg('destination') destination: string, @Ctx() context: AdminContext): Promise<RedeliveryResult> {
    requireAdmin(context);
    const { redelivered } = await answering(() => this.services.forwarding.redeliverDeadLetters(destination));
    return Object.assign(new RedeliveryResult(), { destination, redelivered });
  }
}

// Flapping streams: stream names interrupted again and again within a few minutes, as a listing of streams.
import { IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Args, ArgsType, Ctx, Field, Int, Query, Resolver } from 'type-graphql';
import { PageArgs } from '../../graphql/connection';
import { badUserInput, withCursor } from '../../graphql/errors';
import type { ClientContext } from '../../graphql/statisticsAdmission';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import type { ReadModelServices } from '../services';
import { Stream, StreamConnection } from '../timeline/stream.type';

const DAY_MS = 86_400_000;

@ArgsType()
class FlappingStreamsArgs extends PageArgs {
  @Field(() => Int, { defaultValue: 3, description: 'At least this many interruptions (2 or more)...' })
  @Min(2)
  @Max(1000)
  minInterruptions!: number;

  @Field(() => Int, { defaultValue: 10, description: '...within this many minutes.' })
  @Min(1)
  @Max(7 * 24 * 60)
  withinMinutes!: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  domain?: string | null;

  @Field(() => Date, { nullable: true, description: 'Interruptions at or after this instant are looked at; default a day before `to`.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Interruptions before this instant are looked at; default now.' })
  to?: Date | null;
}

@Resolver(() => Stream)
export class FlappingStreamsResolver {
  constructor(private readonly services: ReadModelServices) {}

  @Query(() => StreamConnection, {
    description: 'Streams interrupted at least minInterruptions times within withinMinutes, among the interruptions of [from, to); latest burst first.',
  })
  async flappingStreams(
    @Args() { minInterruptions, withinMinutes, domain, from, to, first, after }: FlappingStreamsArgs,
    @Ctx() context: ClientContext | undefined,
  ): Promise<InstanceType<typeof StreamConnection>> {
    const end = to?.getTime() ?? Date.now();
    const start = from?.getTime() ?? end - DAY_MS;
    if (!(start < end)) throw badUserInput('to', 'must be after from');
    const query = { minInterruptions, withinMs: withinMinutes * 60_000, from: start, to: end, domain: domain ?? null };
    const { insights, statistics } = this.services;
    const page = await withCursor(() =>
      statistics.workOut((turns) => insights.flappingStreamsInTurns(query, first ?? DEFAULT_PAGE_SIZE, after ?? null, turns), context?.clientGone),
    );
    return StreamConnection.from(page, (row) => Stream.of(row.streamId, row.domain));
  }
}

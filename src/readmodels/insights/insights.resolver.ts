// Anomaly views and statistics over the insights read model, and each session's interruption cause.
import { IsOptional, IsString, MaxLength, Max, Min, ValidateNested } from 'class-validator';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { interruptionSide } from '../../domain/errcodeCatalogue';
import { PageArgs } from '../../graphql/connection';
import { badUserInput, withCursor } from '../../graphql/errors';
import type { ClientContext } from '../../graphql/statisticsAdmission';
import { DEFAULT_PAGE_SIZE, type Page } from '../../processing/pagination';
import type { ReadModelServices } from '../services';
import { StreamSessionConnection } from '../sessions/session.resolver';
import { StreamSession } from '../sessions/session.type';
import type { SessionRow } from '../sessions/sessions.table';
import type { InsightSession } from './insights.queries';
import { InterruptionBucket, InterruptionCause, InterruptionFilter, InterruptionGroup, RelayExitBucket, SessionDay } from './insights.type';

const MINUTE_MS = 60_000;
/** A week in minutes: longer thresholds say nothing more. */
const MAX_MINUTES = 7 * 24 * 60;

@ArgsType()
class InterruptionsArgs extends PageArgs {
  @Field(() => InterruptionFilter, { nullable: true })
  @ValidateNested()
  filter?: InterruptionFilter | null;
}

@ArgsType()
class StaleLiveSessionsArgs extends PageArgs {
  @Field(() => Int, { defaultValue: 60, description: 'LIVE for at least this many minutes.' })
  @Min(1)
  @Max(MAX_MINUTES)
  liveForMinutes!: number;

  @Field(() => Int, { defaultValue: 10, description: 'No screenshot, push anomaly report or recording status of the stream for this many minutes.' })
  @Min(1)
  @Max(MAX_MINUTES)
  silentForMinutes!: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  domain?: string | null;
}

const sessionRowOf = (row: InsightSession): SessionRow => ({
  ...row,
  ...{ appId: null, appName: null, channelId: null, errmsg: null, reason: null, reasonCategory: null },
  ...{ userIp: null, streamParam: null, setId: null, width: null, height: null },
});

function timeRange(from: Date, to: Date): [number, number] {
  if (!(from.getTime() < to.getTime())) throw badUserInput('to', 'must be after from');
  return [from.getTime(), to.getTime()];
}

@Resolver(() => StreamSession)
export class InsightsResolver {
  constructor(private readonly services: ReadModelServices) {}

  /**
   * Sessions as the sessions read model has them. It is listed before the insights, so it is at least as far along;
   * were a row missing all the same, what the insights know of it is shown.
   */
  private sessionsOf(page: Page<InsightSession>) {
    return StreamSessionConnection.from(page, (row) => StreamSession.fromRow(this.services.sessions.bySequence(row.sequence) ?? sessionRowOf(row)));
  }

  @FieldResolver(() => InterruptionCause, { nullable: true, description: "Whose side the interruption's cause is on; null while LIVE." })
  interruptionCause(@Root() session: StreamSession): InterruptionCause | null {
    return session.interruptedAt === null ? null : (interruptionSide(session.errcode, session.subErrcode) as InterruptionCause);
  }

  @Query(() => StreamSessionConnection, { description: 'Interrupted sessions, latest interruption first, by cause, domain and time.' })
  interruptions(@Args() { filter, first, after }: InterruptionsArgs): InstanceType<typeof StreamSessionConnection> {
    const page = withCursor(() =>
      this.services.insights.interruptions(
        {
          ...(filter?.cause == null ? {} : { side: filter.cause }),
          ...(filter?.domain == null ? {} : { domain: filter.domain }),
          ...(filter?.from == null ? {} : { from: filter.from.getTime() }),
          ...(filter?.to == null ? {} : { to: filter.to.getTime() }),
        },
        first ?? DEFAULT_PAGE_SIZE,
        after ?? null,
      ),
    );
    return this.sessionsOf(page);
  }

  @Query(() => StreamSessionConnection, {
    description: 'Sessions LIVE for a while with no sign of life since (likely a missed interruption), latest push first.',
  })
  staleLiveSessions(@Args() { liveForMinutes, silentForMinutes, domain, first, after }: StaleLiveSessionsArgs): InstanceType<typeof StreamSessionConnection> {
    const now = Date.now();
    const page = withCursor(() =>
      this.services.insights.staleLiveSessions(
        { ...(domain == null ? {} : { domain }), pushedBefore: now - liveForMinutes * MINUTE_MS, silentBefore: now - silentForMinutes * MINUTE_MS },
        first ?? DEFAULT_PAGE_SIZE,
        after ?? null,
      ),
    );
    return this.sessionsOf(page);
  }

  @Query(() => [InterruptionBucket], {
    description: 'Interruptions in [from, to) grouped, with counts and push-duration percentiles: the largest buckets first, by time oldest first.',
  })
  async interruptionStats(
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('groupBy', () => InterruptionGroup) groupBy: InterruptionGroup,
    @Arg('domain', () => String, { nullable: true }) domain: string | null | undefined,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many buckets (the largest, by time the oldest); all when absent.' })
    first: number | null | undefined,
    @Ctx() context: ClientContext | undefined,
  ): Promise<InterruptionBucket[]> {
    const [start, end] = timeRange(from, to);
    if (first != null && first < 1) throw badUserInput('first', 'must be at least 1');
    const { insights, statistics } = this.services;
    return statistics.workOut((turns) => insights.interruptionStatsInTurns(start, end, groupBy, domain ?? null, first ?? undefined, turns), context?.clientGone);
  }

  @Query(() => [RelayExitBucket], { description: 'Relay task exits in [from, to) by exit code, most frequent first.' })
  relayExitStats(@Arg('from', () => Date) from: Date, @Arg('to', () => Date) to: Date): RelayExitBucket[] {
    const [start, end] = timeRange(from, to);
    return this.services.insights.relayExitStats(start, end);
  }

  @Query(() => [SessionDay], { description: 'Sessions begun on each UTC day from the day of `from` to the day of `to`; days without any are left out.' })
  sessionsPerDay(@Arg('from', () => Date) from: Date, @Arg('to', () => Date) to: Date): SessionDay[] {
    if (from.getTime() > to.getTime()) throw badUserInput('to', 'must not be before from');
    return this.services.insights.sessionsPerDay(from.getTime(), to.getTime());
  }
}

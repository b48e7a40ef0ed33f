// Queries and live updates of stream sessions.
import { ValidateNested } from 'class-validator';
import { Arg, Args, ArgsType, Field, FieldResolver, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import { sessionStream } from '../../domain/streamNames';
import { CHECKED_ON_SUBSCRIBE, FilterArgs, filterCheck } from '../../graphql/argumentValidation';
import { Connection, PageArgs } from '../../graphql/connection';
import { withCursor } from '../../graphql/errors';
import { followTopic, topic } from '../../graphql/topics';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import { CallbackEvent } from '../callbackLog/callbackEvent.type';
import type { ReadModelServices } from '../services';
import { sessionAsOf } from './sessionAsOf';
import type { SessionRow } from './sessions.table';
import { StreamSession } from './session.type';
import { matchesSessionFilter, SessionFilter, sessionListFilter } from './sessionFilter.input';

/** A session's row, each time the read model commits a change of it. */
export const SessionUpdated = topic<SessionRow>('SESSION_UPDATED');

export const StreamSessionConnection = Connection(StreamSession, 'StreamSession');

@ArgsType()
class SessionsArgs extends PageArgs {
  @Field(() => SessionFilter, { nullable: true })
  @ValidateNested()
  filter?: SessionFilter | null;
}

const SessionUpdatedArgs = FilterArgs(SessionFilter);

@Resolver(() => StreamSession)
export class SessionResolver {
  constructor(private readonly services: ReadModelServices) {}

  @Query(() => StreamSession, { nullable: true, description: 'A session by its sequence; null when unknown. `asOf` answers as it stood then.' })
  async session(
    @Arg('sequence', () => ID) sequence: string,
    @Arg('asOf', () => Date, { nullable: true }) asOf?: Date | null,
  ): Promise<StreamSession | null> {
    if (asOf == null) {
      const row = this.services.sessions.bySequence(sequence);
      return row === null ? null : StreamSession.fromRow(row);
    }
    const events = await this.services.history.eventsOf(sessionStream(sequence));
    const row = sessionAsOf(sequence, events, asOf.getTime());
    return row === null ? null : StreamSession.fromRow(row);
  }

  @Query(() => StreamSessionConnection, { description: 'Sessions, newest first.' })
  sessions(@Args() { filter, first, after }: SessionsArgs): InstanceType<typeof StreamSessionConnection> {
    const page = withCursor(() => this.services.sessions.list(sessionListFilter(filter), first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return StreamSessionConnection.from(page, StreamSession.fromRow);
  }

  @FieldResolver(() => [CallbackEvent], { description: 'The callbacks of this session, oldest first.' })
  events(@Root() session: StreamSession): CallbackEvent[] {
    return this.services.callbackLog.ofStreams([sessionStream(session.sequence)]).map(CallbackEvent.fromEntry);
  }

  @Subscription(() => StreamSession, {
    subscribe: followTopic(SessionUpdated, (args: { filter?: SessionFilter | null }) => {
      const filter = sessionListFilter(args.filter);
      return (row) => matchesSessionFilter(row, filter);
    }, filterCheck(SessionUpdatedArgs, SessionFilter)),
    description: 'Every change of a session that matches the filter, as the read model commits it.',
  })
  sessionUpdated(@Root() row: SessionRow, @Args(() => SessionUpdatedArgs, CHECKED_ON_SUBSCRIBE) _args: InstanceType<typeof SessionUpdatedArgs>): StreamSession {
    return StreamSession.fromRow(row);
  }
}

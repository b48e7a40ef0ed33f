// Queries and live updates of stream sessions.
import { ValidateNested } from 'class-validator';
import { Arg, Args, ArgsType, Field, FieldResolver, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SessionRow } from '../../projections/session.reducer';
import { sessionAsOf } from '../../projections/timeTravel';
import { sessionStream } from '../../domain/streamNames';
import { CallbackEvent } from '../callback/callbackEvent.type';
import { Connection, PageArgs } from '../connection';
import { withCursor } from '../errors';
import { DEFAULT_PAGE_SIZE } from '../../readmodel/pagination';
import { FilterArgs, filterCheck } from '../argumentValidation';
import type { GraphqlServices } from '../services';
import { followTopic, Topic } from '../topics';
import { StreamSession } from './session.type';
import { matchesSessionFilter, SessionFilter, sessionListFilter } from './sessionFilter.input';

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
  constructor(private readonly services: GraphqlServices) {}

  @Query(() => StreamSession, { nullable: true, description: 'A session by its sequence; null when unknown. `asOf` answers as it stood then.' })
  async session(
    @Arg('sequence', () => ID) sequence: string,
    @Arg('asOf', () => Date, { nullable: true }) asOf?: Date | null,
  ): Promise<StreamSession | null> {
    if (asOf == null) {
      const row = this.services.sessions.bySequence(sequence);
      return row === null ? null : StreamSession.fromRow(row);
    }
    const events = await this.services.store.readStream(sessionStream(sequence));
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
    return this.services.callbacks.ofStreams([sessionStream(session.sequence)]).map(CallbackEvent.fromEntry);
  }

  @Subscription(() => StreamSession, {
    subscribe: followTopic(Topic.SessionUpdated, (args: { filter?: SessionFilter | null }) => {
      const filter = sessionListFilter(args.filter);
      return (row) => matchesSessionFilter(row, filter);
    }, filterCheck(SessionUpdatedArgs, SessionFilter)),
    description: 'Every change of a session that matches the filter, as the read model commits it.',
  })
  sessionUpdated(@Root() row: SessionRow, @Args(() => SessionUpdatedArgs) _args: InstanceType<typeof SessionUpdatedArgs>): StreamSession {
    return StreamSession.fromRow(row);
  }
}

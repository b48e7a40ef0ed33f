// Queries and live announcements of moderation hits, and what a hit links to: its push session and its callback.
import { ValidateNested } from 'class-validator';
import { Args, ArgsType, Field, FieldResolver, Query, Resolver, Root, Subscription } from 'type-graphql';
import { CHECKED_ON_SUBSCRIBE, FilterArgs, filterCheck } from '../../graphql/argumentValidation';
import { Connection, PageArgs } from '../../graphql/connection';
import { withCursor } from '../../graphql/errors';
import { followTopic, topic } from '../../graphql/topics';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import { CallbackEvent } from '../callbackLog/callbackEvent.type';
import { loggedCallback } from '../callbackLog/loggedCallback';
import type { ReadModelServices } from '../services';
import { StreamSession } from '../sessions/session.type';
import type { ModerationHitRow } from './moderation.table';
import { matchesModerationFilter, ModerationFilter, moderationListFilter } from './moderationFilter.input';
import { ModerationHit } from './moderationHit.type';

/** A moderation hit, once, when the read model commits it. */
export const ModerationHitRaised = topic<ModerationHitRow>('MODERATION_HIT_RAISED');

export const ModerationHitConnection = Connection(ModerationHit, 'ModerationHit');

@ArgsType()
class ModerationHitsArgs extends PageArgs {
  @Field(() => ModerationFilter, { nullable: true })
  @ValidateNested()
  filter?: ModerationFilter | null;
}

const ModerationHitRaisedArgs = FilterArgs(ModerationFilter);

@Resolver(() => ModerationHit)
export class ModerationResolver {
  constructor(private readonly services: ReadModelServices) {}

  @Query(() => ModerationHitConnection, { description: 'Moderation hits of every stream, newest first.' })
  moderationHits(@Args() { filter, first, after }: ModerationHitsArgs): InstanceType<typeof ModerationHitConnection> {
    const page = withCursor(() => this.services.moderation.list(moderationListFilter(filter), first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return ModerationHitConnection.from(page, ModerationHit.fromRow);
  }

  @FieldResolver(() => StreamSession, { nullable: true, description: 'The push session it was taken from; null while none matches.' })
  session(@Root() hit: ModerationHit): StreamSession | null {
    const row = hit.sequence === null ? null : this.services.sessions.bySequence(hit.sequence);
    return row === null ? null : StreamSession.fromRow(row);
  }

  @FieldResolver(() => CallbackEvent, { description: 'The callback CSS sent.' })
  event(@Root() hit: ModerationHit): CallbackEvent {
    return loggedCallback(this.services.callbackLog, hit.position);
  }

  @Subscription(() => ModerationHit, {
    subscribe: followTopic(ModerationHitRaised, (args: { filter?: ModerationFilter | null }) => {
      const filter = moderationListFilter(args.filter);
      return (row) => matchesModerationFilter(row, filter);
    }, filterCheck(ModerationHitRaisedArgs, ModerationFilter)),
    description: 'Each moderation hit that matches the filter, once, as the read model commits it.',
  })
  moderationHitRaised(
    @Root() row: ModerationHitRow,
    @Args(() => ModerationHitRaisedArgs, CHECKED_ON_SUBSCRIBE) _args: InstanceType<typeof ModerationHitRaisedArgs>,
  ): ModerationHit {
    return ModerationHit.fromRow(row);
  }
}

@Resolver(() => StreamSession)
export class SessionModerationResolver {
  constructor(private readonly services: ReadModelServices) {}

  @FieldResolver(() => [ModerationHit], { description: 'The moderation hits of this session, oldest first.' })
  moderationHits(@Root() session: StreamSession): ModerationHit[] {
    return this.services.moderation.ofSession(session.sequence).map(ModerationHit.fromRow);
  }
}

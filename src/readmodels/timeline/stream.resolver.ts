// A stream across its sessions: whether it is live, its sessions newest first, and its timeline oldest first.
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Args, ArgsType, Field, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../graphql/connection';
import { withCursor } from '../../graphql/errors';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import { SessionStatus, StreamSession } from '../sessions/session.type';
import { StreamSessionConnection } from '../sessions/session.resolver';
import type { SessionListFilter } from '../sessions/sessions.queries';
import type { ReadModelServices } from '../services';
import { Stream } from './stream.type';
import { TimelineConnection } from './timeline.resolver';
import { TimelineEntry } from './timelineEntry.type';

@ArgsType()
class StreamArgs {
  @Field()
  @IsString()
  @MaxLength(256)
  streamId!: string;

  @Field(() => String, { nullable: true, description: "The push domain; when absent, the domain of the stream's newest session." })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  domain?: string | null;
}

const sessionsOf = (stream: Stream): SessionListFilter => ({ streamId: stream.streamId, ...(stream.domain === null ? {} : { domain: stream.domain }) });

@Resolver(() => Stream)
export class StreamResolver {
  constructor(private readonly services: ReadModelServices) {}

  @Query(() => Stream, { nullable: true, description: 'A stream by its name (and domain); null when no callback ever named it.' })
  stream(@Args() { streamId, domain }: StreamArgs): Stream | null {
    const { sessions, timeline } = this.services;
    if (domain != null) {
      const known = sessions.list({ streamId, domain }, 1, null).edges.length > 0 || timeline.knows(streamId, domain.toLowerCase());
      return known ? Stream.of(streamId, domain) : null;
    }
    const newest = sessions.list({ streamId }, 1, null).edges[0]?.row;
    if (newest !== undefined) return Stream.of(streamId, newest.domain);
    const told = timeline.latestDomainOf(streamId);
    return told === undefined ? null : Stream.of(streamId, told);
  }

  @FieldResolver(() => Boolean, {
    description: 'Whether its newest session is live (a LIVE session with a newer push after it was replaced: its interruption never came).',
  })
  live(@Root() stream: Stream): boolean {
    return this.liveSession(stream) !== null;
  }

  @FieldResolver(() => StreamSession, { nullable: true, description: 'Its newest session, when that one is live; null when it is not live.' })
  currentSession(@Root() stream: Stream): StreamSession | null {
    return this.liveSession(stream);
  }

  @FieldResolver(() => StreamSessionConnection, { description: 'Its sessions, newest first.' })
  sessions(@Root() stream: Stream, @Args() { first, after }: PageArgs): InstanceType<typeof StreamSessionConnection> {
    const page = withCursor(() => this.services.sessions.list(sessionsOf(stream), first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return StreamSessionConnection.from(page, StreamSession.fromRow);
  }

  @FieldResolver(() => TimelineConnection, { description: 'Everything CSS told of it across its sessions, oldest first.' })
  timeline(@Root() stream: Stream, @Args() { first, after }: PageArgs): InstanceType<typeof TimelineConnection> {
    const filter = { streamId: stream.streamId, ...(stream.domain === null ? {} : { domain: stream.domain.toLowerCase() }) };
    const page = withCursor(() => this.services.timeline.list(filter, first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return TimelineConnection.from(page, TimelineEntry.fromRow);
  }

  /**
   * The newest session decides: CSS lets a stream name push once at a time on a domain, and a newer push replaces the one
   * before (interrupting it with errcode 21). A session still LIVE behind a newer one missed that interruption.
   */
  private liveSession(stream: Stream): StreamSession | null {
    const row = this.services.sessions.list(sessionsOf(stream), 1, null).edges[0]?.row;
    return row?.status === SessionStatus.LIVE ? StreamSession.fromRow(row) : null;
  }
}

// A session's timeline, and each entry's callback as stored.
import { Args, FieldResolver, Resolver, Root } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/connection';
import { withCursor } from '../../graphql/errors';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import { CallbackEvent } from '../callbackLog/callbackEvent.type';
import { loggedCallback } from '../callbackLog/loggedCallback';
import { StreamSession } from '../sessions/session.type';
import type { ReadModelServices } from '../services';
import { TimelineEntry } from './timelineEntry.type';

export const TimelineConnection = Connection(TimelineEntry, 'Timeline');

@Resolver(() => TimelineEntry)
export class TimelineEntryResolver {
  constructor(private readonly services: ReadModelServices) {}

  @FieldResolver(() => CallbackEvent, { description: 'The callback it was told by, exactly as received.' })
  event(@Root() entry: TimelineEntry): CallbackEvent {
    return loggedCallback(this.services.callbackLog, entry.position);
  }
}

@Resolver(() => StreamSession)
export class SessionTimelineResolver {
  constructor(private readonly services: ReadModelServices) {}

  @FieldResolver(() => TimelineConnection, { description: 'Everything CSS told of this session, oldest first.' })
  timeline(@Root() session: StreamSession, @Args() { first, after }: PageArgs): InstanceType<typeof TimelineConnection> {
    const page = withCursor(() => this.services.timeline.list({ sequence: session.sequence }, first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return TimelineConnection.from(page, TimelineEntry.fromRow);
  }
}

// The GraphQL side of the timeline: a session's and a stream's story, and the Stream type (no subscription of its own).
import type { ReadModelGraphql } from '../readModel';
import { StreamResolver } from './stream.resolver';
import type { TimelineEntryRow } from './timeline.table';
import { SessionTimelineResolver, TimelineEntryResolver } from './timeline.resolver';

export const timelineGraphql: ReadModelGraphql<TimelineEntryRow> = {
  resolvers: [SessionTimelineResolver, TimelineEntryResolver, StreamResolver],
  // Its lists are pages, priced by `first` like every connection.
  fieldCosts: {},
  publish: () => undefined,
};

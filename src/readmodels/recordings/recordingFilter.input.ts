// RecordingFilter: which recording files to list or follow; the same test in SQL and for live updates.
import { Field, InputType } from 'type-graphql';
import { matchesPlace, placeListFilter, StreamPlaceFilter } from '../streamPlaceFilter.input';
import type { RecordingListFilter } from './recordings.queries';
import type { RecordingFileRow } from './recordings.table';

@InputType()
export class RecordingFilter extends StreamPlaceFilter {
  @Field(() => Date, { nullable: true, description: 'Files that ended at or after this instant.' })
  endedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Files that ended before this instant.' })
  endedTo?: Date | null;
}

export function recordingListFilter(filter: RecordingFilter | null | undefined): RecordingListFilter {
  if (filter == null) return {};
  return {
    ...placeListFilter(filter),
    ...(filter.endedFrom == null ? {} : { endedFrom: filter.endedFrom.getTime() }),
    ...(filter.endedTo == null ? {} : { endedTo: filter.endedTo.getTime() }),
  };
}

/** The listing's filter, for one row: what a subscriber with this filter should be told about. */
export function matchesRecordingFilter(row: RecordingFileRow, filter: RecordingListFilter): boolean {
  return (
    matchesPlace(row, filter) &&
    (filter.endedFrom === undefined || row.listedAt >= filter.endedFrom) &&
    (filter.endedTo === undefined || row.listedAt < filter.endedTo)
  );
}

// ModerationFilter: which moderation hits to list or follow; the same test in SQL and for live updates.
import { Field, InputType } from 'type-graphql';
import { matchesPlace, placeListFilter, StreamPlaceFilter } from '../streamPlaceFilter.input';
import type { ModerationListFilter } from './moderation.queries';
import type { ModerationHitRow } from './moderation.table';
import { ModerationKind, ModerationSuggestion } from './moderationHit.type';

@InputType()
export class ModerationFilter extends StreamPlaceFilter {
  @Field(() => ModerationSuggestion, { nullable: true })
  suggestion?: ModerationSuggestion | null;

  @Field(() => ModerationKind, { nullable: true })
  kind?: ModerationKind | null;

  @Field(() => Date, { nullable: true, description: 'Hits at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Hits before this instant.' })
  to?: Date | null;
}

export function moderationListFilter(filter: ModerationFilter | null | undefined): ModerationListFilter {
  if (filter == null) return {};
  return {
    ...placeListFilter(filter),
    ...(filter.suggestion == null ? {} : { suggestion: filter.suggestion }),
    ...(filter.kind == null ? {} : { kind: filter.kind }),
    ...(filter.from == null ? {} : { from: filter.from.getTime() }),
    ...(filter.to == null ? {} : { to: filter.to.getTime() }),
  };
}

/** The listing's filter, for one row: what a subscriber with this filter should be told about. */
export function matchesModerationFilter(row: ModerationHitRow, filter: ModerationListFilter): boolean {
  return (
    matchesPlace(row, filter) &&
    (filter.suggestion === undefined || row.suggestion === filter.suggestion) &&
    (filter.kind === undefined || row.kind === filter.kind) &&
    (filter.from === undefined || row.listedAt >= filter.from) &&
    (filter.to === undefined || row.listedAt < filter.to)
  );
}

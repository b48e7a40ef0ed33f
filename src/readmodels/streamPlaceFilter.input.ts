// What the stream filters share: the stream and domain a session, recording file or moderation hit was pushed to, in SQL and for live updates.
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

/** Its fields are inherited by the filters that extend it (no field takes it itself, so the schema has no such type). */
@InputType()
export abstract class StreamPlaceFilter {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  streamId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  domain?: string | null;
}

export interface StreamPlaceListFilter {
  streamId?: string;
  domain?: string;
}

/** The given ones of a filter's stream and domain, as listings take them. */
export function placeListFilter(filter: StreamPlaceFilter): StreamPlaceListFilter {
  return {
    ...(filter.streamId == null ? {} : { streamId: filter.streamId }),
    ...(filter.domain == null ? {} : { domain: filter.domain }),
  };
}

/** Whether a row was pushed where the listing's filter says. */
export const matchesPlace = (row: { streamId: string; domain: string | null }, filter: StreamPlaceListFilter): boolean =>
  (filter.streamId === undefined || row.streamId === filter.streamId) && (filter.domain === undefined || row.domain === filter.domain);

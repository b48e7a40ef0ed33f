// SessionFilter: which sessions to list or follow; the same test in SQL and for live updates.
import { ArrayMaxSize, IsInt, IsOptional, IsString, MaxLength } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import type { SessionRow } from './sessions.table';
import type { SessionListFilter } from './sessions.queries';
import { SessionStatus } from './session.type';
import { StreamPlaceFilter } from '../streamPlaceFilter.input';

@InputType()
export class SessionFilter extends StreamPlaceFilter {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  appName?: string | null;

  @Field(() => SessionStatus, { nullable: true })
  status?: SessionStatus | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  errcode?: number | null;

  @Field(() => [Int], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  errcodes?: number[] | null;

  @Field(() => Date, { nullable: true, description: 'Sessions pushed at or after this instant.' })
  pushedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Sessions pushed before this instant.' })
  pushedTo?: Date | null;
}

export function sessionListFilter(filter: SessionFilter | null | undefined): SessionListFilter {
  if (filter == null) return {};
  return {
    ...(filter.streamId == null ? {} : { streamId: filter.streamId }),
    ...(filter.domain == null ? {} : { domain: filter.domain }),
    ...(filter.appName == null ? {} : { appName: filter.appName }),
    ...(filter.status == null ? {} : { status: filter.status }),
    ...(filter.errcode == null ? {} : { errcode: filter.errcode }),
    ...(filter.errcodes == null ? {} : { errcodes: filter.errcodes }),
    ...(filter.pushedFrom == null ? {} : { pushedFrom: filter.pushedFrom.getTime() }),
    ...(filter.pushedTo == null ? {} : { pushedTo: filter.pushedTo.getTime() }),
  };
}

/** The listing's filter, for one row: what a subscriber with this filter should be told about. */
export function matchesSessionFilter(row: SessionRow, filter: SessionListFilter): boolean {
  return (
    (filter.streamId === undefined || row.streamId === filter.streamId) &&
    (filter.domain === undefined || row.domain === filter.domain) &&
    (filter.appName === undefined || row.appName === filter.appName) &&
    (filter.status === undefined || row.status === filter.status) &&
    (filter.errcode === undefined || row.errcode === filter.errcode) &&
    (filter.errcodes === undefined || (row.errcode !== null && filter.errcodes.includes(row.errcode))) &&
    (filter.pushedFrom === undefined || row.sessionAt >= filter.pushedFrom) &&
    (filter.pushedTo === undefined || row.sessionAt < filter.pushedTo)
  );
}

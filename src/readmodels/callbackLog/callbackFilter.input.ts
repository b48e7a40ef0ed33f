// CallbackFilter: which stored callbacks to list or follow.
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import type { CallbackLogEntry } from './callbackLog.table';

@InputType()
export class CallbackFilter {
  @Field(() => String, { nullable: true, description: 'Event type, e.g. RelayTaskExited.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string | null;

  @Field(() => String, { nullable: true, description: 'Stream name, e.g. relaytask-118148.' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  stream?: string | null;
}

export function matchesCallbackFilter(entry: CallbackLogEntry, filter: CallbackFilter | null | undefined): boolean {
  if (filter == null) return true;
  return (filter.type == null || entry.type === filter.type) && (filter.stream == null || entry.stream === filter.stream);
}

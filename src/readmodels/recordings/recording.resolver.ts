// Queries and live announcements of recording files, and what a file links to: its push session and its callbacks.
import { ValidateNested } from 'class-validator';
import { Args, ArgsType, Field, FieldResolver, Query, Resolver, Root, Subscription } from 'type-graphql';
import { CHECKED_ON_SUBSCRIBE, FilterArgs, filterCheck } from '../../graphql/argumentValidation';
import { Connection, PageArgs } from '../../graphql/connection';
import { withCursor } from '../../graphql/errors';
import { followTopic, topic } from '../../graphql/topics';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import { CallbackEvent } from '../callbackLog/callbackEvent.type';
import type { ReadModelServices } from '../services';
import { StreamSession } from '../sessions/session.type';
import { RecordingActivity } from './recordingActivity.type';
import { RecordingFile } from './recordingFile.type';
import { matchesRecordingFilter, RecordingFilter, recordingListFilter } from './recordingFilter.input';
import type { RecordingFileRow } from './recordings.table';

/** A recording file, once, when the read model commits it. */
export const RecordingReady = topic<RecordingFileRow>('RECORDING_READY');

export const RecordingFileConnection = Connection(RecordingFile, 'RecordingFile');

@ArgsType()
class RecordingsArgs extends PageArgs {
  @Field(() => RecordingFilter, { nullable: true })
  @ValidateNested()
  filter?: RecordingFilter | null;
}

const RecordingReadyArgs = FilterArgs(RecordingFilter);

@Resolver(() => RecordingFile)
export class RecordingResolver {
  constructor(private readonly services: ReadModelServices) {}

  @Query(() => RecordingFileConnection, { description: 'Recording files of every stream, the latest to end first.' })
  recordings(@Args() { filter, first, after }: RecordingsArgs): InstanceType<typeof RecordingFileConnection> {
    const page = withCursor(() => this.services.recordings.list(recordingListFilter(filter), first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return RecordingFileConnection.from(page, RecordingFile.fromRow);
  }

  @FieldResolver(() => StreamSession, { nullable: true, description: 'The push session it was recorded from; null while none matches.' })
  session(@Root() file: RecordingFile): StreamSession | null {
    const row = file.sequence === null ? null : this.services.sessions.bySequence(file.sequence);
    return row === null ? null : StreamSession.fromRow(row);
  }

  @FieldResolver(() => [CallbackEvent], { description: 'The callbacks of its recording task (status changes, exceptions, files), oldest first.' })
  events(@Root() file: RecordingFile): CallbackEvent[] {
    return this.services.callbackLog.ofStreams(file.streams).map(CallbackEvent.fromEntry);
  }

  @Subscription(() => RecordingFile, {
    subscribe: followTopic(RecordingReady, (args: { filter?: RecordingFilter | null }) => {
      const filter = recordingListFilter(args.filter);
      return (row) => matchesRecordingFilter(row, filter);
    }, filterCheck(RecordingReadyArgs, RecordingFilter)),
    description: 'Each recording file that matches the filter, once, as the read model commits it.',
  })
  recordingReady(@Root() row: RecordingFileRow, @Args(() => RecordingReadyArgs, CHECKED_ON_SUBSCRIBE) _args: InstanceType<typeof RecordingReadyArgs>): RecordingFile {
    return RecordingFile.fromRow(row);
  }
}

@Resolver(() => StreamSession)
export class SessionRecordingsResolver {
  constructor(private readonly services: ReadModelServices) {}

  @FieldResolver(() => [RecordingFile], { description: 'The recording files made of this session, oldest first.' })
  recordings(@Root() session: StreamSession): RecordingFile[] {
    return this.services.recordings.ofSession(session.sequence).map(RecordingFile.fromRow);
  }

  @FieldResolver(() => [RecordingActivity], { description: 'The status changes and exceptions of the recordings of this session, oldest first.' })
  recordingActivity(@Root() session: StreamSession): RecordingActivity[] {
    return this.services.recordings.activityOfSession(session.sequence).map(RecordingActivity.fromRow);
  }
}

// RecordingFile: one file a recording produced (event_type 100), as the recordings read model holds it.
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { dateOrNull } from '../../graphql/dates';
import type { RecordingFileRow } from './recordings.table';

@ObjectType({ simpleResolvers: true, description: 'A recording file CSS made of a stream, tied to the push session it was recorded from when one matches.' })
export class RecordingFile {
  @Field(() => ID, { description: 'The VOD file id; the record file id or the event id when CSS sent none.' })
  fileId!: string;

  @Field()
  streamId!: string;

  @Field(() => String, { nullable: true })
  domain!: string | null;

  @Field(() => String, { nullable: true })
  appName!: string | null;

  @Field(() => String, { nullable: true, description: 'flv, hls, mp4, aac or mp3, lower-case.' })
  format!: string | null;

  @Field(() => Date, { nullable: true, description: 'Where the file starts: its end less its duration.' })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  endedAt!: Date | null;

  @Field(() => Int, { nullable: true })
  durationSeconds!: number | null;

  @Field(() => Float, { nullable: true })
  fileSizeBytes!: number | null;

  @Field(() => String, { nullable: true })
  videoUrl!: string | null;

  @Field(() => String, { nullable: true })
  recordFileId!: string | null;

  @Field(() => String, { nullable: true })
  taskId!: string | null;

  /** The push session's sequence, resolved by `session`. */
  sequence!: string | null;
  /** Where its callbacks are, resolved by `events`. */
  streams!: string[];
  eventId!: string;

  static fromRow(row: RecordingFileRow): RecordingFile {
    return Object.assign(new RecordingFile(), {
      fileId: row.fileId ?? row.recordFileId ?? row.eventId,
      streamId: row.streamId,
      domain: row.domain,
      appName: row.appName,
      format: row.format,
      startedAt: dateOrNull(row.startedAt),
      endedAt: dateOrNull(row.endedAt),
      durationSeconds: row.durationSeconds,
      fileSizeBytes: row.fileSizeBytes,
      videoUrl: row.videoUrl,
      recordFileId: row.recordFileId,
      taskId: row.taskId,
      sequence: row.sequence,
      streams: [...new Set([row.stream, row.recordingStream])],
      eventId: row.eventId,
    });
  }
}

// TimelineEntry: one event of a session's or a stream's story, with its one-line summary.
import { Field, ID, ObjectType } from 'type-graphql';
import type { TimelineEntryRow } from './timeline.table';

@ObjectType({ simpleResolvers: true, description: 'One event of a stream, in time order, said in one line.' })
export class TimelineEntry {
  @Field({ description: "When it happened by CSS's clock; when it was received if CSS gave no time." })
  at!: Date;

  @Field({ description: 'The event type, e.g. RecordingFileGenerated.' })
  kind!: string;

  @Field({ description: 'What happened, in one line: "recording file of 3,600 s ready (HLS)".' })
  summary!: string;

  @Field(() => ID, { nullable: true, description: 'The push session (sequence) it belongs to; null while none matches.' })
  sequence!: string | null;

  /** Where its callback is in the log. */
  position!: bigint;

  static fromRow(row: TimelineEntryRow): TimelineEntry {
    return Object.assign(new TimelineEntry(), { at: new Date(row.at), kind: row.kind, summary: row.summary, sequence: row.sequence, position: row.position });
  }
}

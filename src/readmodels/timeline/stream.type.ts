// Stream: one stream name on one domain, across all its push sessions; and its connection, for listings of streams.
import { Field, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/connection';

@ObjectType({ description: 'One stream name on one domain, across all its push sessions.' })
export class Stream {
  @Field()
  streamId!: string;

  @Field(() => String, { nullable: true, description: 'The push domain; null when its callbacks named none.' })
  domain!: string | null;

  /** A stream to answer about: its sessions, live state and timeline are read when asked for. */
  static of(streamId: string, domain: string | null): Stream {
    return Object.assign(new Stream(), { streamId, domain });
  }
}

/** Streams a page at a time: `StreamConnection.from(page, (row) => Stream.of(row.streamId, row.domain))`. */
export const StreamConnection = Connection(Stream, 'Stream');

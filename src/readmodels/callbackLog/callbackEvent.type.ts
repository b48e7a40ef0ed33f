// CallbackEvent: one stored callback, with its body exactly as received.
import { Field, ID, ObjectType } from 'type-graphql';
import type { CallbackLogEntry } from './callbackLog.table';

@ObjectType({ simpleResolvers: true, description: 'One callback as stored in the event log.' })
export class CallbackEvent {
  @Field(() => ID, { description: 'The event id; the same for a retried callback.' })
  id!: string;

  @Field({ description: 'The event type, e.g. StreamPushed.' })
  type!: string;

  @Field({ description: 'The stream it belongs to, e.g. session-6674468118806626493.' })
  stream!: string;

  @Field({ description: 'Position in the global log, as a decimal string.' })
  position!: string;

  @Field()
  receivedAt!: Date;

  @Field({ description: 'The callback body exactly as received.' })
  raw!: string;

  static fromEntry(entry: CallbackLogEntry): CallbackEvent {
    return Object.assign(new CallbackEvent(), {
      id: entry.eventId,
      type: entry.type,
      stream: entry.stream,
      position: String(entry.position),
      receivedAt: new Date(entry.receivedAt),
      raw: entry.raw,
    });
  }
}

// Fields that many CSS callbacks share, under each spelling the documents use.
import type { CallbackPayload, JsonValue } from './callbackJson';
import { text } from './fieldValues';

/** A field under any of its spellings (`appid` in examples, `appId` in some tables); the first one present wins. */
export function field(payload: CallbackPayload, ...names: string[]): JsonValue | undefined {
  for (const name of names) {
    if (Object.hasOwn(payload, name)) return payload[name];
  }
  return undefined;
}

/** Where the stream of a callback was pushed: what ties recordings, screenshots and the like to push sessions. */
export interface StreamPlace {
  appId: string | null;
  /** The push domain: `app` in push, recording and screenshot callbacks, `domain` in the newer ones. */
  domain: string | null;
  /** The push path: `appname`, or `path` in the newer callbacks. */
  appName: string | null;
  /** `stream_id` (`streamId` in image moderation). */
  streamId: string | null;
}

export function streamPlace(payload: CallbackPayload): StreamPlace {
  return {
    appId: text(field(payload, 'appid', 'appId')),
    domain: text(field(payload, 'domain', 'app')),
    appName: text(field(payload, 'appname', 'path')),
    streamId: text(field(payload, 'stream_id', 'streamId')),
  };
}

/** Why a callback of a type this service models stays unrecognized: what it lacks. */
export const lacking = (eventType: string, what: string): string => `event_type ${eventType} is not one this service models without ${what}`;

/** The place of a callback that must name its stream (`spelled` as the documents do), or why it stays unrecognized. */
export function placeOfStream(payload: CallbackPayload, eventType: string, spelled = 'stream_id'): (StreamPlace & { streamId: string }) | { unrecognized: string } {
  const place = streamPlace(payload);
  const { streamId } = place;
  return streamId === null ? { unrecognized: lacking(eventType, spelled) } : { ...place, streamId };
}

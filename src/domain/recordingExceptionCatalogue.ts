/*
 * What the exception types of a recording exception (event_type 341, `exception.type`) mean, as data.
 *
 * Source: Tencent Cloud CSS documentation, "Abnormal Recording Event Notification", table "Abnormal event type":
 *   https://www.tencentcloud.com/document/product/267/68622
 * The meanings below are short English summaries, not Tencent's wording.
 */

const MEANINGS: ReadonlyMap<number, string> = new Map([
  [-8, 'audio timestamp jumped'],
  [-9, 'video timestamp jumped'],
  [-10, 'audio and video timestamps far apart'],
  [-11, 'invalid video timestamp'],
  [-16, 'could not pull the stream'],
  [-17, 'no audio although audio is recorded'],
  [-18, 'no video although video is recorded'],
  [-22, 'audio timestamp stuck'],
  [-23, 'video timestamp stuck'],
  [-24, 'invalid audio timestamp'],
  [-100, 'push resolution changed'],
  [-104, 'could not write frames to the file'],
  [-120, 'file cut: video codec changed'],
  [-130, 'bad video frames dropped'],
  [-131, 'bad audio frames dropped'],
  [-132, 'abnormal GOP length'],
  [-200, 'audio timestamps uneven'],
  [-201, 'video timestamps uneven'],
]);

export const RECORDING_EXCEPTION_TYPES: readonly number[] = Object.freeze([...MEANINGS.keys()]);

/** The meaning of a recording exception type; null for a type the table does not list. */
export function describeRecordingException(type: number | null): string | null {
  return type === null ? null : (MEANINGS.get(type) ?? null);
}

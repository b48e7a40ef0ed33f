/*
 * What the push anomaly types of a push anomaly report (event_type 321, `abnormal_event[].type`) mean, as data.
 *
 * Source: Tencent Cloud CSS documentation, "Push Error Event Notifications", table "Error types":
 *   https://www.tencentcloud.com/document/product/267/53310 (types 1-11 since 2023; 12-16 added later).
 * The meanings below are short English summaries, not Tencent's wording. The 2023 page gave 3 s for
 * late audio frames (type 7); the current one gives 1 s, which is used.
 */

const MEANINGS: ReadonlyMap<number, string> = new Map([
  [1, 'video timestamp went backwards'],
  [2, 'audio timestamp went backwards'],
  [3, 'video timestamp jumped ahead (over 1 s)'],
  [4, 'audio timestamp jumped ahead (over 1 s)'],
  [5, 'chunk too big (over 8,192 bytes)'],
  [6, 'video frames arrived late (over 3 s apart)'],
  [7, 'audio frames arrived late (over 1 s apart)'],
  [8, 'video codec changed'],
  [9, 'audio codec changed'],
  [10, 'video frame before its codec header'],
  [11, 'audio frame before its codec header'],
  [12, 'gap between audio timestamps too long'],
  [13, 'uncommon audio or video codec'],
  [14, 'video header could not be parsed'],
  [15, 'frame rate too low'],
  [16, 'GOP too long (over 10 s)'],
]);

export const PUSH_ANOMALY_TYPES: readonly number[] = Object.freeze([...MEANINGS.keys()]);

/** The meaning of a push anomaly type, a few words for a timeline ("3 × frame rate too low"); null for a type the table does not list. */
export function describePushAnomaly(type: number | null): string | null {
  return type === null ? null : (MEANINGS.get(type) ?? null);
}

/*
 * Causes of stream interruption (push-interrupted callbacks, event_type = 0), as data.
 *
 * Source: Tencent Cloud CSS documentation, "Stream Interruption Records", section "Causes of Stream
 * Interruption" (table errcode / sub_errcode / errmsg):
 *   https://www.tencentcloud.com/document/product/267/31083 (English, last updated 2024-06-19),
 *   https://www.tencentcloud.com/zh/document/product/267/31083 (Chinese, same table),
 *   https://cloud.tencent.com/document/product/440/35256 (Tencent Cloud China, same table).
 * The reasons below are short English summaries, not Tencent's wording.
 *
 * Covered: errcode 0-32. Rows from errcode 33 on are not included; describeInterruption returns null for them.
 * errcode 16 was an internal error in the 2022 English page and is a pusher network error since; the latter is used.
 *
 * In the table sub_errcode 0 means "no sub code": errcodes 0-17, 19, 20 and 22-32 have only that row;
 * errcodes 18 and 21 are broken down by sub_errcode only (they have no row with sub_errcode 0).
 */

export type InterruptionCategory =
  | 'CLIENT_STOPPED' // the pusher ended the stream
  | 'CLIENT_NETWORK' // the pusher's network failed
  | 'NO_DATA' // idle timeout: no data for a long time
  | 'PROTOCOL' // bad RTMP content / frame too large
  | 'CSS_INTERNAL' // Tencent-side internal error
  | 'COMMAND' // interrupted by a command (proxy layer, drop/ban API call)
  | 'SUPERSEDED' // a newer push of the same stream took over
  | 'ACCOUNT' // account / service suspended, arrears, account lookup failed
  | 'PUSH_URL' // domain/app/stream name not recognised, disabled, bad characters, channel mode
  | 'ACCESS_CONTROL' // IP allow/block lists, push by bare IP not allowed
  | 'AUTHENTICATION' // expiry time / signature (txTime/txSecret) problems, third-party auth
  | 'PUSH_LIMIT' // concurrent push limits, push priority
  | 'UNKNOWN'; // CSS itself gives no reason, or a group of causes without a common category

export interface InterruptionCause {
  errcode: number;
  subErrcode: number;
  reason: string;
  category: InterruptionCategory;
}

export interface InterruptionDescription {
  reason: string;
  category: InterruptionCategory;
  /** true when the answer is the table row for exactly these codes (a missing sub_errcode counts as 0). */
  exact: boolean;
}

const row = (errcode: number, subErrcode: number, category: InterruptionCategory, reason: string): InterruptionCause =>
  Object.freeze({ errcode, subErrcode, reason, category });

const UNKNOWN_REASON = 'No reason given by CSS';
const CLIENT_STOPPED = 'The pusher stopped the stream';
const CSS_INTERNAL = 'Internal error in CSS';
const RTMP_CONTENT = 'Malformed RTMP content';
const NO_DATA = 'No data received for a long time; CSS closed the push';
const CLIENT_NETWORK = "Network failure on the pusher's link";

export const INTERRUPTION_CAUSES: readonly InterruptionCause[] = Object.freeze([
  row(0, 0, 'UNKNOWN', UNKNOWN_REASON),
  row(1, 0, 'CLIENT_STOPPED', CLIENT_STOPPED),
  row(2, 0, 'CLIENT_STOPPED', CLIENT_STOPPED),
  row(3, 0, 'CLIENT_STOPPED', CLIENT_STOPPED),
  row(4, 0, 'CLIENT_STOPPED', CLIENT_STOPPED),
  row(5, 0, 'CSS_INTERNAL', CSS_INTERNAL),
  row(6, 0, 'PROTOCOL', RTMP_CONTENT),
  row(7, 0, 'PROTOCOL', 'An RTMP frame was larger than the configured maximum'),
  row(8, 0, 'NO_DATA', NO_DATA),
  row(9, 0, 'CSS_INTERNAL', CSS_INTERNAL),
  row(10, 0, 'COMMAND', 'The CSS proxy layer was told to cut the stream'),
  row(11, 0, 'CSS_INTERNAL', CSS_INTERNAL),
  row(12, 0, 'CLIENT_NETWORK', CLIENT_NETWORK),
  row(13, 0, 'CLIENT_NETWORK', CLIENT_NETWORK),
  row(14, 0, 'CLIENT_NETWORK', CLIENT_NETWORK),
  row(15, 0, 'CLIENT_NETWORK', CLIENT_NETWORK),
  row(16, 0, 'CLIENT_NETWORK', CLIENT_NETWORK),
  row(17, 0, 'CLIENT_NETWORK', CLIENT_NETWORK),

  // errcode 18: the push was refused or dropped by CSS's checks; sub_errcode says which one.
  row(18, 100, 'CSS_INTERNAL', CSS_INTERNAL),
  row(18, 101, 'CSS_INTERNAL', CSS_INTERNAL),
  row(18, 102, 'CSS_INTERNAL', CSS_INTERNAL),
  row(18, 103, 'CSS_INTERNAL', CSS_INTERNAL),
  row(18, 104, 'CSS_INTERNAL', CSS_INTERNAL),
  row(18, 200, 'ACCOUNT', 'CSS could not find the account that owns the push URL'),
  row(18, 201, 'ACCOUNT', 'The live streaming service of the account is shut down'),
  row(18, 202, 'ACCOUNT', 'The live streaming service is suspended because the account is in arrears'),
  row(18, 203, 'ACCOUNT', 'The live streaming service of the account was forcibly shut down'),
  row(18, 300, 'ACCESS_CONTROL', 'Pushing to a bare IP address instead of a domain is not allowed'),
  row(18, 301, 'PUSH_URL', 'The push domain is not recognised'),
  row(18, 302, 'PUSH_URL', 'The push domain is not valid'),
  row(18, 303, 'PUSH_URL', 'The push domain is disabled'),
  row(18, 304, 'PUSH_URL', 'The push app name (path) is disabled'),
  row(18, 305, 'PUSH_URL', 'The stream name is banned from pushing'),
  row(18, 306, 'PUSH_URL', 'Channel access mode is on but no push channel exists for this stream'),
  row(18, 307, 'PUSH_URL', 'Channel access mode is on but the push channel is closed'),
  row(18, 308, 'PUSH_URL', 'The stream name contains characters that are not allowed'),
  row(18, 309, 'PUSH_URL', 'The push app name contains characters that are not allowed'),
  row(18, 400, 'ACCESS_CONTROL', "The pusher's IP is on the block list"),
  row(18, 401, 'ACCESS_CONTROL', "The pusher's IP is not on the allow list"),
  row(18, 500, 'AUTHENTICATION', 'The push URL has no expiry time parameter (txTime)'),
  row(18, 501, 'AUTHENTICATION', 'The expiry time in the push URL has passed'),
  row(18, 502, 'AUTHENTICATION', 'The push URL has no signature parameter (txSecret)'),
  row(18, 503, 'AUTHENTICATION', 'The signature in the push URL did not verify'),
  row(18, 600, 'PUSH_LIMIT', 'Too many concurrent pushes (configured maximum reached)'),
  row(18, 601, 'PUSH_LIMIT', 'Too many concurrent pushes of this stream name (configured maximum reached)'),
  row(18, 602, 'PUSH_LIMIT', 'A push already running for this stream has a higher priority'),

  row(19, 0, 'AUTHENTICATION', 'Third-party authentication of the push failed'),
  row(20, 0, 'NO_DATA', NO_DATA),

  // errcode 21: the stream was ended on request or taken over; sub_errcode says which.
  row(21, 100, 'COMMAND', 'A drop-stream API request from the customer ended the push'),
  row(21, 101, 'COMMAND', 'A forbid-stream API request from the customer ended the push'),
  row(21, 102, 'SUPERSEDED', 'A new push of the same stream replaced this one'),
  row(21, 103, 'SUPERSEDED', 'A new push of the same stream replaced this one, which was sending no data'),

  row(22, 0, 'UNKNOWN', UNKNOWN_REASON),
  row(23, 0, 'PROTOCOL', RTMP_CONTENT),
  row(24, 0, 'CSS_INTERNAL', CSS_INTERNAL),
  row(25, 0, 'UNKNOWN', UNKNOWN_REASON),
  row(26, 0, 'UNKNOWN', UNKNOWN_REASON),
  row(27, 0, 'UNKNOWN', UNKNOWN_REASON),
  row(28, 0, 'UNKNOWN', UNKNOWN_REASON),
  row(29, 0, 'UNKNOWN', UNKNOWN_REASON),
  row(30, 0, 'UNKNOWN', UNKNOWN_REASON),
  row(31, 0, 'UNKNOWN', UNKNOWN_REASON),
  row(32, 0, 'UNKNOWN', UNKNOWN_REASON),
]);

/** What an errcode means as a whole, for errcodes the table only breaks down by sub_errcode. */
const ERRCODE_SUMMARIES: ReadonlyMap<number, string> = new Map([
  [18, 'Push refused or dropped by CSS checks (see sub_errcode)'],
  [21, 'Push ended by a drop/forbid request or replaced by a newer push (see sub_errcode)'],
]);

const key = (errcode: number, subErrcode: number): string => `${errcode}:${subErrcode}`;

const BY_CODES: ReadonlyMap<string, InterruptionCause> = new Map(INTERRUPTION_CAUSES.map((cause) => [key(cause.errcode, cause.subErrcode), cause]));

/** Answer for an errcode as a whole, used when the row for its sub_errcode is missing (and there is no sub_errcode 0 row). */
const BY_ERRCODE: ReadonlyMap<number, Omit<InterruptionDescription, 'exact'>> = (() => {
  const categories = new Map<number, Set<InterruptionCategory>>();
  for (const cause of INTERRUPTION_CAUSES) {
    const seen = categories.get(cause.errcode) ?? new Set<InterruptionCategory>();
    seen.add(cause.category);
    categories.set(cause.errcode, seen);
  }
  const summaries = new Map<number, Omit<InterruptionDescription, 'exact'>>();
  for (const [errcode, seen] of categories) {
    const zeroRow = BY_CODES.get(key(errcode, 0));
    const [only] = seen;
    const category: InterruptionCategory = seen.size === 1 && only !== undefined ? only : 'UNKNOWN';
    const reason =
      zeroRow?.reason ?? ERRCODE_SUMMARIES.get(errcode) ?? `Stream interrupted with errcode ${errcode} (see sub_errcode)`;
    summaries.set(errcode, { reason, category: zeroRow?.category ?? category });
  }
  return summaries;
})();

/**
 * Looks up errcode + sub_errcode; when sub_errcode is absent (older callbacks carry only errcode) or not listed,
 * falls back to the errcode's entry with sub_errcode 0, or — for an errcode whose entries all share one category —
 * a reason/category for that errcode as a whole ('UNKNOWN' category when its entries differ);
 * null when the errcode is unknown or null.
 */
export function describeInterruption(
  errcode: number | null,
  subErrcode: number | null,
): InterruptionDescription | null {
  if (errcode === null || !Number.isSafeInteger(errcode)) return null;
  const sub = subErrcode !== null && Number.isSafeInteger(subErrcode) ? subErrcode : null;
  const found = BY_CODES.get(key(errcode, sub ?? 0));
  // A missing sub_errcode reads as 0, the table's own "no sub code"; an unusable one (NaN, 1.5) does not.
  if (found !== undefined && (sub !== null || subErrcode === null)) {
    return { reason: found.reason, category: found.category, exact: true };
  }
  const whole = BY_ERRCODE.get(errcode);
  return whole === undefined ? null : { ...whole, exact: false };
}

/**
 * Whose side an interruption's cause is on: the customer's (their push URL, account, lists, limits, API calls, an
 * encoder breaking the protocol), CSS's own platform, or the network between them; STOPPED when the pusher ended its
 * own stream (an ordinary end, nobody's fault: kept apart so that the customer-side view lists what needs fixing);
 * UNKNOWN when CSS gives no reason or the code is not listed.
 */
export type InterruptionSide = 'CUSTOMER' | 'PLATFORM' | 'NETWORK' | 'STOPPED' | 'UNKNOWN';
export const INTERRUPTION_SIDES: readonly InterruptionSide[] = ['CUSTOMER', 'PLATFORM', 'NETWORK', 'STOPPED', 'UNKNOWN'];

const SIDE_OF_CATEGORY: Readonly<Record<InterruptionCategory, InterruptionSide>> = {
  CLIENT_STOPPED: 'STOPPED',
  CLIENT_NETWORK: 'NETWORK',
  // Nothing arrived for a long time: the link from the pusher stalled.
  NO_DATA: 'NETWORK',
  // The customer's encoder sent what RTMP does not allow.
  PROTOCOL: 'CUSTOMER',
  CSS_INTERNAL: 'PLATFORM',
  COMMAND: 'CUSTOMER',
  SUPERSEDED: 'CUSTOMER',
  ACCOUNT: 'CUSTOMER',
  PUSH_URL: 'CUSTOMER',
  ACCESS_CONTROL: 'CUSTOMER',
  AUTHENTICATION: 'CUSTOMER',
  PUSH_LIMIT: 'CUSTOMER',
  UNKNOWN: 'UNKNOWN',
};

/** errcode 10 is CSS's proxy layer cutting the stream: a command, but CSS's own, not the customer's drop/forbid API call. */
const PLATFORM_COMMANDS: ReadonlySet<number> = new Set([10]);

export function interruptionSide(errcode: number | null, subErrcode: number | null): InterruptionSide {
  const described = describeInterruption(errcode, subErrcode);
  if (described === null) return 'UNKNOWN';
  if (described.category === 'COMMAND' && errcode !== null && PLATFORM_COMMANDS.has(errcode)) return 'PLATFORM';
  return SIDE_OF_CATEGORY[described.category];
}

/** Whether the catalogue lists this errcode: metrics label others "other", so that label values stay few. */
export const isListedErrcode = (errcode: number): boolean => BY_ERRCODE.has(errcode);

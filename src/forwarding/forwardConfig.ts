// The forwarding file (FORWARD_CONFIG, JSON or YAML): destinations and retention, validated with one line per mistake.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CallbackEventType } from '../domain/callbackEvents';

const EVENT_TYPES = Object.values(CallbackEventType) as [CallbackEventType, ...CallbackEventType[]];
/** Headers the ledger sets on every delivery: a destination's extra headers may not replace them. */
const RESERVED_HEADERS = /^(content-type|content-length|host|connection|transfer-encoding|webhook-.*|x-css-ledger-.*)$/i;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The message for a value of the wrong type only: other issues (unknown keys, bad record keys) keep their own. */
const typeError = (message: string) => ({ error: (issue: { code: string }) => (issue.code === 'invalid_type' ? message : undefined) });

const positiveInt = (max: number) => {
  const error = `must be a whole number from 1 to ${max}`;
  return z.number({ error }).int({ error }).min(1, { error }).max(max, { error });
};

/** A setting without a default: absent, it is said to be required, not to be of the wrong kind. */
const required = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? `is required: ${what}` : `must be ${what}`) });

const httpUrl = z.string(required('an http(s) URL')).refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  },
  { error: 'must be an http(s) URL (credentials go in headers, not the URL)' },
);

/**
 * A destination's URL as GraphQL and the dashboard show it: the query's values (`?key=...`, often a secret), any
 * fragment, and each path segment that reads like a key (`/services/T0/B0/<token>`, `/webhooks/<id>/<token>`)
 * replaced by `…`; the scheme, host, the path's words and the query's names stay, enough to know the destination by.
 */
export function shownUrl(value: string): string {
  // Credentials in the URL are refused (httpUrl): the origin and the path are all there is besides the query.
  const url = new URL(value);
  const path = url.pathname
    .split('/')
    .map((segment) => (looksLikeKey(segment) ? '…' : segment))
    .join('/');
  const names = [...url.searchParams.keys()];
  const query = names.length === 0 ? '' : `?${names.map((name) => `${encodeURIComponent(name)}=…`).join('&')}`;
  return `${url.origin}${path}${query}`;
}

/** 16 characters or more with a digit and a letter among them: a token, a UUID, a long id; not a word of a path. */
const looksLikeKey = (segment: string): boolean => segment.length >= 16 && /\d/.test(segment) && /[a-z]/i.test(segment);

/** Standard Webhooks: `whsec_` and the base64 of a 24 to 64 byte key. */
const webhookSecret = z.string({ error: 'must be a string' }).refine(
  (value) => {
    if (!value.startsWith('whsec_')) return false;
    const base64 = value.slice('whsec_'.length);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return false;
    const bytes = Buffer.from(base64, 'base64').length;
    return bytes >= 24 && bytes <= 64;
  },
  { error: 'must be whsec_ followed by the base64 of a 24 to 64 byte key' },
);

const nonEmptyStrings = z.array(z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }), { error: 'must be a list' });

const filterSchema = z.strictObject(
  {
    types: z.array(z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` }), { error: 'must be a list' }).optional(),
    domains: nonEmptyStrings.optional(),
    streamIds: nonEmptyStrings.optional(),
  },
  typeError('must be an object with types, domains and/or streamIds'),
);

const retrySchema = z.strictObject(
  {
    maxAttempts: positiveInt(1000).default(20),
    maxAgeSeconds: positiveInt(30 * 86_400).default(86_400),
    initialDelayMs: positiveInt(3_600_000).default(1_000),
    maxDelayMs: positiveInt(86_400_000).default(3_600_000),
    jitter: z.enum(['full', 'decorrelated'], { error: 'must be full or decorrelated' }).default('full'),
    deadLetterOn4xx: z.boolean({ error: 'must be true or false' }).default(true),
  },
  typeError('must be an object'),
);

const breakerSchema = z.strictObject(
  {
    failureThreshold: positiveInt(1000).default(5),
    cooldownMs: positiveInt(3_600_000).default(30_000),
  },
  typeError('must be an object'),
);

const headersSchema = z.record(
  z.string().regex(HEADER_NAME, { error: 'is not a valid header name' }).refine((name) => !RESERVED_HEADERS.test(name), {
    error: 'is set by the ledger and cannot be replaced',
  }),
  z.string({ error: 'must be a string' }).refine((value) => !/[\r\n\0]/.test(value), { error: 'must not contain line breaks' }),
  typeError('must be an object of header names to values'),
);

const destinationSchema = z
  .looseObject(
    {
      name: z.string({ error: 'is required: letters a-z, digits, - and _' }).regex(/^[a-z0-9_-]{1,64}$/, { error: 'must be 1 to 64 of a-z, 0-9, - and _' }),
      url: httpUrl,
      format: z.enum(['raw', 'standard-webhooks'], required('raw or standard-webhooks')),
      secret: webhookSecret.optional(),
      filter: filterSchema.optional(),
      timeoutMs: positiveInt(300_000).default(10_000),
      concurrency: positiveInt(256).default(32),
      rateLimit: z.number({ error: 'must be a number of deliveries per second' }).positive({ error: 'must be above 0' }).max(100_000, { error: 'must be at most 100000' }).optional(),
      maxPending: positiveInt(100_000).default(1_000),
      startFrom: z.enum(['now', 'beginning'], { error: 'must be now or beginning' }).default('now'),
      retry: retrySchema.prefault({}),
      breaker: breakerSchema.prefault({}),
      headers: headersSchema.default({}),
    },
    typeError('must be an object'),
  )
  .superRefine((destination, context) => {
    if (destination.format === 'standard-webhooks' && destination.secret === undefined) {
      context.addIssue({ code: 'custom', path: ['secret'], message: 'is required for standard-webhooks (whsec_...)' });
    }
    if (destination.format === 'raw' && destination.secret !== undefined) {
      context.addIssue({ code: 'custom', path: ['secret'], message: 'raw deliveries are not signed: remove it or use standard-webhooks' });
    }
    if (destination.retry.maxDelayMs < destination.retry.initialDelayMs) {
      context.addIssue({ code: 'custom', path: ['retry', 'maxDelayMs'], message: 'must be at least retry.initialDelayMs' });
    }
  });

const retentionSchema = z.strictObject(
  {
    days: positiveInt(3650).default(7),
    maxRowsPerDestination: positiveInt(100_000_000).default(100_000),
  },
  typeError('must be an object'),
);

const fileSchema = z
  .looseObject(
    {
      destinations: z.array(destinationSchema, { error: 'is required: a list of destinations' }),
      retention: retentionSchema.prefault({}),
    },
    typeError('must be an object with a destinations list'),
  )
  .superRefine((file, context) => {
    for (const issue of duplicateNames(file.destinations)) context.addIssue(issue);
  });

/** A name used by an earlier destination, at its place. Checked on the raw file as well, when another mistake stops zod first. */
function duplicateNames(destinations: unknown): Array<{ code: 'custom'; path: PropertyKey[]; message: string }> {
  if (!Array.isArray(destinations)) return [];
  const seen = new Set<string>();
  const issues: Array<{ code: 'custom'; path: PropertyKey[]; message: string }> = [];
  destinations.forEach((destination: unknown, index) => {
    const name = typeof destination === 'object' && destination !== null ? (destination as { name?: unknown }).name : undefined;
    if (typeof name !== 'string') return;
    if (seen.has(name)) issues.push({ code: 'custom', path: ['destinations', index, 'name'], message: `${name} is used by another destination` });
    seen.add(name);
  });
  return issues;
}

export type DestinationConfig = z.output<typeof destinationSchema>;
export type DestinationFilter = NonNullable<DestinationConfig['filter']>;
export type RetryConfig = DestinationConfig['retry'];
export type BreakerConfig = DestinationConfig['breaker'];
export type RetentionConfig = z.output<typeof retentionSchema>;
/** On EventStoreDB: `shared`, one persistent subscription group per destination shared by every instance; `checkpoint`, each instance follows the log itself. */
export type EventStoreDbForwardingMode = 'shared' | 'checkpoint';
export const EVENTSTOREDB_FORWARDING_MODES: readonly EventStoreDbForwardingMode[] = ['shared', 'checkpoint'];

export interface ForwardConfig {
  destinations: DestinationConfig[];
  retention: RetentionConfig;
}

export type ForwardConfigResult = { ok: true; config: ForwardConfig } | { ok: false; errors: string[] };

/** Parses and validates the file's text; each mistake is one line: `file: destinations[2].url: must be an http(s) URL`. */
export function loadForwardConfig(text: string, fileName: string): ForwardConfigResult {
  // YAML 1.2 reads JSON too, so one parser serves both; duplicate keys are errors. Loaded here, not with the
  // service: without FORWARD_CONFIG it is never needed.
  const { parseDocument } = require('yaml') as typeof import('yaml');
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    return { ok: false, errors: document.errors.map((error) => `${fileName}: ${firstLine(error.message)}`) };
  }
  const raw: unknown = document.toJS();
  const parsed = fileSchema.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  const lines = parsed.error.issues.flatMap((issue) => issueLines(issue, []));
  // zod checks names only once every destination is valid: a duplicate is said now, not after the other mistakes are fixed.
  const destinations = typeof raw === 'object' && raw !== null ? (raw as { destinations?: unknown }).destinations : undefined;
  for (const issue of duplicateNames(destinations)) {
    const line = `${describePath(issue.path)}: ${issue.message}`;
    if (!lines.includes(line)) lines.push(line);
  }
  return { ok: false, errors: lines.map((line) => `${fileName}: ${line}`) };
}

/** Reads FORWARD_CONFIG's file; an unreadable file is one error line too. */
export async function readForwardConfig(file: string): Promise<ForwardConfigResult> {
  const fileName = path.basename(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { ok: false, errors: [`${file}: cannot be read: ${(error as Error).message}`] };
  }
  return loadForwardConfig(text, fileName);
}

/** `destinations[2].retry.maxAttempts`; the file itself is `(file)`. */
function describePath(issuePath: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const key of issuePath) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(file)' : text;
}

/** One line per mistake: an unknown key is named on its own line, a bad header name under its own path. */
function issueLines(issue: z.core.$ZodIssue, prefix: PropertyKey[]): string[] {
  const at = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${describePath([...at, key])}: is not a known setting`);
  if (issue.code === 'invalid_key') return issue.issues.flatMap((inner) => issueLines(inner, at));
  return [`${describePath(at)}: ${issue.message}`];
}

/** The yaml package's message without its code excerpt: `... at line 1, column 19`. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/:$/, '');
}

// Every error the service answers with, once: its slug (HTTP `error`, GraphQL `extensions.code` in capitals, metric label), HTTP status and meaning.
export interface ErrorEntry {
  /** The HTTP status of an answer that is this error alone (a GraphQL error beside partial data comes in a 200). */
  readonly status: number;
  /** What it means, for whoever reads the slug without the message. */
  readonly meaning: string;
  /** The GraphQL `extensions.code`, where it is not the slug in capitals (Apollo's own codes). */
  readonly graphqlCode?: string;
}

export const ERRORS = {
  // Any request
  bad_request: { status: 400, meaning: 'the request is malformed' },
  not_found: { status: 404, meaning: 'no route, WebSocket or item by that name' },
  method_not_allowed: { status: 405, meaning: 'the route exists but not with this method (the Allow header lists its methods)' },
  request_timeout: { status: 408, meaning: 'the request was not received whole in time' },
  body_too_large: { status: 413, meaning: 'the body is over its limit' },
  invalid_content_length: { status: 400, meaning: 'the Content-Length header does not match the body' },
  empty_body: { status: 400, meaning: 'the body is empty' },
  unsupported_media_type: { status: 415, meaning: 'the body is of a type the route does not take' },
  unsupported_content_encoding: { status: 415, meaning: 'the body is compressed (Content-Encoding); the service takes bodies as they are' },
  headers_too_large: { status: 431, meaning: 'the request headers are too large' },
  uri_too_long: { status: 414, meaning: 'the request line (method, path and query) is too long' },
  too_many_pipelined_requests: { status: 429, meaning: 'the connection has as many requests waiting for their answers as allowed (pipelined); it is closed after this answer' },
  internal_error: {
    status: 500,
    meaning: 'the request failed inside the service; nothing was acknowledged',
    graphqlCode: 'INTERNAL_SERVER_ERROR',
  },
  too_many_connections: {
    status: 503,
    meaning: 'the connection was closed to make room for other clients: its address held the most of MAX_CONNECTIONS when all were taken',
  },
  not_ready: { status: 503, meaning: 'the event store or a read model cannot answer yet' },
  stopping: { status: 503, meaning: 'the service is stopping' },
  unauthenticated: { status: 401, meaning: 'the callback carries no proof of origin, or the GraphQL request no valid API token' },
  // Callbacks
  invalid_encoding: { status: 400, meaning: 'the callback body is not valid UTF-8' },
  invalid_json: { status: 400, meaning: 'the callback body is not valid JSON' },
  not_an_object: { status: 400, meaning: 'the callback body is JSON but not an object' },
  ledger_delivery: {
    status: 400,
    meaning: "the body is a css-callback-ledger's standard-webhooks delivery, not a CSS callback: a forwarding destination points at a ledger's /callbacks",
  },
  bad_signature: { status: 401, meaning: 'sign does not match MD5(key + t) for any configured key' },
  bad_token: { status: 401, meaning: 'the URL token is not the configured callback token' },
  expired: { status: 401, meaning: 'the signature expired' },
  expiry_too_far: { status: 401, meaning: 'the signature expires further ahead than allowed' },
  quarantine_rate_limited: { status: 503, meaning: 'expired callbacks arrive faster than the quarantine takes them' },
  quarantine_full: { status: 503, meaning: 'the quarantine holds as many callbacks as it may' },
  overloaded: { status: 503, meaning: 'as many callbacks as allowed are being handled already' },
  store_unavailable: { status: 503, meaning: 'the event store cannot take or serve events right now' },
  // The event store's own refusals (they cross threads by these slugs)
  wrong_expected_revision: { status: 409, meaning: 'the stream was not at the revision the append expected' },
  invalid_argument: { status: 400, meaning: 'a value given to the event store is out of its range or of the wrong type' },
  corrupt_event_log: { status: 500, meaning: 'the event log is damaged; nothing was started' },
  schema_too_new: { status: 500, meaning: 'the event log was written by a newer build' },
  // WebSocket upgrades and GraphQL
  forbidden: { status: 403, meaning: 'an operations mutation without the admin token (401 when a token was missing or wrong)' },
  origin_not_allowed: { status: 403, meaning: 'the WebSocket comes from an origin not allowed' },
  host_not_allowed: {
    status: 403,
    meaning: 'GraphQL or a page asked under a public host name (Host) neither the machine\'s nor in ALLOWED_HOSTS, while no API token is required',
  },
  bad_user_input: { status: 400, meaning: 'an argument or variable is invalid' },
  document_too_large: { status: 413, meaning: 'the GraphQL document is over its limit' },
  query_too_costly: { status: 400, meaning: 'the query would cost more than allowed' },
  subscription_over_http: { status: 400, meaning: 'subscriptions are served over WebSocket' },
  too_many_subscriptions: { status: 400, meaning: 'the connection holds as many subscriptions as allowed' },
  too_many_websockets: { status: 503, meaning: 'as many GraphQL WebSockets as allowed are open (GRAPHQL_WS_MAX_CONNECTIONS): the rest of MAX_CONNECTIONS stays for callbacks' },
  too_many_statistics: { status: 503, meaning: 'as many statistics as allowed are being worked out and waiting already' },
  response_too_large: { status: 400, meaning: 'the answer grew past its limit; the fields after it were not produced' },
  // Apollo Server's own refusals, listed so that every code a client can meet is here
  graphql_parse_failed: { status: 400, meaning: 'the GraphQL document is not valid syntax' },
  graphql_validation_failed: { status: 400, meaning: 'the GraphQL document does not fit the schema' },
  operation_resolution_failure: { status: 400, meaning: 'the document holds several operations and operationName names none of them' },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorSlug = keyof typeof ERRORS;

/** Some of the slugs, checked against the catalogue: a slug it does not list does not compile. */
export type ErrorSlugs<Slug extends ErrorSlug> = Slug;

export const statusOf = (slug: ErrorSlug): number => ERRORS[slug].status;

/** GraphQL's convention for `extensions.code`: the slug in capitals (BAD_USER_INPUT), unless the entry names its own. */
export const graphqlCode = (slug: ErrorSlug): string => (ERRORS[slug] as ErrorEntry).graphqlCode ?? slug.toUpperCase();

export const isErrorSlug = (value: unknown): value is ErrorSlug => typeof value === 'string' && Object.hasOwn(ERRORS, value);

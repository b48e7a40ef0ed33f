// Service configuration from environment variables, validated once at start-up.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import proxyAddr from '@fastify/proxy-addr';
import { closest, distance } from 'fastest-levenshtein';
import type { CallbackAuthConfig } from './ingest/authenticateCallback';
import { allowedHosts, isAllowedHostEntry } from './http/allowedHosts';
import { connectionFileBudget, defaultMaxConnections, readOpenFileLimit } from './http/openFileLimit';
import type { CallbackQuarantineLimits } from './ingest/quarantineCallback';
import { GRAPHQL_EXPLORERS, type GraphqlConfig, type GraphqlExplorer } from './graphql/graphqlConfig';
import { DEFAULT_SUBSCRIBER_LIMITS } from './graphql/subscriber';
import { EVENTSTOREDB_FORWARDING_MODES, loadForwardConfig, type EventStoreDbForwardingMode, type ForwardConfig } from './forwarding/forwardConfig';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  eventStoreConnectionString: string | null;
  callbackAuth: CallbackAuthConfig;
  callbackQuarantine: CallbackQuarantineLimits;
  /** A rejected callback is logged in full once per slug in this many seconds, the others counted in one summary line; 0: each one. */
  callbackRejectionLogIntervalSeconds: number;
  callbackBodyLimitBytes: number;
  /** Fastify's trustProxy: false, true, or a comma-separated list of trusted proxy addresses/CIDRs. */
  trustProxy: boolean | string;
  logLevel: LogLevel;
  production: boolean;
  /** Authenticated callbacks handled at once at most (authentication to answer); beyond, they are answered 503 with Retry-After. */
  maxInflightAppends: number;
  /** Threads `rebuild` builds the read models on (the embedded store only); default one per core. */
  rebuildThreads: number;
  /** Nice value of the thread a running service rebuilds read models on (the embedded store only); 0 keeps the service's. */
  buildNiceness: number;
  /** Nice value of the thread the background read models are written on (the embedded store only); 0 keeps the service's. */
  backgroundNiceness: number;
  /** How long a client may take to send a whole request before the connection is cut. */
  httpRequestTimeoutMs: number;
  /** Open HTTP connections (WebSocket included) at most; further connections are refused at accept. */
  maxConnections: number;
  /** The process's open-file limit when it could be read: `serve` refuses one too low to run on. */
  openFileLimit: number | null;
  /** How long a keep-alive connection may wait for its next request before it is closed. */
  httpKeepAliveTimeoutMs: number;
  /** How long an append to EventStoreDB may take before it counts as failed (CSS gives up at 20 s). */
  appendTimeoutMs: number;
  graphql: GraphqlConfig;
  /** Hosts the dashboard may show images from (screenshots, moderated pictures), as Content-Security-Policy sources. */
  dashboardImageHosts: string[];
  forwarding: ForwardingConfig;
}

export interface ForwardingConfig {
  /** FORWARD_CONFIG's file, validated; null: nothing is forwarded. */
  file: string | null;
  config: ForwardConfig | null;
  /** How long in-flight deliveries may take to finish at shutdown. */
  shutdownGraceMs: number;
  /** On EventStoreDB: shared groups (deliveries shared between instances) or a checkpoint per instance. */
  eventStoreDbMode: EventStoreDbForwardingMode;
}

export type Environment = Record<string, string | undefined>;

/** Every environment variable the service reads: the README's table of settings. */
export const SETTINGS: readonly string[] = [
  'PORT', 'HOST', 'DATA_DIR', 'EVENTSTORE_CONNECTION_STRING', 'APPEND_TIMEOUT_MS',
  'CSS_CALLBACK_KEYS', 'CSS_CALLBACK_TOKEN', 'CSS_CALLBACK_CLOCK_SKEW_SECONDS', 'CSS_CALLBACK_MAX_EXPIRY_AHEAD_SECONDS',
  'CSS_CALLBACK_QUARANTINE_MAX_LATE_SECONDS', 'CSS_CALLBACK_QUARANTINE_PER_MINUTE', 'CSS_CALLBACK_QUARANTINE_MAX_UNPROMOTED',
  'CALLBACK_REJECTION_LOG_INTERVAL_SECONDS', 'CALLBACK_BODY_LIMIT_BYTES', 'TRUST_PROXY', 'MAX_INFLIGHT_APPENDS',
  'REBUILD_THREADS', 'BUILD_NICENESS', 'BACKGROUND_NICENESS', 'HTTP_REQUEST_TIMEOUT_MS', 'MAX_CONNECTIONS',
  'HTTP_KEEP_ALIVE_TIMEOUT_MS', 'GRAPHQL_API_TOKENS', 'GRAPHQL_INTROSPECTION', 'GRAPHQL_EXPLORER', 'GRAPHQL_MAX_DEPTH',
  'GRAPHQL_MAX_COST', 'GRAPHQL_MAX_ALIASES', 'GRAPHQL_MAX_DOCUMENT_BYTES', 'GRAPHQL_MAX_TOKENS', 'GRAPHQL_MAX_RESPONSE_BYTES',
  'GRAPHQL_LONG_ANSWER_SEND_TIMEOUT_MS', 'GRAPHQL_READING_THREADS', 'GRAPHQL_MAX_STATISTICS_AT_ONCE',
  'GRAPHQL_MAX_STATISTICS_WAITING', 'GRAPHQL_WS_MAX_PAYLOAD_BYTES', 'GRAPHQL_WS_MAX_CONNECTIONS', 'GRAPHQL_WS_PING_INTERVAL_MS',
  'GRAPHQL_WS_MESSAGES_PER_SECOND', 'GRAPHQL_WS_TOTAL_MESSAGES_PER_SECOND', 'GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET',
  'GRAPHQL_MAX_SUBSCRIPTIONS', 'GRAPHQL_SUBSCRIBER_MAX_PENDING_MESSAGES', 'GRAPHQL_SUBSCRIBER_MAX_PENDING_BYTES',
  'GRAPHQL_ALLOWED_ORIGINS', 'ALLOWED_HOSTS', 'DASHBOARD_IMAGE_HOSTS', 'ADMIN_TOKEN', 'FORWARD_CONFIG', 'FORWARD_SHUTDOWN_GRACE_MS',
  'FORWARD_EVENTSTOREDB_MODE', 'LOG_LEVEL', 'NODE_ENV',
];

/**
 * Prefixes only this service's variables have: a name with one that is not a setting is a mistake, however far off.
 * (Not EVENTSTORE_: EventStoreDB's own settings have it, and may share an environment with the service.)
 */
const OWN_PREFIXES = ['CSS_CALLBACK_', 'GRAPHQL_', 'FORWARD_'];

/**
 * One warning for each variable set in `env` that looks meant for this service but is none of its settings: a typo
 * (CSS_CALLBACK_KEY for CSS_CALLBACK_KEYS) leaves the default in place, which for the keys is no authentication.
 * Beside the service's own prefixes, a name two edits from a setting counts (not the environment's usual HOME or TERM).
 */
export function unknownSettings(env: Environment): string[] {
  return Object.keys(env)
    .filter((name) => env[name] !== undefined && !SETTINGS.includes(name))
    .sort()
    .flatMap((name) => {
      const nearest = closest(name, SETTINGS as string[]);
      const edits = distance(name, nearest);
      const own = OWN_PREFIXES.some((prefix) => name.startsWith(prefix));
      if (!own && (name.length < 6 || edits > 2)) return [];
      const guess = edits <= Math.max(2, Math.floor(name.length * 0.3)) ? `: did you mean ${nearest}?` : '';
      return [`${name} is set but is no setting of this service, and is ignored${guess}`];
    });
}

/** A bad value, reported as one line: variable, value, what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    readonly allowed: string,
  ) {
    super(`invalid configuration: ${variable}=${JSON.stringify(value)} is not allowed; expected ${allowed}`);
    this.name = 'ConfigError';
  }
}

/** FORWARD_CONFIG's file has mistakes: one line each. */
export class ForwardConfigError extends ConfigError {
  constructor(readonly lines: string[]) {
    super('FORWARD_CONFIG', '(file)', 'a valid file');
    this.message = lines.map((line) => `invalid configuration: FORWARD_CONFIG ${line}`).join('\n');
    this.name = 'ForwardConfigError';
  }
}

/** FORWARD_CONFIG's destinations, validated now so that a mistake stops the start, not the first delivery. */
function forwardingConfig(file: string | null, cwd: string, shutdownGraceMs: number, eventStoreDbMode: EventStoreDbForwardingMode): ForwardingConfig {
  if (file === null) return { file: null, config: null, shutdownGraceMs, eventStoreDbMode };
  const resolved = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch (error) {
    throw new ForwardConfigError([`${resolved}: cannot be read: ${(error as Error).message}`]);
  }
  const loaded = loadForwardConfig(text, path.basename(resolved));
  if (!loaded.ok) throw new ForwardConfigError(loaded.errors);
  return { file: resolved, config: loaded.config, shutdownGraceMs, eventStoreDbMode };
}

function reader(env: Environment) {
  const raw = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  return {
    string: (name: string, fallback: string): string => raw(name) ?? fallback,
    optional: (name: string): string | null => raw(name) ?? null,
    integer(name: string, fallback: number, min: number, max: number): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
        throw new ConfigError(name, value, `an integer from ${min} to ${max}`);
      }
      return parsed;
    },
    oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (!allowed.includes(value as T)) throw new ConfigError(name, value, `one of ${allowed.join(', ')}`);
      return value as T;
    },
    boolean(name: string, fallback: boolean): boolean {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (value !== 'true' && value !== 'false') throw new ConfigError(name, value, 'true or false');
      return value === 'true';
    },
    list(name: string): string[] {
      const value = raw(name);
      if (value === undefined) return [];
      const items = value.split(',').map((item) => item.trim());
      if (items.some((item) => item === '')) throw new ConfigError(name, value, 'a comma-separated list without empty entries');
      return items;
    },
  };
}

/** `true` and `false`, from when the explorer was Apollo's or none, mean GraphiQL and none now. */
function explorerChoice(value: GraphqlExplorer | 'true' | 'false'): GraphqlExplorer {
  if (value === 'true') return 'graphiql';
  return value === 'false' ? 'off' : value;
}

/** `scheme://host[:port]` of each http(s) origin (as browsers send it in `Origin`); a path or a query is refused. */
function webOrigins(name: string, values: string[]): string[] {
  return values.map((value) => {
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      // refused below
    }
    const bare = url !== null && url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
    // A wildcard would parse as a host name and then match nothing: refused rather than silently useless.
    if (url === null || !bare || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname.includes('*')) {
      throw new ConfigError(name, value, 'comma-separated origins such as https://ops.example.com or http://localhost:3000');
    }
    return url.origin;
  });
}

/** Host names, possibly `*.`-prefixed, or `*`: checked here so that a URL or a port is refused at start-up, naming the entry. */
function hostNames(name: string, values: string[]): string[] {
  const refused = values.find((value) => !isAllowedHostEntry(value));
  if (refused !== undefined) throw new ConfigError(name, refused, 'comma-separated host names such as ledger.example.com or *.example.com, or * for any');
  return values;
}

/** `scheme://host[:port]`, the host possibly `*.`-prefixed: CSP host sources, nothing that could end the directive. */
const IMAGE_HOST = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/;

function imageHostSources(name: string, values: string[]): string[] {
  return values.map((value) => {
    const source = value.toLowerCase();
    if (!IMAGE_HOST.test(source)) throw new ConfigError(name, value, 'comma-separated image hosts such as https://screenshots.example.com or https://*.myqcloud.com');
    return source;
  });
}

/** TRUST_PROXY as Fastify takes it, its entries checked here by the library Fastify compiles them with (else a stack trace once the store is open). */
function trustedProxies(value: string): boolean | string {
  if (value === 'true' || value === 'false') return value === 'true';
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    try {
      proxyAddr.compile(entry);
    } catch {
      throw new ConfigError('TRUST_PROXY', entry, 'true, false, or comma-separated proxy addresses and CIDRs such as 10.0.0.0/8 (or loopback, linklocal, uniquelocal)');
    }
  }
  return entries.join(',');
}

export function loadConfig(env: Environment, cwd = process.cwd(), openFileLimit = readOpenFileLimit()): Config {
  const read = reader(env);

  const host = read.string('HOST', '0.0.0.0');
  if (/\s/.test(host)) throw new ConfigError('HOST', host, 'a host name or IP address');

  const eventStoreConnectionString = read.optional('EVENTSTORE_CONNECTION_STRING');
  if (eventStoreConnectionString !== null && !/^esdb(\+discover)?:\/\/\S+$/.test(eventStoreConnectionString)) {
    throw new ConfigError('EVENTSTORE_CONNECTION_STRING', eventStoreConnectionString, 'an esdb:// or esdb+discover:// URL');
  }

  const token = read.optional('CSS_CALLBACK_TOKEN');
  if (token !== null && !/^[\x21-\x7e]{8,256}$/.test(token)) {
    throw new ConfigError('CSS_CALLBACK_TOKEN', '(hidden)', '8 to 256 visible ASCII characters, usable in a URL');
  }

  const clockSkewSeconds = read.integer('CSS_CALLBACK_CLOCK_SKEW_SECONDS', 60, 0, 3600);
  // CSS signs t = event_time + 600 (its sample); the skew allows for clocks that disagree.
  const maxExpiryAheadSeconds = read.integer('CSS_CALLBACK_MAX_EXPIRY_AHEAD_SECONDS', 600 + clockSkewSeconds, 60, 7 * 86_400);
  const quarantineMaxLateSeconds = read.integer('CSS_CALLBACK_QUARANTINE_MAX_LATE_SECONDS', 86_400, 0, 7 * 86_400);
  if (quarantineMaxLateSeconds !== 0 && quarantineMaxLateSeconds <= clockSkewSeconds) {
    throw new ConfigError(
      'CSS_CALLBACK_QUARANTINE_MAX_LATE_SECONDS',
      String(quarantineMaxLateSeconds),
      `0 (no quarantine) or more than CSS_CALLBACK_CLOCK_SKEW_SECONDS (${clockSkewSeconds})`,
    );
  }

  const trustProxy = trustedProxies(read.string('TRUST_PROXY', 'false'));

  const production = read.string('NODE_ENV', 'development') === 'production';
  const apiTokens = read.list('GRAPHQL_API_TOKENS');
  if (apiTokens.some((t) => !/^[\x21-\x7e]{16,512}$/.test(t))) {
    throw new ConfigError('GRAPHQL_API_TOKENS', '(hidden)', 'comma-separated tokens of 16 to 512 visible ASCII characters');
  }

  const adminToken = read.optional('ADMIN_TOKEN');
  if (adminToken !== null && !/^[\x21-\x7e]{16,512}$/.test(adminToken)) {
    throw new ConfigError('ADMIN_TOKEN', '(hidden)', 'a token of 16 to 512 visible ASCII characters');
  }

  const forwarding = forwardingConfig(
    read.optional('FORWARD_CONFIG'),
    cwd,
    read.integer('FORWARD_SHUTDOWN_GRACE_MS', 5_000, 0, 120_000),
    read.oneOf('FORWARD_EVENTSTOREDB_MODE', 'shared', EVENTSTOREDB_FORWARDING_MODES),
  );
  // Each destination keeps up to `concurrency` connections open: descriptors the clients' connections cannot have.
  const forwardingSockets = (forwarding.config?.destinations ?? []).reduce((sum, destination) => sum + destination.concurrency, 0);
  const budget = connectionFileBudget(openFileLimit, forwardingSockets);
  const maxConnections = read.integer('MAX_CONNECTIONS', defaultMaxConnections(openFileLimit, forwardingSockets), 1, 1_000_000);
  // Above what the open-file limit leaves, accepts (and the store's files) would fail for want of descriptors first.
  if (openFileLimit !== null && maxConnections > budget) {
    const kept = openFileLimit - budget - forwardingSockets;
    const forwarded = forwardingSockets === 0 ? '' : ` and ${forwardingSockets} for forwarding's connections (its destinations' concurrency)`;
    const allowed = `an integer from 1 to ${budget} (the open-file limit ${openFileLimit} less ${kept} kept for files, threads and outgoing connections${forwarded})`;
    throw new ConfigError('MAX_CONNECTIONS', String(maxConnections), allowed);
  }

  return {
    port: read.integer('PORT', 4000, 0, 65535),
    host,
    dataDir: path.resolve(cwd, read.string('DATA_DIR', './data')),
    eventStoreConnectionString,
    callbackAuth: {
      keys: read.list('CSS_CALLBACK_KEYS'),
      token,
      clockSkewSeconds,
      maxExpiryAheadSeconds,
      quarantineMaxLateSeconds,
    },
    callbackQuarantine: {
      perMinute: read.integer('CSS_CALLBACK_QUARANTINE_PER_MINUTE', 600, 1, 1_000_000),
      maxUnpromoted: read.integer('CSS_CALLBACK_QUARANTINE_MAX_UNPROMOTED', 10_000, 1, 10_000_000),
    },
    callbackRejectionLogIntervalSeconds: read.integer('CALLBACK_REJECTION_LOG_INTERVAL_SECONDS', 60, 0, 86_400),
    callbackBodyLimitBytes: read.integer('CALLBACK_BODY_LIMIT_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
    trustProxy,
    logLevel: read.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    production,
    maxInflightAppends: read.integer('MAX_INFLIGHT_APPENDS', 1000, 1, 1_000_000),
    rebuildThreads: read.integer('REBUILD_THREADS', os.availableParallelism(), 1, 64),
    buildNiceness: read.integer('BUILD_NICENESS', 10, 0, 19),
    backgroundNiceness: read.integer('BACKGROUND_NICENESS', 10, 0, 19),
    httpRequestTimeoutMs: read.integer('HTTP_REQUEST_TIMEOUT_MS', 15_000, 100, 600_000),
    maxConnections,
    openFileLimit,
    httpKeepAliveTimeoutMs: read.integer('HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    appendTimeoutMs: read.integer('APPEND_TIMEOUT_MS', 5_000, 100, 19_000),
    graphql: {
      apiTokens,
      introspection: read.boolean('GRAPHQL_INTROSPECTION', !production),
      explorer: explorerChoice(read.oneOf('GRAPHQL_EXPLORER', production ? 'off' : 'graphiql', [...GRAPHQL_EXPLORERS, 'true', 'false'])),
      suggestions: !production,
      maxDepth: read.integer('GRAPHQL_MAX_DEPTH', 10, 2, 100),
      maxCost: read.integer('GRAPHQL_MAX_COST', 5_000, 10, 10_000_000),
      maxAliases: read.integer('GRAPHQL_MAX_ALIASES', 15, 1, 1000),
      maxTokens: read.integer('GRAPHQL_MAX_TOKENS', 1_000, 100, 1_000_000),
      webSocketMaxPayloadBytes: read.integer('GRAPHQL_WS_MAX_PAYLOAD_BYTES', 256 * 1024, 1024, 16 * 1024 * 1024),
      // Half of the connections by default: a WebSocket stays open for as long as its client likes, a callback's connection does not.
      maxWebSockets: read.integer('GRAPHQL_WS_MAX_CONNECTIONS', Math.max(1, Math.floor(maxConnections / 2)), 1, maxConnections),
      webSocketPingIntervalMs: read.integer('GRAPHQL_WS_PING_INTERVAL_MS', 30_000, 1_000, 600_000),
      webSocketMessageRates: {
        perSocket: read.integer('GRAPHQL_WS_MESSAGES_PER_SECOND', 20, 1, 1_000_000),
        allSockets: read.integer('GRAPHQL_WS_TOTAL_MESSAGES_PER_SECOND', 1_000, 1, 10_000_000),
      },
      maxSubscriptionsPerSocket: read.integer('GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET', 200, 1, 100_000),
      maxSubscriptions: read.integer('GRAPHQL_MAX_SUBSCRIPTIONS', 10_000, 1, 10_000_000),
      subscriberLimits: {
        maxPendingMessages: read.integer('GRAPHQL_SUBSCRIBER_MAX_PENDING_MESSAGES', DEFAULT_SUBSCRIBER_LIMITS.maxPendingMessages, 1, 10_000_000),
        maxPendingBytes: read.integer('GRAPHQL_SUBSCRIBER_MAX_PENDING_BYTES', DEFAULT_SUBSCRIBER_LIMITS.maxPendingBytes, 1024, 1024 * 1024 * 1024),
      },
      allowedOrigins: webOrigins('GRAPHQL_ALLOWED_ORIGINS', read.list('GRAPHQL_ALLOWED_ORIGINS')),
      // With tokens, a page reached under another site's name holds none: only an open API needs the names checked.
      allowedHosts: apiTokens.length > 0 ? null : allowedHosts(hostNames('ALLOWED_HOSTS', read.list('ALLOWED_HOSTS')), os.hostname()),
      maxDocumentBytes: read.integer('GRAPHQL_MAX_DOCUMENT_BYTES', 64 * 1024, 1024, 1024 * 1024),
      maxResponseBytes: read.integer('GRAPHQL_MAX_RESPONSE_BYTES', 8 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
      longAnswerSendTimeoutMs: read.integer('GRAPHQL_LONG_ANSWER_SEND_TIMEOUT_MS', 60_000, 100, 3_600_000),
      statistics: {
        atOnce: read.integer('GRAPHQL_MAX_STATISTICS_AT_ONCE', 2, 1, 64),
        waiting: read.integer('GRAPHQL_MAX_STATISTICS_WAITING', 20, 0, 10_000),
      },
      readingThreads: read.integer('GRAPHQL_READING_THREADS', 1, 0, 16),
      adminToken,
    },
    forwarding,
    dashboardImageHosts: imageHostSources('DASHBOARD_IMAGE_HOSTS', read.list('DASHBOARD_IMAGE_HOSTS')),
  };
}

// Service configuration from environment variables, validated once at start-up.
import path from 'node:path';
import type { CallbackAuthConfig } from './ingest/authenticateCallback';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  eventStoreConnectionString: string | null;
  callbackAuth: CallbackAuthConfig;
  callbackBodyLimitBytes: number;
  /** Fastify's trustProxy: false, true, or a comma-separated list of trusted proxy addresses/CIDRs. */
  trustProxy: boolean | string;
  logLevel: LogLevel;
  production: boolean;
  /** Callbacks handled at once at most (headers to answer); beyond, they are answered 503 with Retry-After. */
  maxInflightAppends: number;
  /** How long a client may take to send a whole request before the connection is cut. */
  httpRequestTimeoutMs: number;
  /** How long an append to EventStoreDB may take before it counts as failed (CSS gives up at 20 s). */
  appendTimeoutMs: number;
  graphql: GraphqlConfig;
}

export interface GraphqlConfig {
  /** Bearer tokens that may use /graphql; empty means open. */
  apiTokens: string[];
  introspection: boolean;
  explorer: boolean;
  /** "Did you mean ...?" in errors: names of the schema's fields and types; off in production. */
  suggestions: boolean;
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  /** Largest query document accepted, in bytes (UTF-8). */
  maxDocumentBytes: number;
  /** Largest answer to one operation (or one subscription event), in bytes of JSON, estimated as it is produced. */
  maxResponseBytes: number;
}

export type Environment = Record<string, string | undefined>;

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

export function loadConfig(env: Environment, cwd = process.cwd()): Config {
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

  const trustProxyValue = read.string('TRUST_PROXY', 'false');
  const trustProxy = trustProxyValue === 'true' ? true : trustProxyValue === 'false' ? false : trustProxyValue;

  const production = read.string('NODE_ENV', 'development') === 'production';
  const apiTokens = read.list('GRAPHQL_API_TOKENS');
  if (apiTokens.some((t) => !/^[\x21-\x7e]{16,512}$/.test(t))) {
    throw new ConfigError('GRAPHQL_API_TOKENS', '(hidden)', 'comma-separated tokens of 16 to 512 visible ASCII characters');
  }

  return {
    port: read.integer('PORT', 4000, 0, 65535),
    host,
    dataDir: path.resolve(cwd, read.string('DATA_DIR', './data')),
    eventStoreConnectionString,
    callbackAuth: {
      keys: read.list('CSS_CALLBACK_KEYS'),
      token,
      clockSkewSeconds: read.integer('CSS_CALLBACK_CLOCK_SKEW_SECONDS', 60, 0, 3600),
    },
    callbackBodyLimitBytes: read.integer('CALLBACK_BODY_LIMIT_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
    trustProxy,
    logLevel: read.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    production,
    maxInflightAppends: read.integer('MAX_INFLIGHT_APPENDS', 1000, 1, 1_000_000),
    httpRequestTimeoutMs: read.integer('HTTP_REQUEST_TIMEOUT_MS', 15_000, 100, 600_000),
    appendTimeoutMs: read.integer('APPEND_TIMEOUT_MS', 5_000, 100, 19_000),
    graphql: {
      apiTokens,
      introspection: read.boolean('GRAPHQL_INTROSPECTION', !production),
      explorer: read.boolean('GRAPHQL_EXPLORER', !production),
      suggestions: !production,
      maxDepth: read.integer('GRAPHQL_MAX_DEPTH', 10, 2, 100),
      maxCost: read.integer('GRAPHQL_MAX_COST', 5_000, 10, 10_000_000),
      maxAliases: read.integer('GRAPHQL_MAX_ALIASES', 15, 1, 1000),
      maxDocumentBytes: read.integer('GRAPHQL_MAX_DOCUMENT_BYTES', 64 * 1024, 1024, 1024 * 1024),
      maxResponseBytes: read.integer('GRAPHQL_MAX_RESPONSE_BYTES', 8 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    },
  };
}

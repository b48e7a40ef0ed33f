import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, SETTINGS, unknownSettings } from '../../src/config';

describe('loadConfig', () => {
  it('has defaults that run the service on the embedded store with authentication off', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      dataDir: '/srv/app/data',
      eventStoreConnectionString: null,
      callbackAuth: { keys: [], token: null, clockSkewSeconds: 60, maxExpiryAheadSeconds: 660, quarantineMaxLateSeconds: 86_400 },
      callbackQuarantine: { perMinute: 600, maxUnpromoted: 10_000 },
      callbackRejectionLogIntervalSeconds: 60,
      callbackBodyLimitBytes: 65536,
      trustProxy: false,
      logLevel: 'info',
      production: false,
      maxInflightAppends: 1000,
      rebuildThreads: os.availableParallelism(),
      buildNiceness: 10,
      backgroundNiceness: 10,
      httpRequestTimeoutMs: 15_000,
      httpKeepAliveTimeoutMs: 5_000,
      appendTimeoutMs: 5_000,
      graphql: {
        apiTokens: [],
        introspection: true,
        explorer: 'graphiql',
        suggestions: true,
        maxDepth: 10,
        maxCost: 5_000,
        maxAliases: 15,
        maxTokens: 1_000,
        webSocketMaxPayloadBytes: 256 * 1024,
        maxSubscriptionsPerSocket: 200,
        maxSubscriptions: 10_000,
        subscriberLimits: { maxPendingMessages: 10_000, maxPendingBytes: 8 * 1024 * 1024 },
        allowedOrigins: [],
        maxDocumentBytes: 65_536,
        maxResponseBytes: 8_388_608,
        longAnswerSendTimeoutMs: 60_000,
        statistics: { atOnce: 2, waiting: 20 },
        readingThreads: 1,
      },
    });
  });

  it('turns the GraphQL explorer and introspection off in production unless enabled', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).graphql).toMatchObject({ introspection: false, explorer: 'off', suggestions: false });
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).graphql).toMatchObject({ introspection: true, explorer: 'off' });
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_EXPLORER: 'graphiql' }).graphql.explorer).toBe('graphiql');
    expect(() => loadConfig({ GRAPHQL_EXPLORER: 'yes' })).toThrow('GRAPHQL_EXPLORER="yes" is not allowed; expected one of graphiql, apollo, off, true, false');
  });

  it('shares forwarding on EventStoreDB unless FORWARD_EVENTSTOREDB_MODE asks for a checkpoint per instance', () => {
    expect(loadConfig({}).forwarding.eventStoreDbMode).toBe('shared');
    expect(loadConfig({ FORWARD_EVENTSTOREDB_MODE: 'checkpoint' }).forwarding.eventStoreDbMode).toBe('checkpoint');
    expect(() => loadConfig({ FORWARD_EVENTSTOREDB_MODE: 'both' })).toThrow('FORWARD_EVENTSTOREDB_MODE="both" is not allowed; expected one of shared, checkpoint');
  });

  it('picks the GraphQL explorer by name, with true and false meaning GraphiQL and none', () => {
    const explorer = (value: string) => loadConfig({ GRAPHQL_EXPLORER: value }).graphql.explorer;
    expect(['graphiql', 'apollo', 'off', 'true', 'false'].map(explorer)).toEqual(['graphiql', 'apollo', 'off', 'graphiql', 'off']);
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        HOST: '127.0.0.1',
        DATA_DIR: '/var/lib/ledger',
        EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false',
        CSS_CALLBACK_KEYS: 'old-key, new-key',
        CSS_CALLBACK_TOKEN: 'a-long-url-token',
        CSS_CALLBACK_CLOCK_SKEW_SECONDS: '5',
        CSS_CALLBACK_MAX_EXPIRY_AHEAD_SECONDS: '900',
        CSS_CALLBACK_QUARANTINE_MAX_LATE_SECONDS: '3600',
        CSS_CALLBACK_QUARANTINE_PER_MINUTE: '30',
        CSS_CALLBACK_QUARANTINE_MAX_UNPROMOTED: '500',
        CALLBACK_REJECTION_LOG_INTERVAL_SECONDS: '10',
        CALLBACK_BODY_LIMIT_BYTES: '2048',
        TRUST_PROXY: '10.0.0.0/8',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        MAX_INFLIGHT_APPENDS: '64',
        REBUILD_THREADS: '3',
        BUILD_NICENESS: '15',
        BACKGROUND_NICENESS: '0',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
        MAX_CONNECTIONS: '500',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000',
        APPEND_TIMEOUT_MS: '3000',
        GRAPHQL_API_TOKENS: 'dashboard-token-0123456789,tools-token-0123456789ab',
        GRAPHQL_INTROSPECTION: 'true',
        GRAPHQL_EXPLORER: 'apollo',
        GRAPHQL_MAX_DEPTH: '6',
        GRAPHQL_MAX_COST: '1000',
        GRAPHQL_MAX_ALIASES: '5',
        GRAPHQL_MAX_TOKENS: '500',
        GRAPHQL_WS_MAX_PAYLOAD_BYTES: '65536',
        GRAPHQL_WS_MAX_CONNECTIONS: '120',
        GRAPHQL_WS_MESSAGES_PER_SECOND: '5',
        GRAPHQL_WS_PING_INTERVAL_MS: '10000',
        GRAPHQL_WS_TOTAL_MESSAGES_PER_SECOND: '200',
        GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET: '20',
        GRAPHQL_MAX_SUBSCRIPTIONS: '500',
        GRAPHQL_SUBSCRIBER_MAX_PENDING_MESSAGES: '1000',
        GRAPHQL_SUBSCRIBER_MAX_PENDING_BYTES: '1048576',
        GRAPHQL_ALLOWED_ORIGINS: 'https://ops.example.com, HTTP://LOCALHOST:3000/',
        ALLOWED_HOSTS: 'ledger.example.com',
        GRAPHQL_MAX_DOCUMENT_BYTES: '4096',
        GRAPHQL_MAX_RESPONSE_BYTES: '1000000',
        GRAPHQL_LONG_ANSWER_SEND_TIMEOUT_MS: '5000',
        GRAPHQL_MAX_STATISTICS_AT_ONCE: '4',
        GRAPHQL_MAX_STATISTICS_WAITING: '0',
        GRAPHQL_READING_THREADS: '3',
        ADMIN_TOKEN: 'admin-token-0123456789',
        FORWARD_SHUTDOWN_GRACE_MS: '2500',
        DASHBOARD_IMAGE_HOSTS: 'https://Screens.example.com, https://*.myqcloud.com:8443',
        FORWARD_EVENTSTOREDB_MODE: 'checkpoint',
      },
      '/srv/app',
    );
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/var/lib/ledger',
      eventStoreConnectionString: 'esdb://localhost:2113?tls=false',
      callbackAuth: {
        keys: ['old-key', 'new-key'],
        token: 'a-long-url-token',
        clockSkewSeconds: 5,
        maxExpiryAheadSeconds: 900,
        quarantineMaxLateSeconds: 3600,
      },
      callbackQuarantine: { perMinute: 30, maxUnpromoted: 500 },
      callbackRejectionLogIntervalSeconds: 10,
      callbackBodyLimitBytes: 2048,
      trustProxy: '10.0.0.0/8',
      logLevel: 'warn',
      production: true,
      maxInflightAppends: 64,
      rebuildThreads: 3,
      buildNiceness: 15,
      backgroundNiceness: 0,
      httpRequestTimeoutMs: 2000,
      maxConnections: 500,
      openFileLimit: 20_000,
      httpKeepAliveTimeoutMs: 4000,
      appendTimeoutMs: 3000,
      graphql: {
        apiTokens: ['dashboard-token-0123456789', 'tools-token-0123456789ab'],
        introspection: true,
        explorer: 'apollo',
        suggestions: false,
        maxDepth: 6,
        maxCost: 1000,
        maxAliases: 5,
        maxTokens: 500,
        webSocketMaxPayloadBytes: 65536,
        maxWebSockets: 120,
        webSocketMessageRates: { perSocket: 5, allSockets: 200 },
        webSocketPingIntervalMs: 10000,
        maxSubscriptionsPerSocket: 20,
        maxSubscriptions: 500,
        subscriberLimits: { maxPendingMessages: 1000, maxPendingBytes: 1048576 },
        allowedOrigins: ['https://ops.example.com', 'http://localhost:3000'],
        // Tokens are required: no host name is checked.
        allowedHosts: null,
        maxDocumentBytes: 4096,
        maxResponseBytes: 1_000_000,
        longAnswerSendTimeoutMs: 5_000,
        statistics: { atOnce: 4, waiting: 0 },
        readingThreads: 3,
        adminToken: 'admin-token-0123456789',
      },
      forwarding: { file: null, config: null, shutdownGraceMs: 2500, eventStoreDbMode: 'checkpoint' },
      dashboardImageHosts: ['https://screens.example.com', 'https://*.myqcloud.com:8443'],
    });
  });

  it('bounds t ahead by 10 minutes plus the clock skew unless told otherwise', () => {
    expect(loadConfig({ CSS_CALLBACK_CLOCK_SKEW_SECONDS: '30' }).callbackAuth.maxExpiryAheadSeconds).toBe(630);
  });

  it('refuses a quarantine that could never take a callback (late by no more than the skew allows anyway)', () => {
    expect(() => loadConfig({ CSS_CALLBACK_QUARANTINE_MAX_LATE_SECONDS: '60' })).toThrow(
      'CSS_CALLBACK_QUARANTINE_MAX_LATE_SECONDS="60" is not allowed; expected 0 (no quarantine) or more than CSS_CALLBACK_CLOCK_SKEW_SECONDS (60)',
    );
    expect(loadConfig({ CSS_CALLBACK_QUARANTINE_MAX_LATE_SECONDS: '0' }).callbackAuth.quarantineMaxLateSeconds).toBe(0);
  });

  it('refuses GRAPHQL_ALLOWED_ORIGINS entries that are not bare http(s) origins, naming the entry', () => {
    for (const bad of ['ops.example.com', 'https://ops.example.com/dashboard', 'https://ops.example.com?x=1', 'ftp://ops.example.com', 'https://*.example.com', 'null']) {
      expect(() => loadConfig({ GRAPHQL_ALLOWED_ORIGINS: `https://fine.example.com,${bad}` })).toThrow(
        `GRAPHQL_ALLOWED_ORIGINS=${JSON.stringify(bad)} is not allowed; expected comma-separated origins`,
      );
    }
  });

  it('checks the host names browsers use only while no API token is required, and refuses ALLOWED_HOSTS entries that are not host names', () => {
    const open = loadConfig({ ALLOWED_HOSTS: 'Ledger.Example.com, *.ops.example.com' }).graphql.allowedHosts;
    expect(open).toEqual({ names: new Set([os.hostname().toLowerCase(), 'ledger.example.com']), suffixes: ['ops.example.com'] });
    expect(loadConfig({ ALLOWED_HOSTS: '*' }).graphql.allowedHosts).toBeNull();
    expect(loadConfig({ GRAPHQL_API_TOKENS: 'dashboard-token-0123456789', ALLOWED_HOSTS: 'ledger.example.com' }).graphql.allowedHosts).toBeNull();
    for (const bad of ['https://ledger.example.com', 'ledger.example.com:4000', 'ledger.*.com', 'ledger example', '-ledger.example.com']) {
      expect(() => loadConfig({ ALLOWED_HOSTS: `fine.example.com,${bad}` })).toThrow(
        `ALLOWED_HOSTS=${JSON.stringify(bad)} is not allowed; expected comma-separated host names`,
      );
    }
  });

  it('shows dashboard images from no other host by default, and refuses DASHBOARD_IMAGE_HOSTS entries that are not plain hosts, naming the entry', () => {
    expect(loadConfig({}).dashboardImageHosts).toEqual([]);
    for (const bad of ['screens.example.com', 'https://screens.example.com/path', "https://a.example.com 'unsafe-inline'", 'https://a.example.com;script-src', '*', 'data:', 'https://a.*.example.com']) {
      expect(() => loadConfig({ DASHBOARD_IMAGE_HOSTS: `https://fine.example.com,${bad}` })).toThrow(
        `DASHBOARD_IMAGE_HOSTS=${JSON.stringify(bad)} is not allowed; expected comma-separated image hosts`,
      );
    }
  });

  it('takes TRUST_PROXY as true, false or proxy addresses, and refuses an entry that is none, naming it', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8 , loopback,fd00::/8' }).trustProxy).toBe('10.0.0.0/8,loopback,fd00::/8');
    for (const bad of ['maybe', '10.0.0.0/99', 'yes', '300.1.1.1', '']) {
      expect(() => loadConfig({ TRUST_PROXY: `10.0.0.1,${bad}` })).toThrow(
        `TRUST_PROXY=${JSON.stringify(bad)} is not allowed; expected true, false, or comma-separated proxy addresses and CIDRs`,
      );
    }
  });

  it('keeps GraphQL WebSockets to half of MAX_CONNECTIONS unless told otherwise, never to more than MAX_CONNECTIONS', () => {
    expect(loadConfig({ MAX_CONNECTIONS: '500' }).graphql.maxWebSockets).toBe(250);
    expect(loadConfig({ MAX_CONNECTIONS: '1' }).graphql.maxWebSockets).toBe(1);
    expect(loadConfig({ MAX_CONNECTIONS: '500', GRAPHQL_WS_MAX_CONNECTIONS: '500' }).graphql.maxWebSockets).toBe(500);
    expect(() => loadConfig({ MAX_CONNECTIONS: '500', GRAPHQL_WS_MAX_CONNECTIONS: '501' })).toThrow('GRAPHQL_WS_MAX_CONNECTIONS="501" is not allowed; expected an integer from 1 to 500');
  });

  it('refuses subscription bounds out of range', () => {
    expect(() => loadConfig({ GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET: '0' })).toThrow('GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET="0"');
    expect(() => loadConfig({ GRAPHQL_SUBSCRIBER_MAX_PENDING_BYTES: '100' })).toThrow('an integer from 1024 to 1073741824');
    expect(() => loadConfig({ GRAPHQL_WS_MAX_PAYLOAD_BYTES: '1e6' })).toThrow('GRAPHQL_WS_MAX_PAYLOAD_BYTES="1e6"');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', CSS_CALLBACK_KEYS: ' ' }).port).toBe(4000);
  });

  it.each([
    ['PORT', 'abc', 'PORT="abc" is not allowed; expected an integer from 0 to 65535'],
    ['PORT', '70000', 'PORT="70000" is not allowed; expected an integer from 0 to 65535'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL="loud" is not allowed; expected one of fatal, error, warn, info, debug, trace, silent'],
    ['CSS_CALLBACK_KEYS', 'a,,b', 'CSS_CALLBACK_KEYS="a,,b" is not allowed; expected a comma-separated list without empty entries'],
    ['EVENTSTORE_CONNECTION_STRING', 'http://x', 'EVENTSTORE_CONNECTION_STRING="http://x" is not allowed; expected an esdb:// or esdb+discover:// URL'],
    ['CALLBACK_BODY_LIMIT_BYTES', '10', 'CALLBACK_BODY_LIMIT_BYTES="10" is not allowed; expected an integer from 1024 to 16777216'],
    ['GRAPHQL_MAX_DOCUMENT_BYTES', '100', 'GRAPHQL_MAX_DOCUMENT_BYTES="100" is not allowed; expected an integer from 1024 to 1048576'],
    ['REBUILD_THREADS', '0', 'REBUILD_THREADS="0" is not allowed; expected an integer from 1 to 64'],
    ['BUILD_NICENESS', '20', 'BUILD_NICENESS="20" is not allowed; expected an integer from 0 to 19'],
    ['BACKGROUND_NICENESS', '-1', 'BACKGROUND_NICENESS="-1" is not allowed; expected an integer from 0 to 19'],
    ['GRAPHQL_MAX_RESPONSE_BYTES', '1kB', 'GRAPHQL_MAX_RESPONSE_BYTES="1kB" is not allowed; expected an integer from 65536 to 1073741824'],
  ])('rejects %s=%s with one line naming variable, value and what is allowed', (name, value, line) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(`invalid configuration: ${line}`);
  });

  it('bounds connections by the open-file limit: the default leaves room for files, at most 10,000; more is refused', () => {
    expect(loadConfig({}, '/srv/app', 20_000).maxConnections).toBe(10_000);
    expect(loadConfig({}, '/srv/app', 4096).maxConnections).toBe(3840);
    expect(loadConfig({}, '/srv/app', 1024).maxConnections).toBe(768);
    expect(loadConfig({}, '/srv/app', null).maxConnections).toBe(768); // unknown: 1024 assumed
    expect(loadConfig({ MAX_CONNECTIONS: '3840' }, '/srv/app', 4096).maxConnections).toBe(3840);
    expect(() => loadConfig({ MAX_CONNECTIONS: '3841' }, '/srv/app', 4096)).toThrow(
      'MAX_CONNECTIONS="3841" is not allowed; expected an integer from 1 to 3840 (the open-file limit 4096 less 256 kept for files, threads and outgoing connections)',
    );
    expect(loadConfig({ MAX_CONNECTIONS: '50000' }, '/srv/app', null).maxConnections).toBe(50_000);
    expect(() => loadConfig({ MAX_CONNECTIONS: '0' })).toThrow('MAX_CONNECTIONS="0" is not allowed; expected an integer from 1 to 1000000');
  });

  it("keeps room for forwarding's connections: each destination's concurrency is taken from what clients may have", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'config-'));
    try {
      const destination = (name: string, concurrency: number) => ({ name, url: `https://${name}.example.com/in`, format: 'raw', concurrency });
      writeFileSync(path.join(dir, 'forward.json'), JSON.stringify({ destinations: [destination('billing', 100), destination('audit', 28)] }));
      const env = { FORWARD_CONFIG: 'forward.json' };
      expect(loadConfig(env, dir, 4096).maxConnections).toBe(3840 - 128);
      expect(loadConfig(env, dir, 1_048_576).maxConnections).toBe(10_000);
      expect(() => loadConfig({ ...env, MAX_CONNECTIONS: '3840' }, dir, 4096)).toThrow(
        "MAX_CONNECTIONS=\"3840\" is not allowed; expected an integer from 1 to 3712 (the open-file limit 4096 less 256 kept for files, threads and outgoing connections and 128 for forwarding's connections (its destinations' concurrency))",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not print a bad token back', () => {
    expect(() => loadConfig({ CSS_CALLBACK_TOKEN: 'short' })).toThrow('CSS_CALLBACK_TOKEN="(hidden)" is not allowed');
  });
});

describe('unknownSettings', () => {
  it('warns of a variable meant for the service that is none of its settings, with the setting it most likely meant', () => {
    const env = { CSS_CALLBACK_KEY: 'k', DATADIR: '/srv', LOGLEVEL: 'debug', GRAPHQL_SOMETHING_ELSE: '1', EVENTSTORE_CONNECTION_STRNG: 'esdb://x', CSS_CALLBACK_KEYS: 'k', PORT: '1' };
    expect(unknownSettings(env)).toEqual([
      'CSS_CALLBACK_KEY is set but is no setting of this service, and is ignored: did you mean CSS_CALLBACK_KEYS?',
      'DATADIR is set but is no setting of this service, and is ignored: did you mean DATA_DIR?',
      'EVENTSTORE_CONNECTION_STRNG is set but is no setting of this service, and is ignored: did you mean EVENTSTORE_CONNECTION_STRING?',
      'GRAPHQL_SOMETHING_ELSE is set but is no setting of this service, and is ignored',
      'LOGLEVEL is set but is no setting of this service, and is ignored: did you mean LOG_LEVEL?',
    ]);
  });

  it("leaves the environment's own variables alone, those close to a setting's name included", () => {
    const env: Record<string, string> = { HOME: '/root', HOSTNAME: 'box', PATH: '/bin', TERM: 'xterm', HTTP_PROXY: 'http://p', HTTPS_PROXY: 'http://p', NO_PROXY: '*', NODE_OPTIONS: '', LANG: 'C' };
    // EventStoreDB's own settings, in an environment shared with it (docker-compose.yml's, say).
    Object.assign(env, { EVENTSTORE_INSECURE: 'true', EVENTSTORE_CLUSTER_SIZE: '1', EVENTSTORE_RUN_PROJECTIONS: 'None', EVENTSTORE_NODE_IP: '0.0.0.0' });
    expect(unknownSettings(env)).toEqual([]);
  });

  it('knows every variable loadConfig reads, and the README documents each', () => {
    const read = new Set<string>();
    const env = new Proxy({} as Record<string, string | undefined>, { get: (_target, name) => (read.add(String(name)), undefined) });
    loadConfig(env, '/srv/app');
    expect([...read].sort()).toEqual([...SETTINGS].sort());
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| variable | default | meaning |'));
    const documented = new Set(table.slice(0, table.indexOf('\n\n')).split('\n').flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)));
    expect([...SETTINGS].filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !SETTINGS.includes(name))).toEqual([]);
  });
});

import type { RunningService } from '../../src/server';
import type { SimulationSummary } from '../../src/simulation/simulateTraffic';
import { CallbacksDocument, RelayTasksDocument, SessionsDocument } from '../graphql/generated';
import { query } from '../support/graphqlClient';
import { runCli } from '../support/serviceProcess';
import { startTestService, tempDataDir } from '../support/testService';

const KEY = 'simulated-callback-key';
const TOKEN = 'simulated-relay-token';

/** Runs `node dist/cli.js simulate ...` as a child process; its exit code and what it printed. */
async function simulate(args: string[], env: Record<string, string> = {}) {
  const run = runCli(['simulate', ...args], env);
  const { code } = await run.exited;
  return { code, output: run.output() };
}

async function simulateJson(args: string[], env: Record<string, string> = {}): Promise<SimulationSummary> {
  const { code, output } = await simulate([...args, '--json'], env);
  expect(code).toBe(0);
  return JSON.parse(output) as SimulationSummary;
}

async function storedEvents(service: RunningService) {
  const events = await service.store.readAll({ maxCount: 100_000 });
  const last = events[events.length - 1];
  if (last !== undefined) await service.projector.waitForPosition(last.position);
  return events;
}

describe('node dist/cli.js simulate, against the real service', () => {
  const data = tempDataDir();
  let service: RunningService;
  beforeAll(async () => {
    service = await startTestService(data.dir, { CSS_CALLBACK_KEYS: KEY, CSS_CALLBACK_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await service.close();
    data.remove();
  });

  it('signs with the first CSS_CALLBACK_KEYS key, stops at --count, and the service ends up with the sessions and relay tasks it reports', async () => {
    const summary = await simulateJson(['--url', service.url, '--rate', '200', '--count', '60', '--seed', '11'], {
      CSS_CALLBACK_KEYS: `${KEY},another-key`,
      CSS_CALLBACK_TOKEN: TOKEN,
    });
    expect(summary).toMatchObject({ sent: 60, attempts: 60, stoppedBy: 'count', stored: { new: 60, duplicate: 0 }, rejected: {}, seed: 11 });
    expect(summary.target).toBe(`${service.url}/callbacks`); // the token is not printed
    expect(summary.sessions).toBeGreaterThan(1);
    expect(summary.relayTasks).toBeGreaterThan(0);
    // The full story is the default: what CSS tells of the sessions comes with them.
    expect(Object.keys(summary.kinds).filter((kind) => !kind.startsWith('Stream') && !kind.startsWith('Relay'))).not.toEqual([]);

    const events = await storedEvents(service);
    expect(events).toHaveLength(60);
    // Everything about a session proved itself by signature, relay callbacks by the URL token.
    const by = new Set(events.map((e) => `${e.type.startsWith('Relay') ? 'relay' : 'session'} ${String(e.metadata.authenticatedBy)}`));
    expect(by).toEqual(new Set(['session signature', 'relay token']));
    expect(events.filter((e) => e.type === 'UnrecognizedCallbackReceived')).toEqual([]);

    const sessions = await query(service.url, SessionsDocument, { first: 1 });
    const relayTasks = await query(service.url, RelayTasksDocument, { first: 1 });
    const callbacks = await query(service.url, CallbacksDocument, { first: 1 });
    expect(sessions.sessions.totalCount).toBe(summary.sessions);
    expect(relayTasks.relayTasks.totalCount).toBe(summary.relayTasks);
    expect(callbacks.callbacks.totalCount).toBe(60);
  });

  it('counts the 401s when it signs with a key the service does not have; nothing is stored', async () => {
    const before = (await storedEvents(service)).length;
    const summary = await simulateJson(['--url', service.url, '--key', 'wrong-key', '--relay-tasks', '0', '--rate', '200', '--count', '20']);
    expect(summary).toMatchObject({ sent: 20, stored: { new: 0, duplicate: 0 }, rejected: { '401 bad_signature': 20 }, sessions: 0 });
    expect(await storedEvents(service)).toHaveLength(before);
  });

  it('stops at --duration when no --count is given, and says so to a person', async () => {
    const { code, output } = await simulate(['--url', service.url, '--key', KEY, '--token', TOKEN, '--rate', '20', '--duration', '1']);
    expect(code).toBe(0);
    const sent = Number(/sent (\d+) callbacks to .* \(stopped by duration;/.exec(output)?.[1]);
    // The schedule has slot i due at i / 20 s: at most 20 within one second (plus the one at 0).
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(21);
    expect(output).toContain(`200: ${sent} new, 0 duplicate`);
    expect(output).toContain('rejected: none');
  });

  it('plays the full story by default: the service stores every kind the summary counts, signed, and lists them by type', async () => {
    const before = (await storedEvents(service)).length;
    const summary = await simulateJson([
      ...['--url', service.url, '--key', KEY, '--token', TOKEN],
      ...['--moderation-rate', '1', '--analysis-rate', '1', '--rate', '1000', '--count', '400', '--seed', '23'],
    ]);
    expect(summary).toMatchObject({ sent: 400, stored: { new: 400, duplicate: 0 }, rejected: {} });

    const events = (await storedEvents(service)).slice(before);
    const stored: Record<string, number> = {};
    for (const event of events) stored[event.type] = (stored[event.type] ?? 0) + 1;
    expect(stored).toEqual(summary.kinds);
    const storyKinds = ['RecordingFileGenerated', 'RecordingStatusChanged', 'ScreenshotTaken', 'ImageModerationFlagged', 'AudioModerationFlagged', 'PushAnomaliesReported'];
    expect(Object.keys(stored)).toEqual(expect.arrayContaining(storyKinds));
    expect(stored.UnrecognizedCallbackReceived).toBeUndefined();
    // Everything about a session proved itself by signature, as from CSS; relay callbacks by the URL token.
    const proofs = new Set(events.map((e) => `${e.type.startsWith('Relay') ? 'relay' : 'session'} ${String(e.metadata.authenticatedBy)}`));
    expect(proofs).toEqual(new Set(['session signature', 'relay token']));

    const all = await storedEvents(service);
    for (const type of storyKinds) {
      const { callbacks } = await query(service.url, CallbacksDocument, { filter: { type }, first: 1 });
      expect({ type, listed: callbacks.totalCount }).toEqual({ type, listed: all.filter((e) => e.type === type).length });
      expect(callbacks.nodes[0]!.type).toBe(type);
    }
    const { callbacks: screenshots } = await query(service.url, CallbacksDocument, { filter: { type: 'ScreenshotTaken' }, first: 1 });
    expect(JSON.parse(screenshots.nodes[0]!.raw)).toMatchObject({ pic_full_url: expect.stringMatching(/^https:\/\/snapshots\.example\.invalid\/stream_/) });
  });

  it('refuses the options that shape the full story with --story sessions-only', async () => {
    const run = await simulate(['--url', service.url, '--story', 'sessions-only', '--screenshots-every', '10', '--count', '1']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('--screenshots-every shapes the full story: leave out --story sessions-only');
    const story = await simulate(['--url', service.url, '--story', 'everything']);
    expect(story.code).not.toBe(0);
    expect(story.output).toMatch(/--story.*expected full or sessions-only/);
  });

  it('refuses a --duration beyond its documented maximum, and a URL that is not http(s)', async () => {
    const long = await simulate(['--url', service.url, '--duration', '601']);
    expect(long.code).not.toBe(0);
    expect(long.output).toMatch(/--duration.*expected a number from 0.1 to 600/);
    const ftp = await simulate(['--url', 'ftp://127.0.0.1']);
    expect(ftp.code).not.toBe(0);
    expect(ftp.output).toMatch(/--url.*expected an http:\/\/ or https:\/\/ URL/);
  });
});

describe('node dist/cli.js simulate, against an overloaded service', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('retries the callbacks answered 503 after their Retry-After, until every one is stored', async () => {
    // Four callbacks handled at a time: most of 16 concurrent requests are answered 503 overloaded, Retry-After: 1.
    // Enough get through each wave of retries that none runs out of its 12 however the waves line up.
    const service = await startTestService(data.dir, { MAX_INFLIGHT_APPENDS: '4' });
    try {
      const summary = await simulateJson(['--url', service.url, '--rate', '1000', '--count', '80', '--max-in-flight', '16', '--retries', '12']);
      expect(summary.retries).toBeGreaterThan(0);
      expect(summary.attempts).toBe(80 + summary.retries);
      expect(summary.rejected).toEqual({});
      expect(summary).toMatchObject({ sent: 80, stored: { new: 80, duplicate: 0 } });
      expect(await service.store.readAll({ maxCount: 1000 })).toHaveLength(80);
    } finally {
      await service.close();
    }
  }, 60_000);
});

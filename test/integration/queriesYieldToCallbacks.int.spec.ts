import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { postQuery } from '../support/graphqlClient';
import { postCallback, signCallback, useTestService } from '../support/testService';

const KEY = 'yield-key';
const COUNT = '{ sessions(first: 1) { totalCount } }';

async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

const sample = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);

async function postQueryWithHeaders(url: string, query: string) {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { response, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions: { code: string; retryAfterSeconds: number } }> } };
}

describe('GraphQL requests yield to CSS callbacks that have waited too long', () => {
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY, GRAPHQL_YIELD_TO_CALLBACKS_AFTER_MS: '200' });

  it('refuses them with 503, Retry-After and a JSON error while a callback waits, then answers them again once it is stored', async () => {
    const { url } = fixture.service;
    expect(await postQuery(url, COUNT)).toEqual({ status: 200, body: { data: { sessions: { totalCount: 0 } } } });

    // Another connection holds the event log's write lock: the callback's append waits for it (the writer's busy timeout).
    const locker = new Database(path.join(fixture.dataDir, 'events.db'));
    locker.exec('BEGIN IMMEDIATE');
    let answered = false;
    const callback = postCallback(url, signCallback({ event_type: 1, stream_id: 'yield_stream', sequence: 'yield-1', app: 'push.example.com' }, KEY));
    void callback.then(() => (answered = true));
    let refused: Awaited<ReturnType<typeof postQueryWithHeaders>>;
    let metrics: string;
    try {
      await sleep(400);
      refused = await postQueryWithHeaders(url, COUNT);
      metrics = await scrape(url);
      expect(answered).toBe(false);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }

    const { response, body } = refused;
    expect({ status: response.status, retryAfter: response.headers.get('retry-after'), type: response.headers.get('content-type') }).toEqual({
      status: 503,
      retryAfter: '1',
      type: expect.stringContaining('application/json'),
    });
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'CALLBACKS_WAITING', retryAfterSeconds: 1 });
    expect(body.errors?.[0]?.message).toMatch(/^a CSS callback has waited \d+ ms for its answer \(GRAPHQL_YIELD_TO_CALLBACKS_AFTER_MS 200\): retry later$/);
    expect(sample(metrics, 'css_ledger_graphql_requests_yielded_total\\{reason="waited"\\}')).toBe(1);
    expect(sample(metrics, 'css_ledger_callback_oldest_wait_seconds')).toBeGreaterThan(0.2);

    // The callback lost nothing: stored once the lock is gone, and the queries are answered again.
    const stored = await callback;
    expect({ status: stored.status, body: stored.body }).toEqual({ status: 200, body: { code: 0 } });
    expect((await postQuery(url, COUNT)).status).toBe(200);
    const after = await scrape(url);
    expect(sample(after, 'css_ledger_callback_oldest_wait_seconds')).toBe(0);
    expect(sample(after, 'css_ledger_graphql_requests_yielded_total\\{reason="waited"\\}')).toBe(1);
  });
});

describe('GraphQL requests yield to CSS callbacks while the thread that answers them is busy', () => {
  // Only the busy rule: no callback here waits anywhere near 19 s.
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY, GRAPHQL_YIELD_TO_CALLBACKS_AFTER_MS: '19000' });

  it('refuses them while callbacks are being answered on a thread busy nearly all the time, and runs them again once none is', async () => {
    const { url } = fixture.service;
    // The callbacks are held at the event log's write lock, so that they are being answered when the query comes. The
    // service runs in this process: work here in slices of 40 ms, the event loop turning between them, while callbacks
    // arrive, for well over one of the service's half-second windows.
    const locker = new Database(path.join(fixture.dataDir, 'events.db'));
    locker.exec('BEGIN IMMEDIATE');
    const callbacks: Array<Promise<{ status: number }>> = [];
    let refused: Awaited<ReturnType<typeof postQueryWithHeaders>>;
    try {
      const until = performance.now() + 1_500;
      while (performance.now() < until) {
        const sliceEnd = performance.now() + 40;
        while (performance.now() < sliceEnd) {
          // busy
        }
        callbacks.push(postCallback(url, signCallback({ event_type: 1, stream_id: 'busy_stream', sequence: `busy-${callbacks.length}` }, KEY)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      refused = await postQueryWithHeaders(url, COUNT);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    expect({ status: refused.response.status, retryAfter: refused.response.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '1' });
    expect(refused.body.errors?.[0]?.extensions.code).toBe('CALLBACKS_WAITING');
    expect(refused.body.errors?.[0]?.message).toMatch(/^the thread that answers CSS callbacks was busy over 90% of the last 500 ms: retry later$/);
    expect(sample(await scrape(url), 'css_ledger_graphql_requests_yielded_total\\{reason="busy"\\}')).toBeGreaterThanOrEqual(1);

    // Every callback stored; with none being answered, the next query runs at once, busy window or not.
    expect(new Set((await Promise.all(callbacks)).map((answer) => answer.status))).toEqual(new Set([200]));
    expect((await postQuery(url, COUNT)).status).toBe(200);
  });
});

import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { postCallback, signCallback, useTestService } from '../support/testService';

const KEY = 'wait-key';

const oldestWait = async (url: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^css_ledger_callback_oldest_wait_seconds (\S+)$/m.exec(text)?.[1]);
};

describe('the oldest callback wait on /metrics', () => {
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY });

  it('grows while a callback waits for its append, and is back to 0 once it is answered', async () => {
    const { url } = fixture.service;
    expect(await oldestWait(url)).toBe(0);

    // Another connection holds the event log's write lock: the callback's append waits for it (the writer's busy timeout).
    const locker = new Database(path.join(fixture.dataDir, 'events.db'));
    locker.exec('BEGIN IMMEDIATE');
    let answered = false;
    const callback = postCallback(url, signCallback({ event_type: 1, stream_id: 'waiting_stream', sequence: 'wait-1' }, KEY));
    void callback.then(() => (answered = true));
    let waited: number[];
    try {
      await sleep(300);
      const first = await oldestWait(url);
      await sleep(300);
      waited = [first, await oldestWait(url)];
      expect(answered).toBe(false);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    expect(waited[0]).toBeGreaterThan(0.25);
    expect(waited[1]! - waited[0]!).toBeGreaterThan(0.25);

    // Stored once the lock is gone, and no longer counted.
    expect(await callback).toMatchObject({ status: 200, body: { code: 0 } });
    expect(await oldestWait(url)).toBe(0);
  });
});

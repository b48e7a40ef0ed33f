// A commit of the embedded log that does not return (a disk that stalls, another process holding the write lock):
// callbacks are answered 503 after APPEND_TIMEOUT_MS, not when the commit returns, and what it stored is kept once.
import path from 'node:path';
import Database from 'better-sqlite3';
import { postCallback, useTestService } from '../support/testService';

describe('a commit of the embedded log that does not return', () => {
  const fixture = useTestService({ APPEND_TIMEOUT_MS: '1000' });

  it('answers 503 saying why after APPEND_TIMEOUT_MS, says so on /readyz, and keeps what the commit stored once', async () => {
    const { url } = fixture.service;
    const callback = { event_type: 1, sequence: '7301', stream_id: 'stalled' };
    // An operator's `sqlite3 events.db` in a write transaction: the writer thread waits for its lock (5 s at most).
    const other = new Database(path.join(fixture.dataDir, 'events.db'));
    let released = false;
    try {
      other.exec('BEGIN IMMEDIATE');
      const refused = await postCallback(url, callback);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({
        error: 'store_unavailable',
        message: expect.stringContaining("a commit has not returned in 1000 ms (the disk stalls, or another process holds the log's write lock)"),
      });
      // Refused at once while it stays out, with the same reason.
      expect((await postCallback(url, { ...callback, sequence: '7302' })).body).toMatchObject({ message: expect.stringContaining('a commit has not returned') });
      const readiness = await fetch(`${url}/readyz`);
      expect(readiness.status).toBe(503);
      expect(await readiness.json()).toMatchObject({ message: expect.stringMatching(/^the event store cannot take callbacks: .*a commit has not returned in 1000 ms/) });
      other.exec('COMMIT');
      released = true;
    } finally {
      if (!released) other.exec('ROLLBACK');
      other.close();
    }

    // The commit returns once the lock is free: the first callback was stored by it, and its retry is a duplicate.
    let ready = false;
    for (let asked = 0; asked < 200 && !ready; asked++) {
      ready = (await fetch(`${url}/readyz`)).status === 200;
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ready).toBe(true);
    const retried = await postCallback(url, callback);
    expect(retried.status).toBe(200);
    expect(retried.headers.get('callback-stored')).toBe('duplicate');
    expect((await postCallback(url, { ...callback, sequence: '7302' })).headers.get('callback-stored')).toBe('new');
  }, 30_000);
});

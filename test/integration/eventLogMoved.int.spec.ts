// The log deleted or replaced under a running service: callbacks are refused 503, not acknowledged into a file a restart would not find.
import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { postCallback, useTestService } from '../support/testService';

describe.each([
  ['deleted', (file: string) => ['', '-wal', '-shm'].forEach((suffix) => rmSync(`${file}${suffix}`, { force: true }))],
  ['moved aside', (file: string) => renameSync(file, `${file}.moved`)],
  ['left without its WAL index (-shm)', (file: string) => rmSync(`${file}-shm`)],
])('events.db %s while the service runs', (_how, displace) => {
  const fixture = useTestService();

  it('answers callbacks 503 store_unavailable saying so, and /readyz 503', async () => {
    const push = (sequence: string) => ({ event_type: 1, sequence, stream_id: 'held', app: 'a.example' });
    expect((await postCallback(fixture.service.url, push('1'))).status).toBe(200);
    displace(path.join(fixture.dataDir, 'events.db'));

    const refused = await postCallback(fixture.service.url, push('2'));
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: 'store_unavailable', message: expect.stringMatching(/events\.db(-wal|-shm)? was deleted, moved or replaced while the service ran/) });
    const ready = await fetch(`${fixture.service.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toContain('was deleted, moved or replaced');
  });
});

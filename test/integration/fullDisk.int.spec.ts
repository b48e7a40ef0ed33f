// A disk that takes no more writes (here a file-size limit on the service's process): callbacks are refused 503 with the
// store's reason, logged once, never acknowledged without being stored; the service keeps answering.
import { execFileSync } from 'node:child_process';
import { CLI, exitWithin, listeningUrl, runCli } from '../support/serviceProcess';
import { tempDataDir } from '../support/testService';

/** Small enough that the event log's write-ahead log reaches it within a few dozen callbacks. */
const FILE_SIZE_LIMIT_KIB = 1024;
const MAX_CALLBACKS = 3000;
const REFUSALS_WANTED = 5;

describe('when the disk takes no more writes', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('refuses callbacks 503 naming the store\'s reason, logs that once, and keeps every callback it answered 200', async () => {
    const run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir }, { fileSizeLimitKib: FILE_SIZE_LIMIT_KIB });
    const acknowledged: string[] = [];
    const refusals: { status: number; retryAfter: string | null; body: { error: string; message: string } }[] = [];
    try {
      const url = await listeningUrl(run);
      // A checkpoint can make room again in the write-ahead log: callbacks go on until several were refused.
      for (let i = 0; i < MAX_CALLBACKS && refusals.length < REFUSALS_WANTED; i++) {
        const sequence = String(5_000_000 + i);
        const response = await fetch(`${url}/callbacks`, {
          method: 'POST',
          body: JSON.stringify({ event_type: 1, sequence, stream_id: 'filling', padding: 'x'.repeat(900) }),
        });
        const body = (await response.json()) as { error: string; message: string };
        if (response.status === 200) acknowledged.push(sequence);
        else refusals.push({ status: response.status, retryAfter: response.headers.get('retry-after'), body });
      }
      expect(refusals).toHaveLength(REFUSALS_WANTED);
      for (const refusal of refusals) {
        expect(refusal).toEqual({
          status: 503,
          retryAfter: '5',
          body: expect.objectContaining({ error: 'store_unavailable', message: expect.stringMatching(/not stored: (disk I\/O error|database or disk is full)$/) }),
        });
      }
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await exitWithin(run, 20_000)).toEqual({ code: 0, signal: null });

    const lines = run.output().trim().split('\n').map((line) => JSON.parse(line) as { msg: string; notLogged?: number; error?: string });
    expect(lines.filter((line) => line.msg === 'event store unavailable: callback not stored')).toHaveLength(1);
    expect(lines.filter((line) => line.error === 'store_unavailable' && line.notLogged !== undefined)).toEqual([
      expect.objectContaining({ notLogged: REFUSALS_WANTED - 1 }),
    ]);

    // Without the limit, the log holds exactly the callbacks answered 200.
    const exported = execFileSync(process.execPath, [CLI, 'export'], { env: { PATH: process.env.PATH ?? '', DATA_DIR: data.dir }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const stored = exported.trim().split('\n').map((line) => (JSON.parse((JSON.parse(line) as { raw: string }).raw) as { sequence: string }).sequence);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(stored.sort()).toEqual([...acknowledged].sort());
  }, 90_000);
});

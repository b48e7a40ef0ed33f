import Database from 'better-sqlite3';
import { openLiveReadModels, READ_MODEL_NAMES } from '../support/readModelFiles';
import path from 'node:path';
import { SessionUpdatedDocument } from '../graphql/generated';
import { collect, subscriptionClient } from '../support/graphqlClient';
import { runCli } from '../support/serviceProcess';
import { postCallback, tempDataDir } from '../support/testService';

describe('SIGTERM under load', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  let run: ReturnType<typeof runCli> | undefined;
  let finished = false;
  let step = 'starting';
  afterAll(() => {
    // Only when the test failed or timed out: where it stopped, and what the service said.
    if (!finished) console.log(`stopped at: ${step}\n${run?.output() ?? ''}`);
    run?.child.kill('SIGKILL');
  });

  it('finishes in-flight callbacks, persists the checkpoint, closes subscriptions with 1001 and exits 0', async () => {
    run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, LOG_LEVEL: 'info' });
    const line = await run.waitForLine(/listening on http:\/\/127\.0\.0\.1:\d+/);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0];

    step = 'subscribing';
    const client = subscriptionClient(url);
    const closeCode = new Promise<number>((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code)));
    const updates = collect(client, SessionUpdatedDocument, {});
    await updates.ready;

    const acknowledged: string[] = [];
    let sent = 0;
    const sender = async (worker: number) => {
      for (let i = 0; i < 100; i++) {
        sent++;
        try {
          const response = await postCallback(url, { event_type: 1, sequence: String(worker * 1000 + i), stream_id: 'sigterm' });
          if (response.status === 200) acknowledged.push(response.headers.get('callback-event-id')!);
        } catch {
          return; // the server has stopped listening
        }
      }
    };
    step = 'posting callbacks';
    const load = Promise.all(Array.from({ length: 8 }, (_, worker) => sender(worker)));
    while (acknowledged.length < 50) await new Promise((resolve) => setTimeout(resolve, 2));
    step = 'SIGTERM sent, waiting for the senders';
    run.child.kill('SIGTERM');
    await load;
    step = 'waiting for the exit';

    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain('SIGTERM received: stopping');
    expect(await closeCode).toBe(1001);
    await client.dispose();
    expect(sent).toBeLessThanOrEqual(800);
    step = 'checking the files';

    const events = new Database(path.join(data.dir, 'events.db'), { readonly: true });
    const readModels = openLiveReadModels(data.dir);
    try {
      const ids = new Set(events.prepare('SELECT event_id FROM events').pluck().all() as string[]);
      for (const id of acknowledged) expect(ids.has(id)).toBe(true);
      const last = events.prepare('SELECT max(position) FROM events').pluck().get();
      for (const name of READ_MODEL_NAMES) {
        const checkpoint = readModels.db(name).prepare('SELECT position, events_applied FROM checkpoint').get() as { position: number; events_applied: number };
        expect({ name, ...checkpoint }).toEqual({ name, position: last, events_applied: ids.size });
      }
      expect(readModels.db('sessions').prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(ids.size);
    } finally {
      events.close();
      readModels.close();
    }
    finished = true;
  });
});

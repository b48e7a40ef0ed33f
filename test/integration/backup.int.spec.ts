// `backup <folder>` beside a running service: a consistent copy of the log and forwarding's state that is a DATA_DIR of
// its own; refused over an earlier backup, into a file and on EventStoreDB.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { operateUntil, pushCallback, useForwardingServiceProcess, type GraphqlAnswer } from '../support/forwardingService';
import { exitWithin, listeningUrl, runCli, type ServiceProcess } from '../support/serviceProcess';
import { postCallback } from '../support/testService';

describe('backup', () => {
  const { dir, dataDir, receiver, serve } = useForwardingServiceProcess();
  const backupDir = path.join(dir, 'backups', 'monday');
  const backup = async (env: Record<string, string>) => {
    const run = runCli(['backup', backupDir], { DATA_DIR: dataDir, ...env });
    return { ...(await exitWithin(run, 60_000)), output: run.output() };
  };
  const sequencesOf = (answer: GraphqlAnswer): string[] => (answer.data?.sessions.nodes as Array<{ sequence: string }>).map((node) => node.sequence).sort();
  const stop = async (service: ServiceProcess) => {
    service.child.kill('SIGTERM');
    expect((await exitWithin(service, 20_000)).code).toBe(0);
  };

  it('copies the log and forwarding state of a running service into a folder a service then starts on', async () => {
    const service = serve(dataDir);
    try {
      const url = await listeningUrl(service);
      for (const [n, sequence] of ['9501', '9502', '9503'].entries()) expect((await postCallback(url, pushCallback(sequence, n))).status).toBe(200);
      await receiver().waitFor(() => receiver().received.length >= 3, 20_000);

      const taken = await backup({});
      expect(taken.code).toBe(0);
      expect(taken.output).toMatch(/^backed up events\.db \(3 events up to position 3, [\d.]+ MB\) and forwarding\.db \([\d.]+ MB\) to .*monday/);
      // What the service takes after the snapshot is not in it.
      expect((await postCallback(url, pushCallback('9504', 4))).status).toBe(200);
    } finally {
      await stop(service);
    }
    // Nothing half-written is left beside the copies.
    expect(readdirSync(backupDir).sort()).toEqual(['events.db', 'forwarding']);
    expect(readdirSync(path.join(backupDir, 'forwarding'))).toEqual(['forwarding.db']);

    const restored = serve(backupDir);
    try {
      const url = await listeningUrl(restored);
      const answer = await operateUntil(url, '{ sessions(first: 10) { nodes { sequence } } }', (shown) => sequencesOf(shown).length >= 3);
      expect(sequencesOf(answer)).toEqual(['9501', '9502', '9503']);
      // Forwarding goes on from its copied checkpoint: nothing the destination had is sent again.
      const destinations = await operateUntil(url, '{ destinations { name deliveredThrough } }', () => true);
      expect(destinations.data?.destinations).toEqual([{ name: 'hook', deliveredThrough: '3' }]);
    } finally {
      await stop(restored);
    }
  }, 120_000);

  it('refuses to write over an earlier backup, into a file, and on EventStoreDB, saying why', async () => {
    const again = await backup({});
    expect(again.code).toBe(1);
    expect(again.output).toContain(`${path.join(backupDir, 'events.db')} exists already: back up into an empty folder`);

    const elsewhere = runCli(['backup', path.join(dir, 'esdb-backup')], { DATA_DIR: dataDir, EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false' });
    expect((await exitWithin(elsewhere, 20_000)).code).toBe(1);
    expect(elsewhere.output()).toContain("the events are in EventStoreDB: back them up with EventStoreDB's own tools");
    expect(existsSync(path.join(dir, 'esdb-backup'))).toBe(false);

    const aFile = path.join(backupDir, 'events.db');
    const intoFile = runCli(['backup', aFile], { DATA_DIR: dataDir });
    expect((await exitWithin(intoFile, 20_000)).code).toBe(1);
    expect(intoFile.output().trim()).toBe(`${aFile} is a file: back up into a folder (an empty one, or one to be made)`);
  }, 60_000);
});

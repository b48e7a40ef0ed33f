// Operating a destination: filter, replay by positions or time, pause and resume, stop within a grace, the delivery log, retention, one owner.
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { firstEventOf } from '../../src/eventstore/logAtStart';
import { openForwarding, readForwardConfig, CheckpointConflictError, type Forwarding } from '../../src/forwarding';
import { FAST_RETRY, eventually, forwardConfigOf, loggedCallback, loggedCallbacks, memoryLog, tempForwardingFile } from '../support/forwardingLog';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

const positions = (receiver: WebhookReceiver) => receiver.received.map((r) => Number(r.headers['x-css-ledger-position']));

describe('forwarding operations', () => {
  let receiver: WebhookReceiver;
  let opened: Forwarding[] = [];
  let state: ReturnType<typeof tempForwardingFile>;

  beforeEach(async () => {
    receiver = await startReceiver();
    state = tempForwardingFile();
  });
  afterEach(async () => {
    await Promise.all(opened.map((f) => f.close(200).catch(() => undefined)));
    opened = [];
    await receiver.stop();
    state.remove();
  });

  const open = (settings: Record<string, unknown> = {}, log = memoryLog([]), extra: { pruneIntervalMs?: number; retention?: Record<string, unknown>; logHead?: bigint; logFirstEvent?: string } = {}) => {
    const destination = { name: 'ops', url: receiver.url, format: 'raw', retry: FAST_RETRY, ...settings };
    const forwarding = openForwarding({
      file: state.file,
      config: forwardConfigOf([destination], extra.retention),
      reader: log,
      logHead: extra.logHead ?? 0n,
      logFirstEvent: extra.logFirstEvent ?? null,
      pruneIntervalMs: extra.pruneIntervalMs,
    });
    opened.push(forwarding);
    forwarding.start();
    return { forwarding, destination: forwarding.destinations[0]! };
  };

  it('forwards only what the filter wants, and moves the checkpoint over the rest', async () => {
    const events = [
      loggedCallback(1, 'session-a', { type: 'StreamPushed', domain: 'Push.Example.com' }),
      loggedCallback(2, 'session-b', { type: 'StreamPushed', domain: 'other.example.com' }),
      loggedCallback(3, 'session-a', { type: 'StreamInterrupted', domain: 'push.example.com' }),
      loggedCallback(4, 'session-c', { type: 'StreamPushed', domain: 'push.example.com', streamId: 'other' }),
    ];
    const { destination } = open({ filter: { types: ['StreamPushed'], domains: ['push.example.com'], streamIds: ['live1'] } });
    await destination.handle(events);
    await eventually(() => destination.status(4n).pendingCount === 0 && receiver.received.length === 1, 'delivered');
    expect(positions(receiver)).toEqual([1]);
    expect(destination.checkpoint()).toBe(4n);
    expect(destination.status(4n)).toMatchObject({ deliveredThrough: 4n, lagEvents: 0 });
  });

  it('a new destination starts at the log head by default, or at the beginning when asked', async () => {
    expect(open({ name: 'late' }, memoryLog([]), { logHead: 42n }).destination.checkpoint()).toBe(42n);
    expect(open({ name: 'all', startFrom: 'beginning' }, memoryLog([]), { logHead: 42n }).destination.checkpoint()).toBe(0n);
  });

  describe('which log the checkpoints are positions of', () => {
    const events = loggedCallbacks(3, 1);
    const firstEvent = firstEventOf(events[0]!);
    /** A destination that took the three events from a log empty at its start, then stopped. */
    const followed = async () => {
      const { forwarding, destination } = open({ startFrom: 'beginning' }, memoryLog(events));
      await destination.handle(events);
      await eventually(() => receiver.received.length === 3, 'delivered');
      await forwarding.close(200);
    };
    const reopened = (logFirstEvent: string) => open({ startFrom: 'beginning' }, memoryLog(events), { logHead: 5n, logFirstEvent }).destination;

    it('goes on from its checkpoint over the same log, and from the end of another', async () => {
      await followed();
      const same = reopened(firstEvent);
      expect(same.checkpoint()).toBe(3n);
      await opened.pop()!.close(200);
      expect(reopened('another-environment-first-event').checkpoint()).toBe(5n);
    });

    it('opens a file made before it recorded its log, keeping its checkpoints, and records the log in place; the schema version stays for older builds', async () => {
      await followed();
      const db = new Database(state.file);
      db.exec('DROP TABLE log');
      db.close();

      expect(reopened(firstEvent).checkpoint()).toBe(3n);
      await opened.pop()!.close(200);
      expect(reopened('another-environment-first-event').checkpoint()).toBe(5n);
      await opened.pop()!.close(200);
      const after = new Database(state.file, { readonly: true });
      expect(after.pragma('user_version', { simple: true })).toBe(1);
      after.close();
    });
  });

  it('replays a range of positions, or of storing times, to this destination only, as new deliveries of the same ids', async () => {
    const events = loggedCallbacks(10, 3);
    const { forwarding, destination } = open({}, memoryLog(events));
    await destination.handle(events);
    await eventually(() => receiver.received.length === 10, 'first delivery');

    expect(await destination.replay({ fromPosition: 3n, toPosition: 5n })).toEqual({ offered: 3 });
    await eventually(() => receiver.received.length === 13, 'replayed positions');
    expect(positions(receiver).slice(10).sort()).toEqual([3, 4, 5]);
    expect(receiver.received[10]!.headers['webhook-id']).toBe(events.find((e) => Number(e.position) === positions(receiver)[10])!.id);

    // loggedCallback stores event n at 1_700_000_000_000 + n s: [7 s, 9 s) is events 7 and 8.
    expect(await destination.replay({ from: new Date(1_700_000_007_000), to: new Date(1_700_000_009_000) })).toEqual({ offered: 2 });
    await eventually(() => receiver.received.length === 15, 'replayed times');
    expect(positions(receiver).slice(13).sort()).toEqual([7, 8]);
    expect(forwarding.log.list('ops', {}, 100, null).edges.filter((e) => e.row.origin === 'replay')).toHaveLength(5);
    // A replay never reaches past the checkpoint: those events come through the intake.
    expect(await destination.replay({ fromPosition: 9n, toPosition: 50n })).toEqual({ offered: 2 });
  });

  it('pause keeps deliveries pending (and the flag over a restart); resume sends them', async () => {
    const first = open();
    first.destination.pause();
    await first.destination.handle([loggedCallback(1, 'session-a')]);
    expect(first.destination.status(1n)).toMatchObject({ state: 'paused', pendingCount: 1 });
    await first.forwarding.close(100);

    const again = open();
    expect(again.destination.status(1n)).toMatchObject({ state: 'paused', pendingCount: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.received).toHaveLength(0);
    again.destination.resume();
    await eventually(() => again.destination.status(1n).pendingCount === 0, 'delivered after resume');
    expect(positions(receiver)).toEqual([1]);
  });

  it('stop lets an attempt in flight finish within the grace; one that takes longer is cut and stays pending', async () => {
    receiver.answerWith((request) => (request.headers['x-css-ledger-position'] === '1' ? { status: 200, delayMs: 100 } : 'hang'));
    const { forwarding, destination } = open({ timeoutMs: 60_000 });
    await destination.handle([loggedCallback(1, 'session-a'), loggedCallback(2, 'session-b')]);
    await receiver.waitFor((r) => r.length === 2);
    const started = Date.now();
    await forwarding.close(300);
    // The hanging one holds the stop for the grace, not for its 60 s timeout.
    expect(Date.now() - started).toBeLessThan(5_000);

    const again = open();
    expect(again.forwarding.log.list('ops', {}, 10, null).edges.map((e) => [e.row.position, e.row.status, e.row.attempts])).toEqual([
      [2n, 'pending', 0],
      [1n, 'delivered', 1],
    ]);
  });

  it('the delivery log pages newest first with cursors and filters by status, stream and event', async () => {
    receiver.answerWith((request) => (request.headers['x-css-ledger-position'] === '4' ? { status: 400 } : { status: 200 }));
    const events = loggedCallbacks(9, 3);
    const { forwarding, destination } = open({}, memoryLog(events));
    await destination.handle(events);
    await eventually(() => destination.status(9n).pendingCount === 0, 'all finished');

    const page1 = forwarding.log.list('ops', {}, 4, null);
    const page2 = forwarding.log.list('ops', {}, 4, page1.endCursor);
    const page3 = forwarding.log.list('ops', {}, 4, page2.endCursor);
    expect([page1, page2, page3].flatMap((p) => p.edges.map((e) => Number(e.row.position)))).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect([page1.hasNextPage, page2.hasNextPage, page3.hasNextPage]).toEqual([true, true, false]);
    expect(page1.totalCount()).toBe(9);
    expect(forwarding.log.list('ops', { status: 'dead' }, 10, null).edges.map((e) => e.row.position)).toEqual([4n]);
    expect(forwarding.log.list('ops', { stream: 'session-s0' }, 10, null).edges.map((e) => e.row.position)).toEqual([7n, 4n, 1n]);
    expect(forwarding.log.list('ops', { eventId: events[1]!.id }, 10, null).edges.map((e) => e.row.position)).toEqual([2n]);
    expect(forwarding.log.list('ops', { before: new Date(0) }, 10, null).edges).toEqual([]);
    expect(forwarding.log.list('other', {}, 10, null).edges).toEqual([]);
  });

  it('prunes finished deliveries beyond the retention, a few at a time', async () => {
    const events = loggedCallbacks(30, 5);
    const { forwarding, destination } = open({}, memoryLog(events), { pruneIntervalMs: 20, retention: { maxRowsPerDestination: 5 } });
    await destination.handle(events);
    await eventually(() => destination.status(30n).pendingCount === 0, 'all delivered');
    await eventually(() => forwarding.log.list('ops', {}, 100, null).totalCount() === 5, 'pruned to 5 rows');
    expect(forwarding.log.list('ops', {}, 100, null).edges.map((e) => Number(e.row.position))).toEqual([30, 29, 28, 27, 26]);
  });

  it('reads the forwarding file from disk; a missing one is one error line', async () => {
    const file = path.join(path.dirname(state.file), 'forward.yaml');
    writeFileSync(file, `destinations:\n  - name: ops\n    url: ${receiver.url}\n    format: raw\n    timeoutMs: nope\n`);
    expect(await readForwardConfig(file)).toEqual({ ok: false, errors: ['forward.yaml: destinations[0].timeoutMs: must be a whole number from 1 to 300000'] });
    const missing = await readForwardConfig(file + '.missing');
    expect(!missing.ok && missing.errors).toEqual([expect.stringMatching(/^\/.*forward\.yaml\.missing: cannot be read: ENOENT/)]);
  });

  it('a second process forwarding to the same destination from the same file is stopped by the checkpoint guard', async () => {
    const one = open();
    const two = open();
    await one.destination.handle([loggedCallback(1, 'session-a')]);
    await expect(two.destination.handle([loggedCallback(1, 'session-a'), loggedCallback(2, 'session-a')])).rejects.toThrow(CheckpointConflictError);
    expect(two.destination.status(2n).state).toBe('failed');
    await expect(two.destination.handle([loggedCallback(3, 'session-a')])).rejects.toThrow(/is stopped/);
  });
});

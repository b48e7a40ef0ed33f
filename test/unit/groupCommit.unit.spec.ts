// The embedded store's group commit: appends of one turn share a commit, and so do those made while a commit is on its way.
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { NewEvent } from '../../src/eventstore/eventStore';
import { GroupCommit } from '../../src/eventstore/sqlite/groupCommit';
import type { BatchOutcome, SerializedAppend } from '../../src/eventstore/sqlite/sqliteEventLog';

const newEvent = (): NewEvent => ({ id: randomUUID(), type: 'Tested', data: {} });

/** Every append written, each batch answered only when the test says so (a writer thread's commit on its way). */
function writerAnsweringLater() {
  const batches: SerializedAppend[][] = [];
  const answers: Array<() => void> = [];
  let position = 0n;
  const commit = (batch: SerializedAppend[]): Promise<BatchOutcome> => {
    batches.push(batch);
    return new Promise((resolve) =>
      answers.push(() =>
        resolve({
          committed: true,
          outcomes: batch.map((append) => {
            position += BigInt(append.events.length);
            return { ok: true, result: { nextExpectedRevision: 0n, position, appended: append.events.map((e) => e.id), duplicates: [] } };
          }),
        }),
      ),
    );
  };
  return { batches, commit, answerNext: () => answers.shift()!() };
}

describe('GroupCommit', () => {
  it('sends the appends made while a commit is on its way together, once it is answered', async () => {
    const writer = writerAnsweringLater();
    let announced = 0;
    const appends = new GroupCommit(writer.commit, () => announced++);

    const first = appends.append('session-1', [newEvent()], 'any');
    await nextTurn();
    expect(writer.batches.map((b) => b.length)).toEqual([1]);
    // Three appends in three turns of their own while the first commit is on its way: none is sent yet.
    const waiting: Array<Promise<unknown>> = [];
    for (let i = 2; i <= 4; i++) {
      waiting.push(appends.append(`session-${i}`, [newEvent()], 'any'));
      await nextTurn();
    }
    expect(writer.batches.map((b) => b.length)).toEqual([1]);

    writer.answerNext();
    await first;
    await nextTurn();
    expect(writer.batches.map((b) => b.length)).toEqual([1, 3]);
    writer.answerNext();
    const results = await Promise.all(waiting);
    expect(results).toHaveLength(3);
    expect(appends.stats).toEqual({ commits: 2, appends: 4, failedBatches: 0 });
    expect(announced).toBe(2);
  });

  it('flushes at close what waits behind a commit on its way, after it', async () => {
    const writer = writerAnsweringLater();
    const appends = new GroupCommit(writer.commit, () => undefined);
    const first = appends.append('session-1', [newEvent()], 'any');
    await nextTurn();
    const second = appends.append('session-2', [newEvent()], 'any');

    const flushed = appends.flush();
    expect(writer.batches).toHaveLength(1);
    writer.answerNext();
    await first;
    await nextTurn();
    expect(writer.batches).toHaveLength(2);
    writer.answerNext();
    await flushed;
    await expect(second).resolves.toMatchObject({ appended: [expect.any(String)] });
  });

  it('keeps going after a commit on its way fails: its appends are refused, the next batch is sent', async () => {
    let calls = 0;
    const commit = (batch: SerializedAppend[]): Promise<BatchOutcome> =>
      ++calls === 1
        ? Promise.reject(new Error('the writer thread ended'))
        : Promise.resolve({ committed: true, outcomes: batch.map(() => ({ ok: true, result: { nextExpectedRevision: 0n, position: 1n, appended: ['x'], duplicates: [] } })) });
    const appends = new GroupCommit(commit, () => undefined);
    await expect(appends.append('session-1', [newEvent()], 'any')).rejects.toThrow('the writer thread ended');
    await expect(appends.append('session-2', [newEvent()], 'any')).resolves.toMatchObject({ appended: ['x'] });
  });

  it('refuses, at its deadline, the appends of a commit that has not returned and those behind it; takes appends again once it returns', async () => {
    const writer = writerAnsweringLater();
    let announced = 0;
    const appends = new GroupCommit(writer.commit, () => announced++, { timeoutMs: 50, description: 'sqlite:events.db' });
    const sent = appends.append('session-1', [newEvent()], 'any');
    await nextTurn();
    const behind = appends.append('session-2', [newEvent()], 'any');
    await expect(sent).rejects.toThrow('sqlite:events.db: a commit has not returned in 50 ms');
    await expect(behind).rejects.toThrow('a commit has not returned in 50 ms');
    expect(appends.stalled?.name).toBe('StoreUnavailableError');
    // Refused at once, never queued: nothing piles up while the commit is out.
    await expect(appends.append('session-3', [newEvent()], 'any')).rejects.toThrow('a commit has not returned');
    expect(writer.batches.map((b) => b.length)).toEqual([1]);

    writer.answerNext(); // it stored what it had: the store hears of it
    await nextTurn();
    expect(announced).toBe(1);
    expect(appends.stalled).toBeNull();
    const after = appends.append('session-4', [newEvent()], 'any');
    await nextTurn();
    writer.answerNext();
    await expect(after).resolves.toMatchObject({ appended: [expect.any(String)] });
  });
});

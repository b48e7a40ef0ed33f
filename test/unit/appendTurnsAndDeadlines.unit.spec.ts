// The EventStoreDB adapter's building blocks for bounded appends: per-stream turns (KeyedMutex) and local deadlines.
import { DeadlineError, withDeadline } from '../../src/eventstore/deadline';
import { KeyedMutex } from '../../src/eventstore/keyedMutex';

/** A promise with its resolve, to decide from the test when a task ends. */
function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const never = new AbortController().signal;

describe('KeyedMutex', () => {
  it('runs tasks for one key one at a time, in call order, and tasks for other keys alongside', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const first = deferred();
    const a1 = mutex.run('a', never, async () => {
      log.push('a1 start');
      await first.promise;
      log.push('a1 end');
    });
    const a2 = mutex.run('a', never, async () => void log.push('a2'));
    await mutex.run('b', never, async () => void log.push('b'));

    expect(log).toEqual(['a1 start', 'b']);
    first.resolve();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
  });

  it('lets a waiter give up when its signal aborts, without running its task or jumping the queue', async () => {
    const idle: string[] = [];
    const mutex = new KeyedMutex((key) => idle.push(key));
    const holder = deferred();
    const held = mutex.run('a', never, () => holder.promise);
    const impatient = new AbortController();
    let ran = false;
    const waiting = mutex.run('a', impatient.signal, async () => void (ran = true));

    impatient.abort(new Error('gave up'));

    await expect(waiting).rejects.toThrow('gave up');
    expect(ran).toBe(false);
    expect(idle).toEqual([]); // the holder is still running
    holder.resolve();
    await held;
    expect(idle).toEqual(['a']);
  });
});

describe('withDeadline', () => {
  it('rejects with DeadlineError when the task hangs, and aborts the signal the task was given', async () => {
    let taskSignal: AbortSignal | undefined;
    const hanging = withDeadline(20, (signal) => {
      taskSignal = signal;
      return new Promise<never>(() => undefined);
    });

    await expect(hanging).rejects.toBeInstanceOf(DeadlineError);
    expect(taskSignal!.aborted).toBe(true);
  });

  it('answers with the task when it settles in time', async () => {
    await expect(withDeadline(1000, async () => 'done')).resolves.toBe('done');
  });
});

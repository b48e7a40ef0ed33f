import { EventLoopTurns } from '../../src/graphql/eventLoopTurns';
import { inTurns } from '../../src/processing/slicedReads';

describe("a client's turns", () => {
  it('stop a read at the first slice whose turn comes after the client went away', async () => {
    const turns = new EventLoopTurns();
    let gone = false;
    const read: number[] = [];
    function* slices() {
      for (let slice = 1; slice <= 5; slice++) {
        read.push(slice);
        if (slice === 2) gone = true;
        yield;
      }
      return read.length;
    }
    await expect(inTurns(slices(), turns.forClient(() => gone))).rejects.toThrow('the client went away');
    expect(read).toEqual([1, 2]);
    // The same read for a client that stays is read to its end.
    gone = false;
    read.length = 0;
    expect(await inTurns(slices(), turns.forClient(() => false))).toBe(5);
  });
});

describe('work done soon', () => {
  /** Turns whose clock moves only as the work says it took. */
  function turnsWithClock(budgetMs: number) {
    let clock = 0;
    const turns = new EventLoopTurns(budgetMs, () => clock);
    const taking = (ms: number, done: string[], name: string) => () => {
      clock += ms;
      done.push(name);
      return name;
    };
    return { turns, taking };
  }

  it('runs at once while the turn has time left, then each in a later turn, after what was waiting for the loop', async () => {
    const { turns, taking } = turnsWithClock(10);
    const done: string[] = [];
    // Counts of 4 ms each: the first three fit the turn (0, 4, 8 ms spent before each), the next ones wait.
    const answers = ['a', 'b', 'c', 'd', 'e'].map((name) => turns.soon(taking(4, done, name)));
    expect(answers.slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect(answers.slice(3).every((answer) => answer instanceof Promise)).toBe(true);
    expect(done).toEqual(['a', 'b', 'c']);
    // A callback that came in meanwhile is served before them.
    setImmediate(() => done.push('callback'));
    expect(await Promise.all(answers)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(done).toEqual(['a', 'b', 'c', 'callback', 'd', 'e']);
  });

  it('starts each turn with the whole budget again', async () => {
    const { turns, taking } = turnsWithClock(10);
    const done: string[] = [];
    expect(turns.soon(taking(30, done, 'long'))).toBe('long');
    expect(turns.soon(taking(1, done, 'next'))).toBeInstanceOf(Promise);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(turns.soon(taking(1, done, 'later'))).toBe('later');
  });

  it('passes on what the work throws, at once or later', async () => {
    const { turns } = turnsWithClock(0);
    const failing = () => {
      throw new Error('the count failed');
    };
    expect(() => new EventLoopTurns(10, () => 0).soon(failing)).toThrow('the count failed');
    turns.soon(() => 1);
    await expect(turns.soon(failing)).rejects.toThrow('the count failed');
  });
});

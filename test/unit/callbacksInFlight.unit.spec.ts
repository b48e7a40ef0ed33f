import { CallbacksInFlight } from '../../src/ingest/callbacksInFlight';

describe('callbacks in flight', () => {
  it('says how long the oldest unanswered callback has waited, whatever order they are answered in', () => {
    let now = 1_000;
    const inFlight = new CallbacksInFlight(() => now);
    const [first, second, third] = [{}, {}, {}];
    expect(inFlight.oldestWaitMs()).toBe(0);

    inFlight.admit(first);
    now += 40;
    inFlight.admit(second);
    now += 10;
    inFlight.admit(third);
    now += 5;
    expect({ count: inFlight.count, oldest: inFlight.oldestWaitMs() }).toEqual({ count: 3, oldest: 55 });

    // The second answered before the first: the first still waits.
    expect(inFlight.release(second)).toBe(true);
    expect(inFlight.oldestWaitMs()).toBe(55);
    inFlight.release(first);
    expect({ count: inFlight.count, oldest: inFlight.oldestWaitMs() }).toEqual({ count: 1, oldest: 5 });
    inFlight.release(third);
    expect({ count: inFlight.count, oldest: inFlight.oldestWaitMs() }).toEqual({ count: 0, oldest: 0 });
  });

  it('releases a callback once: a second release (the response hook, then its close) changes nothing', () => {
    const inFlight = new CallbacksInFlight(() => 0);
    const request = {};
    inFlight.admit(request);
    expect([inFlight.release(request), inFlight.release(request), inFlight.count]).toEqual([true, false, 0]);
  });
});

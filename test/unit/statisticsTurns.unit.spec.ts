import { GraphQLError } from 'graphql';
import { EventLoopTurns } from '../../src/graphql/eventLoopTurns';
import { receivedThreadError, threadError } from '../../src/graphql/readingThreadAnswers';
import { StatisticsAdmittedByMainThread } from '../../src/reading/statisticsTurns';

describe("a reading thread's statistics", () => {
  it('are worked out once the main thread gives them their turn, which they give back when done', async () => {
    const events: string[] = [];
    const statistics = new StatisticsAdmittedByMainThread(new EventLoopTurns(), async () => {
      events.push('turn');
      return () => events.push('done');
    });
    const answer = await statistics.workOut(async (turns) => {
      events.push('work');
      return turns.run(() => 42);
    });
    expect(answer).toBe(42);
    expect(events).toEqual(['turn', 'work', 'done']);
  });

  it('are not worked out when their client has gone by their turn, and give the turn back', async () => {
    const done = jest.fn();
    const work = jest.fn(async () => 1);
    const statistics = new StatisticsAdmittedByMainThread(new EventLoopTurns(), async () => done);
    await expect(statistics.workOut(work, () => true)).rejects.toThrow('the client went away before its statistic was worked out');
    expect(work).not.toHaveBeenCalled();
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('stop at their next turn once their client has gone', async () => {
    let gone = false;
    const done = jest.fn();
    const statistics = new StatisticsAdmittedByMainThread(new EventLoopTurns(), async () => done);
    const slices: number[] = [];
    const worked = statistics.workOut(async (turns) => {
      for (let slice = 0; slice < 10; slice++) {
        await turns.run(() => slices.push(slice));
        if (slice === 2) gone = true;
      }
    }, () => gone);
    await expect(worked).rejects.toThrow('the client went away');
    expect(slices).toEqual([0, 1, 2]);
    expect(done).toHaveBeenCalledTimes(1);
  });

  it("take the main thread's refusal with its code, status and headers", async () => {
    const refusal = new GraphQLError('7 statistics are being worked out', {
      extensions: { code: 'TOO_MANY_STATISTICS', retryAfterSeconds: 1, http: { status: 503, headers: new Map([['retry-after', '1']]) } },
    });
    // Across threads as plain data, then the error the resolver throws.
    const received = receivedThreadError(structuredClone(threadError(refusal)));
    expect(received).toBeInstanceOf(GraphQLError);
    expect(received.message).toBe('7 statistics are being worked out');
    expect(received.extensions).toEqual({ code: 'TOO_MANY_STATISTICS', retryAfterSeconds: 1, http: { status: 503, headers: new Map([['retry-after', '1']]) } });
    const statistics = new StatisticsAdmittedByMainThread(new EventLoopTurns(), () => Promise.reject(received));
    await expect(statistics.workOut(async () => 1)).rejects.toBe(received);
  });
});

import { GraphQLError } from 'graphql';
import { EventLoopTurns } from '../../src/graphql/eventLoopTurns';
import { StatisticsAdmission } from '../../src/graphql/statisticsAdmission';
import { inTurns } from '../../src/processing/slicedReads';

/** A statistic that is worked out until `finish` is called, and records that it began. */
function statistic(begun: string[], name: string) {
  let finish!: (buckets: string) => void;
  const done = new Promise<string>((resolve) => (finish = resolve));
  return {
    work: () => {
      begun.push(name);
      return done;
    },
    finish: () => finish(`${name}'s buckets`),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('statistics admission', () => {
  it('works out as many statistics at once as allowed, the waiting ones in the order they came, and refuses one more', async () => {
    const admission = new StatisticsAdmission({ atOnce: 2, waiting: 2 }, new EventLoopTurns());
    const begun: string[] = [];
    const [a, b, c, d] = [statistic(begun, 'a'), statistic(begun, 'b'), statistic(begun, 'c'), statistic(begun, 'd')];
    const answers = [a, b, c, d].map(({ work }) => admission.workOut(work));
    let refusal: unknown;
    try {
      admission.workOut(async () => 'e');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(GraphQLError);
    const { extensions, message } = refusal as GraphQLError;
    expect(extensions.code).toBe('TOO_MANY_STATISTICS');
    expect(message).toMatch(/being worked out .* waiting .*retry later/);
    expect(extensions.http).toEqual({ status: 503, headers: new Map([['retry-after', '1']]) });
    await turn();
    expect(begun).toEqual(['a', 'b']);
    expect([admission.working, admission.waiting]).toEqual([2, 2]);
    b.finish();
    await turn();
    expect(begun).toEqual(['a', 'b', 'c']);
    // One place is free again: one more waits.
    const e = statistic(begun, 'e');
    const eAnswer = admission.workOut(e.work);
    a.finish();
    await turn();
    expect(begun).toEqual(['a', 'b', 'c', 'd']);
    for (const { finish } of [c, d, e]) finish();
    expect(await Promise.all([...answers, eAnswer])).toEqual(['a', 'b', 'c', 'd', 'e'].map((name) => `${name}'s buckets`));
    expect([admission.working, admission.waiting]).toEqual([0, 0]);
  });

  it('does not work out a statistic whose client went away while it waited', async () => {
    const admission = new StatisticsAdmission({ atOnce: 1, waiting: 5 }, new EventLoopTurns());
    const begun: string[] = [];
    const [a, b, c] = [statistic(begun, 'a'), statistic(begun, 'b'), statistic(begun, 'c')];
    let bGone = false;
    const settled = Promise.allSettled([admission.workOut(a.work), admission.workOut(b.work, () => bGone), admission.workOut(c.work, () => false)]);
    bGone = true;
    a.finish();
    await turn();
    expect(begun).toEqual(['a', 'c']);
    c.finish();
    expect((await settled).map(({ status }) => status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('hands the statistic turns that stop its reads once its client has gone', async () => {
    const admission = new StatisticsAdmission({ atOnce: 1, waiting: 0 }, new EventLoopTurns());
    let gone = false;
    const read: number[] = [];
    function* slices() {
      for (let slice = 1; slice <= 4; slice++) {
        read.push(slice);
        gone = slice === 2;
        yield;
      }
      return 'buckets';
    }
    await expect(admission.workOut((turns) => inTurns(slices(), turns), () => gone)).rejects.toThrow('the client went away');
    expect(read).toEqual([1, 2]);
    expect(await admission.workOut((turns) => inTurns(slices(), turns))).toBe('buckets');
  });

  it('frees the place of a statistic that failed', async () => {
    const admission = new StatisticsAdmission({ atOnce: 1, waiting: 0 }, new EventLoopTurns());
    await expect(admission.workOut(async () => Promise.reject(new Error('the read failed')))).rejects.toThrow('the read failed');
    expect(await admission.workOut(async () => 'buckets')).toBe('buckets');
  });
});

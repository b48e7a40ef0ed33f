// Whose side an interruption is on, nearest-rank percentiles, and the statistics buckets: pure parts of the insights.
import { interruptionSide } from '../../src/domain/errcodeCatalogue';
import { boundedDomains } from '../../src/readmodels/insights/insights.metrics';
import { interruptionBuckets, interruptionKey, type InterruptionFacts } from '../../src/readmodels/insights/interruptionStats';
import { nearestRank } from '../../src/readmodels/insights/percentiles';

describe('interruption side', () => {
  it.each([
    [1, null, 'STOPPED'], // the pusher ended its own stream: nobody's fault
    [18, 501, 'CUSTOMER'], // push URL expired
    [18, 400, 'CUSTOMER'], // IP block list
    [18, 202, 'CUSTOMER'], // account in arrears
    [21, 100, 'CUSTOMER'], // the customer's drop API call
    [18, 101, 'PLATFORM'],
    [5, 0, 'PLATFORM'],
    [10, 0, 'PLATFORM'], // CSS's proxy layer cut it
    [12, 0, 'NETWORK'],
    [8, 0, 'NETWORK'], // no data for a long time
    [0, 0, 'UNKNOWN'],
    [77, 0, 'UNKNOWN'], // not in the catalogue
    [null, null, 'UNKNOWN'],
  ] as const)('errcode %p sub %p is on the %s side', (errcode, sub, side) => {
    expect(interruptionSide(errcode, sub)).toBe(side);
  });
});

describe('nearest-rank percentiles', () => {
  it('answers a measured value', () => {
    const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(nearestRank(sorted, 50)).toBe(50);
    expect(nearestRank(sorted, 90)).toBe(90);
    expect(nearestRank(sorted, 100)).toBe(100);
    expect(nearestRank([7], 90)).toBe(7);
  });

  it('is null for no values and refuses a percentile out of range', () => {
    expect(nearestRank([], 50)).toBeNull();
    expect(() => nearestRank([1], 0)).toThrow(RangeError);
  });
});

describe('interruption buckets', () => {
  const at = Date.UTC(2024, 4, 1, 13, 25);
  const rows: InterruptionFacts[] = [
    [at, 18, 501, 'a.example', 'n1', 1000],
    [at + 1, 18, 501, 'a.example', 'n1', 3000],
    [at + 2, 18, 501, 'b.example', 'n2', null],
    [at + 3_600_000, 1, null, 'b.example', null, 500],
  ];

  it('keys errcodes with their sub_errcode, and hours and days by when they begin (UTC)', () => {
    expect(interruptionKey('ERRCODE', rows[0]!)).toBe('18:501');
    expect(interruptionKey('ERRCODE', rows[3]!)).toBe('1:0');
    expect(interruptionKey('NODE', rows[3]!)).toBe('unknown');
    expect(interruptionKey('HOUR', rows[0]!)).toBe('2024-05-01T13:00:00.000Z');
    expect(interruptionKey('DAY', rows[0]!)).toBe('2024-05-01');
  });

  it('counts every interruption and takes percentiles over those with a push duration, largest bucket first', () => {
    expect(interruptionBuckets('ERRCODE', rows)).toEqual([
      { key: '18:501', count: 3, pushDurationP50Ms: 1000, pushDurationP90Ms: 3000 },
      { key: '1:0', count: 1, pushDurationP50Ms: 500, pushDurationP90Ms: 500 },
    ]);
  });

  it('lists time buckets oldest first', () => {
    expect(interruptionBuckets('HOUR', rows).map((b) => [b.key, b.count])).toEqual([
      ['2024-05-01T13:00:00.000Z', 3],
      ['2024-05-01T14:00:00.000Z', 1],
    ]);
  });
});

describe('streams-live domains as labels', () => {
  it('names the domains with the most streams and adds the rest, and those without a domain, under "other"', () => {
    const rows = [
      { domain: 'a.example', streams: 5 },
      { domain: 'b.example', streams: 9 },
      { domain: 'c.example', streams: 1 },
      { domain: null, streams: 2 },
    ];
    expect([...boundedDomains(rows, 2)]).toEqual([
      ['b.example', 9],
      ['a.example', 5],
      ['other', 3],
    ]);
    expect([...boundedDomains(rows.slice(0, 2), 2)]).toEqual([
      ['b.example', 9],
      ['a.example', 5],
    ]);
  });
});

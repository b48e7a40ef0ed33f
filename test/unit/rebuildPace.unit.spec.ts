import { progressPrinter } from '../../src/rebuildCommand';
import { describePace, slowestBuild } from '../../src/processing/rebuildPace';

describe("a rebuild's pace", () => {
  it('follows the slowest build still replaying the log, and none once all have', () => {
    const progress = [
      { readModel: 'sessions', position: 120_000n, phase: 'building' as const },
      { readModel: 'insights', position: 80_000n, phase: 'building' as const },
      { readModel: 'callbackLog', position: 3_000n, phase: 'digesting' as const },
    ];
    expect(slowestBuild(progress, 5_000)).toEqual({ atMs: 5_000, position: 80_000n });
    expect(slowestBuild(progress.filter((build) => build.phase !== 'building'), 5_000)).toBeNull();
  });

  it('says the rate since the first look and about how long the rest of the log takes at it', () => {
    const first = { atMs: 0, position: 0n };
    expect(describePace(first, { atMs: 10_000, position: 76_120n }, 2_940_185n)).toBe('7,612 events/s, about 6 min 20 s left');
    expect(describePace(first, { atMs: 10_000, position: 76_120n }, 300_000n)).toBe('7,612 events/s, about 29 s left');
    expect(describePace(first, { atMs: 2_000, position: 2_000n }, 7_000_000n)).toBe('1,000 events/s, about 1 h 57 min left');
    expect(describePace(first, { atMs: 10_000, position: 76_120n }, 76_120n)).toBe('7,612 events/s, about 1 s left');
  });

  it('says nothing before a second has passed or while the slowest build has not moved', () => {
    const first = { atMs: 1_000, position: 500n };
    expect(describePace(first, { atMs: 1_800, position: 900n }, 10_000n)).toBeNull();
    expect(describePace(first, { atMs: 9_000, position: 500n }, 10_000n)).toBeNull();
  });
});

describe("the rebuild command's progress lines", () => {
  it('add the pace and the time left once the slowest build has moved for a second, and drop them once all have replayed the log', async () => {
    const lines: string[] = [];
    let now = 0;
    const print = await progressPrinter({ headPosition: async () => 30_000n }, (line) => lines.push(line), () => now);
    const at = (sessions: bigint, insights: bigint, phase: 'building' | 'digesting' = 'building') => [
      { readModel: 'sessions', position: sessions, phase },
      { readModel: 'insights', position: insights, phase },
    ];
    print(at(2_000n, 1_000n));
    now = 2_500;
    print(at(9_000n, 6_000n));
    now = 5_000;
    print(at(30_000n, 30_000n, 'digesting'));
    expect(lines).toEqual([
      'rebuild: sessions at 2000, insights at 1000 of 30000\n',
      'rebuild: sessions at 9000, insights at 6000 of 30000: 2,000 events/s, about 12 s left\n',
      'rebuild: sessions at 30000 (digesting), insights at 30000 (digesting) of 30000\n',
    ]);
  });
});

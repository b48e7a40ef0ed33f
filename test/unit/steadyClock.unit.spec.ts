import { steadyClock } from '../../src/forwarding/steadyClock';

describe('steadyClock', () => {
  it('starts at the wall clock and then counts the time that passed, whatever the wall clock is set to', () => {
    let [wall, monotonic] = [1_700_000_000_000, 5_000.25];
    const now = steadyClock(
      () => wall,
      () => monotonic,
    );
    expect(now()).toBe(1_700_000_000_000);
    [wall, monotonic] = [wall + 1_000, monotonic + 1_000];
    expect(now()).toBe(1_700_000_001_000);
    // The system clock set back an hour, then forward a day: a second passes each time.
    [wall, monotonic] = [wall - 3_600_000, monotonic + 1_000];
    expect(now()).toBe(1_700_000_002_000);
    [wall, monotonic] = [wall + 86_400_000, monotonic + 1_000];
    expect(now()).toBe(1_700_000_003_000);
  });

  it('reads the wall clock by default', () => {
    const before = Date.now();
    const now = steadyClock()();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now() + 1);
  });
});

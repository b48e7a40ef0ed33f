import { ClientRates } from '../../src/http/clientRates';

describe('how often each client did something, against a budget', () => {
  let now = 1_000_000;
  const refuse = (refused: ClientRates, client: string, times: number) => {
    for (let n = 0; n < times; n++) refused.count(client);
  };

  it('puts a client over its budget past it in a second, for that second and the next, and under it again after a pause', () => {
    const refused = new ClientRates(3, { now: () => now });
    refuse(refused, 'scanner', 3);
    expect([refused.over('scanner'), refused.anyOver]).toEqual([false, false]);
    refused.count('scanner');
    expect([refused.over('scanner'), refused.over('css'), refused.anyOver]).toEqual([true, false, true]);
    now += 1000;
    expect(refused.over('scanner')).toBe(true);
    // Still refused in the next second: it stays over its budget across the turn of the second.
    refused.count('scanner');
    expect(refused.over('scanner')).toBe(true);
    now += 1000;
    expect([refused.over('scanner'), refused.anyOver]).toEqual([false, false]);
    // A few refusals a second, every second, never are.
    for (let second = 0; second < 5; second++, now += 1000) {
      refuse(refused, 'careless', 3);
      expect(refused.over('careless')).toBe(false);
    }
  });

  it('puts every client counted lately over when all together pass the overall budget, each under its own', () => {
    const refused = new ClientRates(3, { now: () => now, overallPerSecond: 10 });
    for (let address = 1; address <= 4; address++) refuse(refused, `10.0.0.${address}`, 2);
    refused.count('refused once');
    expect([refused.over('10.0.0.1'), refused.over('refused once'), refused.anyOver]).toEqual([false, false, false]);
    for (let address = 5; address <= 6; address++) refuse(refused, `10.0.0.${address}`, 2);
    // Thirteen in the second from seven clients, none past three: all of them are over, a client not counted is not.
    expect([refused.over('10.0.0.1'), refused.over('10.0.0.6'), refused.over('refused once'), refused.over('10.0.0.9'), refused.anyOver]).toEqual([
      true, true, true, false, true,
    ]);
    now += 1000;
    expect(refused.over('10.0.0.3')).toBe(true);
    now += 1000;
    expect([refused.over('10.0.0.3'), refused.anyOver]).toEqual([false, false]);
  });

  it('counts seconds as they pass, not as the system clock says: set back an hour, it finds nobody over two seconds on', () => {
    jest.useFakeTimers();
    try {
      const refused = new ClientRates(1);
      refuse(refused, 'scanner', 2);
      expect([refused.over('scanner'), refused.anyOver]).toEqual([true, true]);
      jest.setSystemTime(Date.now() - 3_600_000); // the wall clock only; performance.now() goes on
      jest.advanceTimersByTime(2_000);
      expect([refused.over('scanner'), refused.anyOver]).toEqual([false, false]);
    } finally {
      jest.useRealTimers();
    }
  });
});

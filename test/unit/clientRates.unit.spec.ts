import { ClientRates } from '../../src/http/clientRates';

describe('how often each client did something, against a budget', () => {
  let now = 1_000_000;
  const refuse = (refused: ClientRates, client: string, times: number) => {
    for (let n = 0; n < times; n++) refused.count(client);
  };

  it('puts a client over its budget past it in a second, for that second and the next, and under it again after a pause', () => {
    const refused = new ClientRates(3, () => now);
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
});

import { RefusedClients } from '../../src/ingest/refusedClients';

describe('the refusals of each client', () => {
  let now = 1_000_000;
  const refuse = (refused: RefusedClients, client: string, times: number) => {
    for (let n = 0; n < times; n++) refused.refused(client);
  };

  it('puts a client over its budget past it in a second, for that second and the next, and under it again after a pause', () => {
    const refused = new RefusedClients(3, () => now);
    refuse(refused, 'scanner', 3);
    expect([refused.overBudget('scanner'), refused.anyOverBudget]).toEqual([false, false]);
    refused.refused('scanner');
    expect([refused.overBudget('scanner'), refused.overBudget('css'), refused.anyOverBudget]).toEqual([true, false, true]);
    now += 1000;
    expect(refused.overBudget('scanner')).toBe(true);
    // Still refused in the next second: it stays over its budget across the turn of the second.
    refused.refused('scanner');
    expect(refused.overBudget('scanner')).toBe(true);
    now += 1000;
    expect([refused.overBudget('scanner'), refused.anyOverBudget]).toEqual([false, false]);
    // A few refusals a second, every second, never are.
    for (let second = 0; second < 5; second++, now += 1000) {
      refuse(refused, 'careless', 3);
      expect(refused.overBudget('careless')).toBe(false);
    }
  });
});

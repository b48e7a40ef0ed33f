import { Registry } from 'prom-client';
import type { DestinationView } from '../../src/forwarding/forwardingControl';
import { forwardingPrometheus } from '../../src/forwarding/forwardingPrometheus';

describe("forwarding's gauges, read from the destinations' status at scrape time", () => {
  const pending = { count: 3 };
  const unknown = { lagEvents: null, lagSeconds: null, deadLetterCount: null, breaker: null, paused: false };
  const statuses = async (): Promise<DestinationView[]> => [{ ...unknown, name: 'billing', pendingCount: pending.count } as unknown as DestinationView];
  const pendingOf = async (registry: Registry): Promise<string | undefined> =>
    /^css_ledger_forward_pending\{destination="billing"\} (\d+)$/m.exec(await registry.metrics())?.[1];

  afterEach(() => jest.useRealTimers());

  it('read the status afresh at each scrape, though the system clock was set back between two', async () => {
    jest.useFakeTimers();
    const registry = new Registry();
    forwardingPrometheus(registry, statuses);
    expect(await pendingOf(registry)).toBe('3');

    pending.count = 0;
    jest.setSystemTime(Date.now() - 3_600_000); // the wall clock only; performance.now() goes on
    jest.advanceTimersByTime(1_000);
    expect(await pendingOf(registry)).toBe('0');
  });
});

import { rejectionLogSampler } from '../../src/ingest/rejectionLogSampler';

describe('rejectionLogSampler', () => {
  const summaries: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const logger = { warn: (fields: Record<string, unknown>, message: string) => summaries.push({ fields, message }) };
  beforeEach(() => {
    summaries.length = 0;
    jest.useFakeTimers();
  });
  afterEach(() => jest.useRealTimers());

  it('logs the first rejection of a slug in full, then one summary line with the count of the others at the end of the interval', () => {
    const sampler = rejectionLogSampler(logger as never, 60_000);
    const full = jest.fn();
    for (let i = 0; i < 500; i++) sampler.sample('bad_signature', full);
    expect(full).toHaveBeenCalledTimes(1);
    expect(summaries).toEqual([]);

    jest.advanceTimersByTime(60_000);
    expect(summaries).toEqual([
      { fields: { error: 'bad_signature', notLogged: 499, intervalSeconds: 60 }, message: expect.stringContaining('499 more callbacks answered bad_signature') },
    ]);
    sampler.sample('bad_signature', full);
    expect(full).toHaveBeenCalledTimes(2);
  });

  it('closes each interval after its time has passed, whatever the system clock is set to', () => {
    const sampler = rejectionLogSampler(logger as never, 60_000);
    const full = jest.fn();
    sampler.sample('bad_signature', full);
    jest.setSystemTime(Date.now() - 3_600_000); // the system clock set back an hour
    sampler.sample('bad_signature', full);
    jest.advanceTimersByTime(60_000);
    expect(summaries.map((s) => s.fields)).toEqual([{ error: 'bad_signature', notLogged: 1, intervalSeconds: 60 }]);
    sampler.sample('bad_signature', full);
    expect(full).toHaveBeenCalledTimes(2);
  });

  it('samples each slug on its own, and writes no summary when nothing was left out', () => {
    const sampler = rejectionLogSampler(logger as never, 60_000);
    const bad = jest.fn();
    const json = jest.fn();
    sampler.sample('bad_signature', bad);
    sampler.sample('invalid_json', json);
    sampler.sample('invalid_json', json);
    expect([bad.mock.calls.length, json.mock.calls.length]).toEqual([1, 1]);
    jest.advanceTimersByTime(61_000);
    expect(summaries.map((s) => s.fields)).toEqual([{ error: 'invalid_json', notLogged: 1, intervalSeconds: 60 }]);
  });

  it('writes the pending summaries on flush (the service stopping), and logs every one with interval 0', () => {
    const sampler = rejectionLogSampler(logger as never, 60_000);
    for (let i = 0; i < 3; i++) sampler.sample('expired', () => undefined);
    sampler.flush();
    expect(summaries.map((s) => s.fields.notLogged)).toEqual([2]);

    const unsampled = rejectionLogSampler(logger as never, 0);
    const full = jest.fn();
    for (let i = 0; i < 3; i++) unsampled.sample('expired', full);
    expect(full).toHaveBeenCalledTimes(3);
  });
});

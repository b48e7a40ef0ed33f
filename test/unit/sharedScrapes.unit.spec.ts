// Scrapes of /metrics that come together share a rendering begun after each arrived, spaced by the rendering's cost.
import { performance } from 'node:perf_hooks';
import { sharedScrapes } from '../../src/metrics/sharedScrapes';

/** A rendering that answers how many renderings began, once `release` is called (or at once when not held). */
function renderings() {
  let begun = 0;
  let hold: Promise<void> | null = null;
  let release = () => undefined as void;
  const beganAt: number[] = [];
  return {
    render: async () => {
      const mine = ++begun;
      beganAt.push(performance.now());
      if (hold !== null) await hold;
      return `rendering ${mine}`;
    },
    holdNext() {
      hold = new Promise<void>((resolve) => (release = resolve));
    },
    release: () => {
      hold = null;
      release();
    },
    get begun() {
      return begun;
    },
    beganAt,
  };
}

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('shared scrapes', () => {
  it('answers scrapes that arrive together with one rendering', async () => {
    const r = renderings();
    const scrape = sharedScrapes(r.render, { spacing: 0 });
    const answers = await Promise.all(Array.from({ length: 32 }, () => scrape()));
    expect(new Set(answers)).toEqual(new Set(['rendering 1']));
    expect(r.begun).toBe(1);
  });

  it('answers a scrape that arrives while a rendering runs with the next one, shared with those that arrive meanwhile', async () => {
    const r = renderings();
    const scrape = sharedScrapes(r.render, { spacing: 0 });
    r.holdNext();
    const first = scrape();
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.begun).toBe(1);
    // Values read before these scrapes arrived would be stale for them: they wait for a rendering of their own.
    const during = [scrape(), scrape(), scrape()];
    r.release();
    expect(await first).toBe('rendering 1');
    expect(await Promise.all(during)).toEqual(['rendering 2', 'rendering 2', 'rendering 2']);
    expect(await scrape()).toBe('rendering 3');
  });

  it('begins the next rendering no sooner than spacing times what the last kept the event loop busy', async () => {
    const r = renderings();
    const scrape = sharedScrapes(
      async () => {
        const text = await r.render();
        busyFor(20);
        return text;
      },
      { spacing: 3, maxGapMs: 10_000 },
    );
    await scrape();
    const endedAt = performance.now();
    await scrape();
    expect(r.beganAt[1]! - endedAt).toBeGreaterThanOrEqual(55);
  });

  it('keeps a rendering that failed from failing the next', async () => {
    let calls = 0;
    const scrape = sharedScrapes(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('collect failed');
        return 'fine';
      },
      { spacing: 0 },
    );
    await expect(scrape()).rejects.toThrow('collect failed');
    await expect(scrape()).resolves.toBe('fine');
  });
});

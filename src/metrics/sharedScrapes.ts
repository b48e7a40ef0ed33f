// Scrapes of /metrics share renderings, spaced by what each cost the event loop: clients that ask /metrics as fast as
// they are answered cannot take the thread that answers CSS.
import { performance } from 'node:perf_hooks';

export interface SharedScrapeOptions {
  /** After a rendering that kept the event loop busy for t ms, the next starts no sooner than spacing × t ms later. */
  spacing?: number;
  /** The longest such wait, so that a slow rendering (a busy loop) never keeps a scraper waiting long. */
  maxGapMs?: number;
}

/** Nine times its cost: renderings take at most a tenth of the event loop, however many scrapers ask. */
export const SCRAPE_SPACING = 9;
export const SCRAPE_MAX_GAP_MS = 1000;

/**
 * `render` shared by the scrapes that come together. Each answer is a rendering begun after its scrape arrived (its values
 * are never older than the scrape): a scrape joins the rendering waiting to begin, or, when none waits, makes one that
 * begins once the running one has ended and its spacing has passed.
 */
export function sharedScrapes(render: () => Promise<string>, options: SharedScrapeOptions = {}): () => Promise<string> {
  const spacing = options.spacing ?? SCRAPE_SPACING;
  const maxGapMs = options.maxGapMs ?? SCRAPE_MAX_GAP_MS;
  let waiting: Promise<string> | null = null;
  let previous: Promise<unknown> = Promise.resolve();
  let nextAt = 0;

  const begin = async (): Promise<string> => {
    await previous;
    const gap = nextAt - performance.now();
    if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
    waiting = null; // begun: a scrape from now on needs the next one
    const before = performance.eventLoopUtilization();
    try {
      return await render();
    } finally {
      // Busy time, not elapsed time: a rendering that waits (for the store's health check, say) costs the loop nothing.
      const busyMs = performance.eventLoopUtilization(performance.eventLoopUtilization(), before).active;
      nextAt = performance.now() + Math.min(maxGapMs, spacing * busyMs);
    }
  };

  return () => {
    if (waiting !== null) return waiting;
    const rendering = begin();
    waiting = rendering;
    previous = rendering.catch(() => undefined);
    return rendering;
  };
}

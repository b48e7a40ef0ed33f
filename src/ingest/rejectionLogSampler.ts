// Logs rejected callbacks by sample: per slug, the first of each interval in full, the others in one summary line at its end.
import type { Logger } from 'pino';

export interface RejectionLogSampler {
  /** Calls `logInFull` for the first rejection of this slug in the interval; counts the others for the summary line. */
  sample(slug: string, logInFull: () => void): void;
  /** Writes the summary lines still pending (on close). */
  flush(): void;
}

interface Window {
  endsAt: number;
  notLogged: number;
  summary?: NodeJS.Timeout;
}

/**
 * A flood of bad signatures would otherwise be a flood of log lines, costlier than answering them; every one is
 * still counted in the metrics. `intervalMs` 0 logs each one.
 */
export function rejectionLogSampler(logger: Pick<Logger, 'warn'>, intervalMs: number): RejectionLogSampler {
  const windows = new Map<string, Window>();
  const summarize = (slug: string) => {
    const window = windows.get(slug);
    if (window === undefined) return;
    windows.delete(slug);
    clearTimeout(window.summary);
    if (window.notLogged === 0) return;
    logger.warn(
      { error: slug, notLogged: window.notLogged, intervalSeconds: intervalMs / 1000 },
      `${window.notLogged} more callbacks answered ${slug} were not logged one by one (one is logged in full every ${intervalMs / 1000} s)`,
    );
  };
  return {
    sample(slug, logInFull) {
      if (intervalMs <= 0) return logInFull();
      // The monotonic clock: the system clock set back would hold the window (and its log lines) open that much longer.
      const now = performance.now();
      const window = windows.get(slug);
      if (window === undefined || now >= window.endsAt) {
        summarize(slug);
        windows.set(slug, { endsAt: now + intervalMs, notLogged: 0 });
        return logInFull();
      }
      window.notLogged++;
      window.summary ??= setTimeout(() => summarize(slug), window.endsAt - now).unref();
    },
    flush() {
      for (const slug of [...windows.keys()]) summarize(slug);
    },
  };
}

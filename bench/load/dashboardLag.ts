// Page lag from what the dashboard benchmark recorded: when each callback's 200 arrived, and when the page showed it.

/** A callback answered 200, with the log position the service gave it. */
export interface AnsweredCallback {
  position: bigint;
  /** Wall-clock ms (performance.timeOrigin + performance.now()) when the 200 arrived. */
  answeredAt: number;
}

/** The page showed every callback up to `position` at `at` (wall-clock ms, the page's performance clock). */
export interface Render {
  position: bigint;
  at: number;
}

/** What the badge said from `at` on. */
export interface BadgeChange {
  text: string;
  at: number;
}

/** For each callback, when the page first showed it (ms after its 200), or null when it never did. */
export function shownAfter(callbacks: readonly AnsweredCallback[], renders: readonly Render[]): Array<number | null> {
  // The rendered position never goes back: the highest so far at each render, for a binary search.
  const sorted = [...renders].sort((a, b) => a.at - b.at);
  const highest: bigint[] = [];
  for (const render of sorted) highest.push(highest.length === 0 || render.position > highest.at(-1)! ? render.position : highest.at(-1)!);
  return callbacks.map(({ position, answeredAt }) => {
    let low = 0;
    let high = highest.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (highest[middle]! >= position) high = middle;
      else low = middle + 1;
    }
    return low === highest.length ? null : Math.max(0, sorted[low]!.at - answeredAt);
  });
}

export interface BadgeVerdict {
  /** Samples (every `stepMs`) when a callback answered at least `behindMs` ago was not yet shown. */
  laggingSamples: number;
  /** Of those, samples when the badge said "Behind …". */
  saidBehind: number;
  /** Samples when nothing older than `liveMs` was waiting, yet the badge said "Behind …". */
  falseAlarms: number;
  samples: number;
  stepMs: number;
}

/**
 * Compares what the badge said with the true lag, sampled every `stepMs` from `from` to `to`: the age of the oldest
 * callback answered but not yet shown. The page needs to read a late message to know it is late, so a sample counts
 * as lagging only from `behindMs` of true lag on, and as caught up below `liveMs`.
 */
export function judgeBadge(
  callbacks: readonly AnsweredCallback[],
  shown: ReadonlyArray<number | null>,
  badge: readonly BadgeChange[],
  window: { from: number; to: number; stepMs: number; behindMs: number; liveMs: number },
): BadgeVerdict {
  const changes = [...badge].sort((a, b) => a.at - b.at);
  const spans = callbacks.map((c, i) => ({ from: c.answeredAt, until: shown[i] === null ? Infinity : c.answeredAt + shown[i]! }));
  spans.sort((a, b) => a.from - b.from);
  const verdict: BadgeVerdict = { laggingSamples: 0, saidBehind: 0, falseAlarms: 0, samples: 0, stepMs: window.stepMs };
  let change = -1;
  for (let t = window.from; t <= window.to; t += window.stepMs) {
    while (change + 1 < changes.length && changes[change + 1]!.at <= t) change++;
    const behind = change >= 0 && changes[change]!.text.startsWith('Behind');
    let oldest = 0;
    for (const span of spans) {
      if (span.from > t) break;
      if (span.until > t) {
        oldest = t - span.from;
        break;
      }
    }
    verdict.samples++;
    if (oldest >= window.behindMs) {
      verdict.laggingSamples++;
      if (behind) verdict.saidBehind++;
    } else if (oldest < window.liveMs && behind) {
      verdict.falseAlarms++;
    }
  }
  return verdict;
}

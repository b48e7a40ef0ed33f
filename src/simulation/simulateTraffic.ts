// The `simulate` verb: realistic CSS callbacks posted to a running service at a paced rate, and what it answered.
import { sendCallbacks, type CallbackAnswer } from './callbackSender';
import { callbackTarget, simulatedCallbacks, type OutgoingCallback } from './simulatedCallbacks';
import type { StoryOptions } from './storySession';

/** Bounds the command line enforces, so a run can never grow without limit. */
export const SIMULATE_LIMITS = {
  maxDurationSeconds: 600,
  maxRate: 5000,
  maxCount: 1_000_000,
  maxInFlight: 1000,
  maxRetries: 12,
} as const;

export interface SimulateOptions {
  url: string;
  key: string | null;
  token: string | null;
  /** Callbacks per second. */
  rate: number;
  durationSeconds: number;
  count?: number;
  seed: number;
  /** Mix: sessions and relay tasks per round of traffic. */
  sessions: number;
  relayTasks: number;
  /** What each session plays besides its push and interruption; null for sessions only. */
  story: StoryOptions | null;
  maxInFlight: number;
  maxRetries: number;
  /** How long each signature stays valid (`t` = now + this). */
  signatureValidSeconds?: number;
}

export interface LatencyMs {
  p50: number;
  p99: number;
  max: number;
}

export interface SimulationSummary {
  /** Where the callbacks went, without the token. */
  target: string;
  seed: number;
  /** Distinct callbacks sent. */
  sent: number;
  /** Requests, retries included. */
  attempts: number;
  /** Retries after a 503. */
  retries: number;
  /** Final answers 200, by `callback-stored`. */
  stored: { new: number; duplicate: number };
  /** Final answers other than 200, by "<status> <error slug>" ("0 ECONNREFUSED" when no answer came). */
  rejected: Record<string, number>;
  /** Distinct sessions (sequence) and relay tasks (task_id) with at least one callback answered 200. */
  sessions: number;
  relayTasks: number;
  /** Distinct callbacks sent, by the event type the service makes of each (`StreamPushed`, `ScreenshotTaken`, ...). */
  kinds: Record<string, number>;
  stoppedBy: 'count' | 'duration';
  /** Callbacks sent per second, from the first send to the last. */
  achievedRate: number;
  targetRate: number;
  /** Send → answer headers, every request. */
  latencyMs: LatencyMs;
  elapsedSeconds: number;
}

/** Nearest-rank percentile of sorted values (p in 0..100); NaN for none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Counts answers as they come: outcomes from final answers, latency from every request. */
export class SimulationTally {
  readonly stored = { new: 0, duplicate: 0 };
  readonly rejected: Record<string, number> = {};
  readonly kinds: Record<string, number> = {};
  private readonly sequences = new Set<string>();
  private readonly taskIds = new Set<string>();
  private readonly latencies: number[] = [];

  record(answer: CallbackAnswer, callback: OutgoingCallback): void {
    this.latencies.push(answer.answeredAt - answer.sentAt);
    if (!answer.final) return;
    if (callback.kind !== undefined) this.kinds[callback.kind] = (this.kinds[callback.kind] ?? 0) + 1;
    if (answer.status === 200) {
      if (answer.stored === 'duplicate') this.stored.duplicate++;
      else this.stored.new++;
      if (callback.sequence !== undefined) this.sequences.add(callback.sequence);
      if (callback.taskId !== undefined) this.taskIds.add(callback.taskId);
      return;
    }
    const key = `${answer.status} ${answer.error ?? 'unknown'}`;
    this.rejected[key] = (this.rejected[key] ?? 0) + 1;
  }

  get sessions(): number {
    return this.sequences.size;
  }

  get relayTasks(): number {
    return this.taskIds.size;
  }

  latency(): LatencyMs {
    const sorted = Float64Array.from(this.latencies).sort(); // numeric order, unlike Array's sort
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: percentile(sorted, 100) };
  }
}

export async function simulateTraffic(options: SimulateOptions): Promise<SimulationSummary> {
  const target = callbackTarget(options.url, options.token);
  const source = simulatedCallbacks({
    seed: options.seed,
    sessionsPerRound: options.sessions,
    relayTasksPerRound: options.relayTasks,
    streams: Math.max(1, options.sessions * 2),
    ...(options.story === null ? {} : { story: options.story }),
    key: options.key,
    path: `${target.pathname}${target.search}`,
    validForSeconds: options.signatureValidSeconds ?? 600,
  });
  const tally = new SimulationTally();
  const started = performance.now();
  const report = await sendCallbacks(source, {
    url: target.origin,
    rate: options.rate,
    durationMs: options.durationSeconds * 1000,
    ...(options.count === undefined ? {} : { count: options.count }),
    maxInFlight: options.maxInFlight,
    maxRetries: options.maxRetries,
    onAnswer: (answer, callback) => tally.record(answer, callback),
  });
  const sendingSeconds = (report.lastSentAt - report.firstSentAt) / 1000;
  const shown = new URL(target);
  shown.searchParams.delete('token');
  return {
    target: shown.toString(),
    seed: options.seed,
    sent: report.sent,
    attempts: report.attempts,
    retries: report.retries,
    stored: { ...tally.stored },
    rejected: { ...tally.rejected },
    sessions: tally.sessions,
    relayTasks: tally.relayTasks,
    kinds: { ...tally.kinds },
    stoppedBy: report.stoppedBy,
    achievedRate: achievedRate(report.sent, sendingSeconds, options.rate),
    targetRate: options.rate,
    latencyMs: tally.latency(),
    elapsedSeconds: (performance.now() - started) / 1000,
  };
}

/** Sends per second over the intervals between them; a single send has no interval, so it counts as on schedule. */
function achievedRate(sent: number, sendingSeconds: number, asked: number): number {
  if (sent === 0) return 0;
  if (sent === 1 || sendingSeconds <= 0) return asked;
  return (sent - 1) / sendingSeconds;
}

const ms = (value: number) => (Number.isNaN(value) ? '-' : `${value.toFixed(1)} ms`);

/** The summary as a few lines for a person. */
export function formatSummary(summary: SimulationSummary): string {
  const rejected = Object.entries(summary.rejected).sort(([a], [b]) => a.localeCompare(b));
  const kinds = Object.entries(summary.kinds).sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    `sent ${summary.sent} callbacks to ${summary.target} in ${summary.elapsedSeconds.toFixed(1)} s ` +
      `(stopped by ${summary.stoppedBy}; ${summary.achievedRate.toFixed(1)}/s achieved, ${summary.targetRate}/s asked)`,
    `  200: ${summary.stored.new} new, ${summary.stored.duplicate} duplicate`,
    `  rejected: ${rejected.length === 0 ? 'none' : rejected.map(([key, n]) => `${key} ×${n}`).join(', ')}`,
    `  requests: ${summary.attempts} (${summary.retries} retries after 503)`,
    `  stored for ${summary.sessions} sessions and ${summary.relayTasks} relay tasks`,
    `  sent, by kind: ${kinds.length === 0 ? 'none' : kinds.map(([kind, n]) => `${kind} ×${n}`).join(', ')}`,
    `  latency (send → answer): p50 ${ms(summary.latencyMs.p50)}, p99 ${ms(summary.latencyMs.p99)}, max ${ms(summary.latencyMs.max)}`,
    `  seed ${summary.seed}`,
  ];
  // CSS signs push and interruption callbacks, not relay (314) ones: a service with keys but no token refuses those.
  if ((summary.rejected['401 unauthenticated'] ?? 0) > 0) {
    lines.push('  hint: relay (314) callbacks carry no signature, as from CSS; pass --token (or set CSS_CALLBACK_TOKEN) to the service\'s token');
  }
  return `${lines.join('\n')}\n`;
}

// A paced load in its own process: the simulator's sender posts signed callbacks at a fixed rate (bounded count, no
// retries) and this prints, as one JSON line, each 200's event id and the wall-clock time its answer arrived.
// Usage: node pacedLoad.js '<json options>'
import { sendCallbacks } from '../../src/simulation/callbackSender';
import { readRequests } from '../lib/bodies';
import { summarize, type LatencySummary } from '../lib/stats';

export interface PacedLoadOptions {
  url: string;
  requestsFile: string;
  /** Callbacks per second. */
  rate: number;
  count: number;
}

export interface PacedLoadResult {
  /** [event id, wall-clock ms of the 200's arrival] of every callback answered 200. */
  answered: Array<[string, number]>;
  other: number;
  /** The answers other than 200 by status and error (`503 overloaded`, `0 ETIMEDOUT`, ...), with their counts. */
  otherAnswers: Record<string, number>;
  /** Send → 200 of the callbacks answered 200 (a wait for one of the sender's connections included). */
  latencyMs: LatencySummary;
  /** Callbacks per second as sent, first to last. */
  sentRate: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as PacedLoadOptions;
const requests = readRequests(options.requestsFile);

function* inOrder() {
  for (let i = 0; ; i++) yield requests[i % requests.length]!;
}

async function main(): Promise<PacedLoadResult> {
  const answered: Array<[string, number]> = [];
  let other = 0;
  const otherAnswers: Record<string, number> = {};
  const latencies: number[] = [];
  const report = await sendCallbacks(inOrder(), {
    url: options.url,
    rate: options.rate,
    count: options.count,
    durationMs: (options.count / options.rate) * 1000 + 60_000, // the count ends the run; this only bounds it
    maxInFlight: options.count,
    connections: 128,
    maxRetries: 0,
    onAnswer: (answer) => {
      if (answer.status === 200 && answer.eventId !== null) {
        answered.push([answer.eventId, performance.timeOrigin + answer.answeredAt]);
        latencies.push(answer.answeredAt - answer.sentAt);
      } else {
        other++;
        const key = `${answer.status} ${answer.error ?? ''}`.trim();
        otherAnswers[key] = (otherAnswers[key] ?? 0) + 1;
      }
    },
  });
  const result: PacedLoadResult = { answered, other, otherAnswers, latencyMs: summarize(latencies), sentRate: (report.sent - 1) / ((report.lastSentAt - report.firstSentAt) / 1000) };
  return result;
}

main().then(
  // A large line to a pipe is written asynchronously: exit once it is out.
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0)),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

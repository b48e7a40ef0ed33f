// Per-stream order under random failures (property): a stream's later event is never sent before its earlier one was delivered.
import fc from 'fast-check';
import { openForwarding } from '../../src/forwarding';
import { FAST_RETRY, eventually, forwardConfigOf, loggedCallback, memoryLog, tempForwardingFile } from '../support/forwardingLog';
import { startReceiver, type Answer } from '../support/webhookReceiver';

const failure = fc.constantFrom<Answer>({ status: 500 }, { status: 503 }, { status: 429 }, 'drop');

describe('forwarding order', () => {
  it('delivers every event once, in log order within each stream, whatever fails and however many streams go in parallel', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          streams: fc.integer({ min: 1, max: 12 }),
          events: fc.integer({ min: 1, max: 120 }),
          concurrency: fc.integer({ min: 1, max: 8 }),
          // The answers, request after request (cycled): runs of 200s, each followed by up to three failures of any
          // kind. Every cycle holds a 200, so every delivery gets through; a cycle of failures only would dead-letter
          // each delivery after its thousand attempts, which says nothing about order and outlasts the test.
          answers: fc
            .array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.array(failure, { maxLength: 3 })), { minLength: 1, maxLength: 12 })
            .map((runs) => runs.flatMap(([successes, failures]) => [...Array.from({ length: successes }, (): Answer => ({ status: 200 })), ...failures])),
          batch: fc.integer({ min: 1, max: 50 }),
        }),
        async ({ streams, events: count, concurrency, answers, batch }) => {
          // The streams' events interleave in the log as sessions' callbacks do.
          const events = Array.from({ length: count }, (_, i) => loggedCallback(i + 1, `session-${(i * 7) % streams}`));
          const streamOf = new Map(events.map((e) => [e.position.toString(), e.stream]));
          const delivered = new Map<string, number[]>();
          const violations: string[] = [];
          const receiver = await startReceiver((request, index) => {
            const position = Number(request.headers['x-css-ledger-position']);
            const stream = streamOf.get(String(position))!;
            const done = delivered.get(stream) ?? [];
            const earlierPending = events.filter((e) => e.stream === stream && Number(e.position) < position && !done.includes(Number(e.position)));
            if (earlierPending.length > 0) violations.push(`${position} sent before ${earlierPending.map((e) => e.position).join(',')}`);
            const answer = answers[index % answers.length]!;
            if (typeof answer === 'object' && answer.status === 200) delivered.set(stream, [...done, position]);
            return answer;
          });
          const state = tempForwardingFile();
          const forwarding = openForwarding({
            file: state.file,
            config: forwardConfigOf([{ name: 'ordered', url: receiver.url, format: 'raw', concurrency, maxPending: 30, retry: FAST_RETRY, breaker: { failureThreshold: 1000 } }]),
            reader: memoryLog(events),
            logHead: 0n,
          });
          try {
            forwarding.start();
            const destination = forwarding.destinations[0]!;
            for (let i = 0; i < events.length; i += batch) await destination.handle(events.slice(i, i + batch));
            await eventually(() => destination.status(BigInt(count)).pendingCount === 0, 'everything delivered', 20_000);
            expect(violations).toEqual([]);
            for (const [stream, positions] of delivered) {
              expect(positions).toEqual(events.filter((e) => e.stream === stream).map((e) => Number(e.position)));
            }
            expect([...delivered.values()].flat()).toHaveLength(count);
          } finally {
            await forwarding.close(200);
            await receiver.stop();
            state.remove();
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});

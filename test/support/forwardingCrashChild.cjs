// The process the forwarding kill -9 test kills: forwards a synthetic log of EVENTS callbacks to RECEIVER_URL from STATE_FILE (built dist/).
'use strict';
const { openForwarding, loadForwardConfig } = require('../../dist/forwarding/index.js');

const count = Number(process.env.EVENTS);
const streams = Number(process.env.STREAMS);
const events = Array.from({ length: count }, (_, i) => {
  const position = i + 1;
  const stream = `session-s${(position * 7) % streams}`;
  const raw = `{"event_type":1,"sequence":"${stream}","position":${position}}`;
  const recordedAt = new Date(1_700_000_000_000 + position);
  return {
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type: 'StreamPushed',
    stream,
    revision: 0n,
    position: BigInt(position),
    data: { fields: { sequence: stream }, raw },
    metadata: { receivedAt: recordedAt.toISOString() },
    recordedAt,
  };
});
const reader = { readAll: async ({ after = 0n, maxCount = 1000 }) => events.filter((e) => e.position > after).slice(0, maxCount) };

const loaded = loadForwardConfig(
  JSON.stringify({
    destinations: [
      {
        name: 'crash',
        url: process.env.RECEIVER_URL,
        format: 'raw',
        concurrency: 4,
        maxPending: 40,
        retry: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 1000 },
        breaker: { failureThreshold: 1000 },
      },
    ],
  }),
  'crash.json',
);
if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
const forwarding = openForwarding({ file: process.env.STATE_FILE, config: loaded.config, reader, logHead: 0n });
forwarding.start();
const destination = forwarding.destinations[0];
console.log('started');

(async () => {
  // The processor's loop: resume from the checkpoint, hand over a batch, wait for handle.
  while (destination.checkpoint() < BigInt(count)) {
    const after = Number(destination.checkpoint());
    await destination.handle(events.slice(after, after + 25));
  }
  const timer = setInterval(() => {
    if (destination.status(BigInt(count)).pendingCount > 0) return;
    clearInterval(timer);
    forwarding.close(1_000).then(() => {
      console.log('all delivered');
      process.exit(0);
    });
  }, 10);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

// `npm run bench:forwarding`: deliveries per second from the forwarding engine to a loopback receiver (its own process)
// that answers 200 at once, for a few shapes of traffic; prints a Markdown table.
// BENCH_FORWARD_DELIVERIES (default 20,000) sets the deliveries per scenario.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecordedEvent } from '../src/eventstore/eventStore';
import { loadForwardConfig, openForwarding } from '../src/forwarding';

const DELIVERIES = Number(process.env.BENCH_FORWARD_DELIVERIES ?? 20_000);
const PORT = 40_000 + (process.pid % 10_000);

interface Scenario {
  label: string;
  streams: number;
  format: 'raw' | 'standard-webhooks';
  concurrency: number;
}

const SCENARIOS: Scenario[] = [
  { label: '1 stream, raw', streams: 1, format: 'raw', concurrency: 8 },
  { label: '20 streams, raw, concurrency 8', streams: 20, format: 'raw', concurrency: 8 },
  { label: '20 streams, raw, concurrency 20', streams: 20, format: 'raw', concurrency: 20 },
  { label: '200 streams, raw, concurrency 32 (default)', streams: 200, format: 'raw', concurrency: 32 },
  { label: '20 streams, standard-webhooks, concurrency 8', streams: 20, format: 'standard-webhooks', concurrency: 8 },
];

function events(count: number, streams: number): RecordedEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const stream = `session-${i % streams}`;
    const raw = JSON.stringify({ event_type: 1, sequence: stream, app: 'push.example.com', stream_id: 'live1', n: i, padding: 'x'.repeat(400) });
    const recordedAt = new Date(1_700_000_000_000 + i);
    return {
      id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
      type: 'StreamPushed',
      stream,
      revision: 0n,
      position: BigInt(i + 1),
      data: { fields: { sequence: stream, domain: 'push.example.com', streamId: 'live1' }, raw },
      metadata: { receivedAt: recordedAt.toISOString() },
      recordedAt,
    };
  });
}

async function run(scenario: Scenario, url: string, dir: string): Promise<{ perSecond: number; cpuPercent: number }> {
  const loaded = loadForwardConfig(
    JSON.stringify({
      destinations: [
        {
          name: 'bench',
          url,
          format: scenario.format,
          concurrency: scenario.concurrency,
          startFrom: 'beginning',
          ...(scenario.format === 'standard-webhooks' ? { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } : {}),
        },
      ],
    }),
    'bench.json',
  );
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const log = events(DELIVERIES, scenario.streams);
  const forwarding = openForwarding({ file: path.join(dir, `${scenario.label.replace(/\W+/g, '-')}.db`), config: loaded.config, reader: { readAll: async () => [] }, logHead: 0n });
  const destination = forwarding.destinations[0]!;
  forwarding.start();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  // The processor's part: batches of 500, the next once handle resolves (the window has room).
  for (let i = 0; i < log.length; i += 500) await destination.handle(log.slice(i, i + 500));
  while (destination.status(BigInt(DELIVERIES)).pendingCount > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const status = destination.status(BigInt(DELIVERIES));
  await forwarding.close(1_000);
  if (status.deliveredThrough !== BigInt(DELIVERIES) || status.deadLetterCount > 0) throw new Error(`${scenario.label}: not everything delivered: ${JSON.stringify(status, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  return { perSecond: DELIVERIES / seconds, cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100 };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'css-ledger-bench-forwarding-'));
  const receiver = spawn(process.execPath, [path.join(__dirname, 'servers', 'okReceiver.js'), String(PORT)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      receiver.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
      receiver.on('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${PORT}/hook`;
    await run({ label: 'warm-up', streams: 20, format: 'raw', concurrency: 8 }, url, dir);
    const lines = ['| scenario | deliveries/s | forwarder CPU |', '| --- | ---: | ---: |'];
    for (const scenario of SCENARIOS) {
      const { perSecond, cpuPercent } = await run(scenario, url, dir);
      lines.push(`| ${scenario.label} | ${Math.round(perSecond).toLocaleString('en')} | ${Math.round(cpuPercent)} % |`);
      process.stderr.write(`${lines.at(-1)}\n`);
    }
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    process.stdout.write(`${DELIVERIES.toLocaleString('en')} deliveries per scenario; ${os.cpus().length} CPUs, node ${process.version}, load ${load}\n\n${lines.join('\n')}\n`);
  } finally {
    receiver.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});

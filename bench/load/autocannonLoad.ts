// Load generator (its own process): autocannon at N connections, rotating through pre-generated signed callbacks.
// No response hook: reading every body in the load generator would slow it down and flatter the service's ratio;
// non-2xx statuses and errors are counted, and the service answers 200 only with {"code":0}.
// Usage: node autocannonLoad.js '<json options>'; prints one JSON line with the result. Writes MEASURING_MARKER to
// stderr when the measured run starts (after the warm-up), so the benchmark can sample the server's CPU from there.
import autocannon from 'autocannon';
import { readRequests } from '../lib/bodies';
import { MEASURING_MARKER, type LoadOptions, type LoadResult } from './loadResult';

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
const requests = readRequests(options.requestsFile);
let next = 0;

function run(durationSeconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: durationSeconds,
        timeout: 10,
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const { path, body } = requests[next++ % requests.length]!;
              return { ...request, method: 'POST', path, body };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function main(): Promise<void> {
  if (options.warmupSeconds > 0) await run(options.warmupSeconds);
  process.stderr.write(`${MEASURING_MARKER}\n`);
  const cpuBefore = process.cpuUsage();
  const result = await run(options.durationSeconds);
  const cpu = process.cpuUsage(cpuBefore);
  const latency = result.latency;
  const out: LoadResult = {
    requests: result.requests.total,
    durationSeconds: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    latencyMs: { p50: latency.p50, p90: latency.p90, p99: latency.p99, p999: latency.p99_9, max: latency.max, mean: latency.average },
    status2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    distinctBodies: requests.length,
    sentInAll: next,
    loadCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

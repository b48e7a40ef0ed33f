// `npm run bench [-- <benchmark>...]`: runs the benchmarks in sequence on the embedded store and writes bench/REPORT.md.
// Benchmarks: ingest (with the bare and naive baselines), forwarding, subscription, dashboard, scale (= rebuild + queries +
// mixed load + upgrade while serving + memory).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyServiceDist, loadBenchConfig, REPO_ROOT } from './config';
import { dashboardBenchmark } from './benchmarks/dashboard';
import { forwardingBenchmark } from './benchmarks/forwardingIngest';
import { ingestBenchmark } from './benchmarks/ingest';
import { scaleBenchmarks } from './benchmarks/scale';
import { subscriptionBenchmark } from './benchmarks/subscription';
import { killAll, killAllNow, removeTemporaryPaths, temporaryPaths } from './lib/children';
import { describeMachine, readAnalysis, writeReport } from './lib/report';
import type { BenchmarkResult } from './lib/results';
import { profileMarkdown, summarizeProfile } from './profile/topFrames';

const BENCHMARKS = ['ingest', 'forwarding', 'subscription', 'dashboard', 'scale'] as const;
type Benchmark = (typeof BENCHMARKS)[number];
const ALIASES: Record<string, Benchmark> = {
  ingest: 'ingest',
  naive: 'ingest',
  forwarding: 'forwarding',
  forward: 'forwarding',
  subscription: 'subscription',
  subscriptions: 'subscription',
  dashboard: 'dashboard',
  scale: 'scale',
  queries: 'scale',
  rebuild: 'scale',
  memory: 'scale',
  mixed: 'scale',
  upgrade: 'scale',
};

const log = (line: string) => process.stderr.write(`${line}\n`);

function chosenBenchmarks(args: string[]): Benchmark[] {
  if (args.length === 0 || args.includes('all')) return [...BENCHMARKS];
  const chosen = new Set<Benchmark>();
  for (const arg of args) {
    const benchmark = ALIASES[arg];
    if (benchmark === undefined) {
      log(`unknown benchmark "${arg}"; choose among: ${Object.keys(ALIASES).join(', ')}, all`);
      process.exit(2);
    }
    chosen.add(benchmark);
  }
  return BENCHMARKS.filter((b) => chosen.has(b));
}

function commandLine(args: string[]): string {
  const env = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value}`);
  return [...env, 'npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const benchmarks = chosenBenchmarks(args);
  const config = loadBenchConfig(benchmarks.length < BENCHMARKS.length);
  copyServiceDist();
  const startedAt = new Date();
  const started = performance.now();
  const machine = describeMachine();
  const workDir = path.join(config.dataRoot, `run-${process.pid}`);
  fs.mkdirSync(workDir, { recursive: true });
  temporaryPaths.add(workDir);
  if (config.cpuProfile) fs.rmSync(config.profileDir, { recursive: true, force: true });
  log(`bench: ${benchmarks.join(', ')}${config.quick ? ' (quick)' : ''}; ${machine.cpus} CPUs, node ${machine.node}; work folder ${workDir}`);

  const results: BenchmarkResult[] = [];
  const failures: Array<{ benchmark: string; error: string }> = [];
  try {
    for (const benchmark of benchmarks) {
      try {
        switch (benchmark) {
          case 'ingest':
            results.push(await ingestBenchmark(config, workDir, log));
            break;
          case 'forwarding':
            results.push(await forwardingBenchmark(config, workDir, log));
            break;
          case 'subscription':
            for (const rate of config.subscription.rates) results.push(await subscriptionBenchmark(config, rate, workDir, log));
            break;
          case 'dashboard':
            results.push(await dashboardBenchmark(config, workDir, log));
            break;
          case 'scale': {
            const scale = await scaleBenchmarks(config, workDir, log);
            results.push(...[scale.queries, scale.mixed, scale.upgrade, scale.rebuild, scale.memory].filter((r) => r !== null));
            break;
          }
        }
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        log(`${benchmark} failed: ${message}`);
        failures.push({ benchmark, error: message });
      } finally {
        await killAll();
      }
    }
  } finally {
    await killAll();
    removeTemporaryPaths();
  }

  const profiles = config.cpuProfile ? profileSections(config.profileDir) : [];
  writeReport(config.reportFile, {
    config,
    command: commandLine(args),
    machine,
    startedAt,
    totalSeconds: (performance.now() - started) / 1000,
    results,
    failures,
    profiles,
    endLoadAverage: os.loadavg().map((n) => n.toFixed(2)).join(' '),
    analysis: readAnalysis(config.reportFile),
  });
  log(`report: ${path.relative(REPO_ROOT, config.reportFile)} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  for (const result of results) {
    for (const row of result.rows) {
      if (row.verdict !== 'INFO') log(`  ${row.verdict.padEnd(4)} ${result.title}: ${row.metric} = ${row.value}${row.ratio ? ` (${row.ratio})` : ''}, target ${row.target ?? '-'}`);
    }
  }
  if (failures.length > 0) process.exitCode = 1;
}

/** The profile of each profiled process, summarized (the .cpuprofile files stay in bench/profiles/). */
function profileSections(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const sections: string[] = [];
  for (const label of fs.readdirSync(root).sort()) {
    const folder = path.join(root, label);
    if (!fs.statSync(folder).isDirectory()) continue;
    for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.cpuprofile'))) {
      try {
        sections.push(profileMarkdown(summarizeProfile(path.join(folder, file), 12), label));
      } catch (error) {
        sections.push(`#### ${label}\n\ncould not read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }
  return sections;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping every child process`);
    killAllNow();
    removeTemporaryPaths();
    process.exit(130);
  });
}
process.on('exit', killAllNow);

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  killAllNow();
  process.exit(1);
});

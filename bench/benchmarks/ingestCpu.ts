// CPU per request of each ingest run, by thread: the service's against the bare server's, and the load generator's own.
import type { IngestLoad } from '../config';
import { fmt, verdict, type ResultRow } from '../lib/results';
import { THREAD_GROUPS, type ThreadCpu, type ThreadGroup } from '../lib/threadCpu';
import type { LoadResult } from '../load/loadResult';

export type Target = 'bare' | 'service' | 'naive';

export const TARGET_NAMES: Record<Target, string> = {
  bare: 'bare node:http (parse JSON, answer)',
  service: 'service: POST /callbacks (durable 200)',
  naive: 'naive: one row, one commit per request',
};

export const LOAD_NAMES: Record<IngestLoad, string> = {
  wrk: 'wrk',
  autocannon: 'autocannon',
};

/** The service's two Worker threads, in the order it starts them. */
export const WORKER_ROLES: Record<Target, string[]> = { service: ['ledger writer', 'projector'], bare: [], naive: [] };

export interface IngestRun {
  round: number;
  target: Target;
  load: IngestLoad;
  result: LoadResult;
  /** Service only: events in the log and applied by the projector when the load stopped. */
  stored?: string;
  /** The server's CPU by thread over the measured run; null when it could not be read. */
  serverCpu: ThreadCpu | null;
}

/** µs of CPU per request over every run of a server under one load generator (rounds pooled, weighted by requests). */
export function cpuPerRequest(runs: readonly IngestRun[]): { groups: Map<ThreadGroup, number>; total: number; load: number; requests: number } {
  const groups = new Map<ThreadGroup, number>();
  let total = 0;
  let load = 0;
  let requests = 0;
  for (const run of runs) {
    if (run.serverCpu === null) continue;
    requests += run.result.requests;
    total += run.serverCpu.totalSeconds;
    load += run.result.loadCpuSeconds;
    for (const [group, seconds] of run.serverCpu.groups) groups.set(group, (groups.get(group) ?? 0) + seconds);
  }
  const perRequest = (seconds: number) => (requests === 0 ? NaN : (seconds * 1e6) / requests);
  return { groups: new Map([...groups].map(([group, seconds]) => [group, perRequest(seconds)])), total: perRequest(total), load: perRequest(load), requests };
}

const us = (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : n.toFixed(0)} µs` : 'n/a');

/** Summary rows: the service's CPU per stored callback against the bare server's, and what the load generator cost. */
export function cpuRows(runs: readonly IngestRun[], load: IngestLoad, judged: boolean): ResultRow[] {
  const of = (target: Target) => cpuPerRequest(runs.filter((r) => r.target === target && r.load === load));
  const service = of('service');
  const bare = of('bare');
  const ratio = service.total / bare.total;
  const serviceRuns = runs.filter((r) => r.target === 'service' && r.load === load);
  const loadShare = serviceRuns.reduce((sum, r) => sum + r.result.loadCpuSeconds, 0) / serviceRuns.reduce((sum, r) => sum + r.result.durationSeconds, 0);
  return [
    {
      metric: `service CPU per stored callback, all threads (${LOAD_NAMES[load]})`,
      value: us(service.total),
      baseline: us(bare.total),
      ratio: fmt.ratio(ratio),
      target: '≤ 2.00×',
      verdict: judged ? verdict(ratio <= 2) : 'INFO',
    },
    {
      metric: `${LOAD_NAMES[load]}'s own CPU while loading the service`,
      value: `${us(service.load)} per request, ${fmt.pct(loadShare)} of a core`,
      baseline: `${us(bare.load)} per request (bare)`,
      verdict: 'INFO',
    },
  ];
}

/** One row per server and load generator: µs per request in each group of threads. */
export function cpuDetail(runs: readonly IngestRun[], loads: readonly IngestLoad[]): { caption: string; header: string[]; rows: string[][] } {
  const seen = new Set<ThreadGroup>();
  for (const run of runs) for (const group of run.serverCpu?.groups.keys() ?? []) seen.add(group);
  const columns = [...THREAD_GROUPS.filter((g) => seen.has(g)), ...[...seen].filter((g) => !(THREAD_GROUPS as readonly string[]).includes(g)).sort()];
  const rows: string[][] = [];
  for (const target of ['bare', 'service', 'naive'] as const) {
    for (const load of loads) {
      const cpu = cpuPerRequest(runs.filter((r) => r.target === target && r.load === load));
      if (cpu.requests === 0) continue;
      rows.push([TARGET_NAMES[target], LOAD_NAMES[load], ...columns.map((g) => (cpu.groups.has(g) ? us(cpu.groups.get(g)!) : '—')), us(cpu.total), us(cpu.load)]);
    }
  }
  return {
    caption: 'CPU per request by thread, µs (user + system from /proc/<pid>/task/<tid>/stat over the measured run, rounds pooled)',
    header: ['server', 'load generator', ...columns, 'all threads', 'load generator itself'],
    rows,
  };
}

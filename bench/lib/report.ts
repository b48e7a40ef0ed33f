// bench/REPORT.md: when, on what machine, with which command, and one table per benchmark.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { REPO_ROOT, type BenchConfig } from '../config';
import type { BenchmarkResult } from './results';

export interface Machine {
  cpus: number;
  model: string;
  memory: string;
  node: string;
  os: string;
  sqlite: string;
  commit: string;
  loadAverage: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  let sqlite = 'unknown';
  try {
    const db = new Database(':memory:');
    sqlite = String(db.prepare('select sqlite_version()').pluck().get());
    db.close();
  } catch {
    // not fatal: the report says unknown
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    if (dirty !== '') commit += ' (src/ has uncommitted changes)';
  } catch {
    // not a git checkout
  }
  return {
    cpus: cpus.length,
    model: cpus[0]?.model ?? 'unknown',
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    sqlite,
    commit,
    loadAverage: os.loadavg().map((n) => n.toFixed(2)).join(' '),
  };
}

const cell = (value: string | undefined) => (value ?? '').replace(/\|/g, '\\|');

function benchmarkMarkdown(result: BenchmarkResult): string {
  const lines = [
    `## ${result.title}`,
    '',
    result.description,
    '',
    '| measure | value | baseline (same run) | ratio | target | result |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...result.rows.map(
      (row) =>
        `| ${cell(row.metric)} | ${cell(row.value)} | ${cell(row.baseline ?? '—')} | ${cell(row.ratio ?? '—')} | ${cell(row.target ?? '—')} | ${row.verdict === 'PASS' ? '**PASS**' : row.verdict === 'INFO' ? 'info' : `**${row.verdict}**`} |`,
    ),
    '',
  ];
  for (const detail of result.details ?? []) {
    lines.push(`${detail.caption}:`, '', `| ${detail.header.join(' | ')} |`, `| ${detail.header.map(() => '---').join(' | ')} |`);
    for (const row of detail.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
    lines.push('');
  }
  for (const note of result.notes ?? []) lines.push(`- ${note}`);
  if ((result.notes ?? []).length > 0) lines.push('');
  return lines.join('\n');
}

export interface ReportInput {
  config: BenchConfig;
  command: string;
  machine: Machine;
  startedAt: Date;
  totalSeconds: number;
  results: BenchmarkResult[];
  failures: Array<{ benchmark: string; error: string }>;
  profiles: string[];
  endLoadAverage: string;
  /** Text kept from the previous report (the analysis section written by people). */
  analysis: string | null;
}

export const ANALYSIS_MARKER = '<!-- analysis: kept across runs -->';

export function readAnalysis(file: string): string | null {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const at = text.indexOf(ANALYSIS_MARKER);
    return at < 0 ? null : text.slice(at);
  } catch {
    return null;
  }
}

export function renderReport(input: ReportInput): string {
  const { config, machine } = input;
  const summary = input.results.flatMap((r) =>
    r.rows.filter((row) => row.verdict !== 'INFO').map((row) => `| ${r.title} | ${cell(row.metric)} | ${cell(row.value)} | ${cell(row.ratio ?? '—')} | ${cell(row.target ?? '—')} | ${row.verdict} |`),
  );
  const lines = [
    '# Benchmark report',
    '',
    config.quick ? '> **Quick smoke run (BENCH_QUICK=1)**: small data sets and short runs; the figures do not speak to the targets.\n' : '',
    `- date: ${input.startedAt.toISOString()} (${input.totalSeconds.toFixed(0)} s in all; load average at the end ${input.endLoadAverage})`,
    `- command: \`${input.command}\``,
    `- machine: ${machine.cpus} CPUs (${machine.model}), ${machine.memory} memory, ${machine.os}; load average at start ${machine.loadAverage}`,
    `- node ${machine.node}, SQLite ${machine.sqlite}, commit ${machine.commit}`,
    `- scale: ${config.scale.sessions.toLocaleString('en-US')} sessions, ${config.scale.relayTasks.toLocaleString('en-US')} relay tasks; ` +
      `ingest ${config.ingest.connections} connections × ${config.ingest.durationSeconds} s × ${config.ingest.rounds} round(s); ` +
      `subscription ${config.subscription.rates.join(' and ')}/s × ${config.subscription.seconds} s; seed ${config.seed}`,
    '',
    'Every ratio is against a baseline measured in the same run, on this shared machine, with the load generator on the same two cores as the server.',
    '',
    '## Summary',
    '',
    '| benchmark | measure | value | ratio | target | result |',
    '| --- | --- | ---: | ---: | --- | --- |',
    ...summary,
    ...input.failures.map((f) => `| ${f.benchmark} | did not complete | ${cell(f.error.split('\n')[0])} | — | — | FAIL |`),
    '',
    ...input.results.map(benchmarkMarkdown),
  ];
  if (input.failures.length > 0) {
    lines.push('## Benchmarks that did not complete', '');
    for (const failure of input.failures) lines.push(`### ${failure.benchmark}`, '', '```', failure.error.slice(0, 4000), '```', '');
  }
  if (input.profiles.length > 0) {
    lines.push('## CPU profiles (BENCH_CPU_PROF=1)', '', ...input.profiles);
  }
  if (input.analysis !== null) lines.push(input.analysis);
  return lines.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

export function writeReport(file: string, input: ReportInput): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, renderReport(input));
}

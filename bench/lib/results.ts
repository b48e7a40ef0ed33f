// What each benchmark hands to the report: tables of measured values against a baseline and a target.

export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'FAIL';

export interface ResultRow {
  /** What was measured, e.g. "service requests/s". */
  metric: string;
  value: string;
  baseline?: string;
  ratio?: string;
  target?: string;
  verdict: Verdict;
}

export interface BenchmarkResult {
  /** Section title, e.g. "Callback ingest". */
  title: string;
  /** One or two sentences: what was run, on what. */
  description: string;
  rows: ResultRow[];
  /** Extra detail tables (per-round figures etc.): a header row, then rows. */
  details?: Array<{ caption: string; header: string[]; rows: string[][] }>;
  notes?: string[];
  /** Wall-clock time the benchmark took. */
  seconds: number;
}

export const fmt = {
  int: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n)),
  ms: (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms` : String(n)),
  ratio: (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : String(n)),
  mb: (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : String(bytes)),
  s: (n: number) => `${n.toFixed(1)} s`,
  pct: (share: number) => (Number.isFinite(share) ? `${(100 * share).toFixed(0)}%` : 'n/a'),
};

export const verdict = (ok: boolean): Verdict => (ok ? 'PASS' : 'MISS');
